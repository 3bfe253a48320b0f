import { build } from "esbuild";
import { existsSync, rmSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The `contoso` CLI compiled once per test run, so the hundreds of spawns of the CLI tests do not
 * each transpile the sources through tsx's loader hooks (half of a spawn's CPU went there: a
 * `global up` took 2.1 s of CPU under `--import tsx`, 1.2 s from the build; `--help` 0.56 s, 0.12 s).
 *
 * It is the same sources, compiled by the same esbuild tsx uses, into `dist/cli/` two folders
 * under the repository so that paths derived from `import.meta.url` (the repository root) resolve
 * as they do from `automation/`. Packages stay external (node_modules is what a user loads) and
 * dynamic imports stay lazy chunks (`--splitting`), so a command that runs no program still does
 * not load @pulumi/azure-native (tests/automation/startup.test.ts checks it on the build).
 */

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const CLI_SOURCE = path.join(REPO, "automation", "cli", "main.ts");
export const CLI_BUILD_DIR = path.join(REPO, "dist", "cli");
export const CLI_BUILD = path.join(CLI_BUILD_DIR, "main.mjs");

/** Set by the global set-up once the build is fresh; spawned workers inherit it. */
export const CLI_BUILD_ENV = "CONTOSO_TEST_CLI_BUILD";

export async function buildCli(): Promise<string> {
  rmSync(CLI_BUILD_DIR, { recursive: true, force: true });
  await build({
    entryPoints: { main: CLI_SOURCE },
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    outdir: CLI_BUILD_DIR,
    outExtension: { ".js": ".mjs" },
    logLevel: "warning",
  });
  return CLI_BUILD;
}

/**
 * The node arguments that start the CLI: the fresh build when this test run made one, otherwise
 * the sources through tsx (a test file run by some other means than `.mocharc.json`).
 */
export function cliEntryArgs(): string[] {
  const built = process.env[CLI_BUILD_ENV];
  if (built && existsSync(built)) return [built];
  return ["--import", "tsx", CLI_SOURCE];
}
