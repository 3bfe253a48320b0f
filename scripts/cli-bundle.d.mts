// Types for scripts/cli-bundle.mjs (plain JavaScript, so the build runs before any TypeScript loader).
export declare const REPO: string;
export declare const CLI_SOURCE: string;
export declare function bundleCli(outdir: string): Promise<string>;
