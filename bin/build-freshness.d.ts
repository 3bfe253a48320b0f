export declare const SOURCE_DIRS: string[];
/** Whether dist/ may run instead of the TypeScript sources of `repo`. */
export declare function freshBuild(repo: string, env?: NodeJS.ProcessEnv): boolean;
