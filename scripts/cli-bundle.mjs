// The `contoso` CLI as one esbuild bundle: the launcher's build (scripts/build.mjs → dist/app/) and
// each test run's (tests/setup/cli-build.ts → dist/cli-<pid>/) are made by this one function.
//
// Why a bundle: start-up of a command is mostly module loading. The unbundled build (one file per
// source, ~200 files) spent about a quarter of `contoso --help`'s CPU opening, resolving and
// compiling those files; a bundle with shared chunks does that work for a handful of files.
// Packages stay external (node_modules is what a user loads), and dynamic imports stay lazy chunks
// (`splitting`), so a command that runs no program still does not load @pulumi/azure-native
// (tests/automation/startup.test.ts checks it).
//
// The output folder must be two folders under the repository (dist/<name>/): paths derived from
// `import.meta.url` (the repository root, automation/offline/state-dir.ts) then resolve as they do
// from automation/<folder>/.
import { build } from "esbuild";
import { rmSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const CLI_SOURCE = path.join(REPO, "automation", "cli", "main.ts");

/** Builds the CLI into `outdir` (emptied first); returns the path of its entry, `main.mjs`. */
export async function bundleCli(outdir) {
  if (path.dirname(path.dirname(outdir)) !== REPO) throw new Error(`the CLI bundle must be two folders under ${REPO}, not ${outdir}`);
  rmSync(outdir, { recursive: true, force: true });
  await build({
    entryPoints: { main: CLI_SOURCE },
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    outdir,
    outExtension: { ".js": ".mjs" },
    logLevel: "warning",
  });
  return path.join(outdir, "main.mjs");
}
