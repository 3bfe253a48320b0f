import { existsSync } from "node:fs";
import * as path from "node:path";
import { bundleCli, CLI_SOURCE, REPO } from "../../scripts/cli-bundle.mjs";

/**
 * The `contoso` CLI compiled once per test run, so the hundreds of spawns of the CLI tests do not
 * each transpile the sources through tsx's loader hooks (half of a spawn's CPU went there: a
 * `global up` took 2.1 s of CPU under `--import tsx`, 1.2 s from the build; `--help` 0.56 s, 0.12 s).
 *
 * It is the same bundle users run (scripts/cli-bundle.mjs, which says why a bundle), into its own
 * folder `dist/cli/`, so a test run never replaces the launcher's `dist/app/` under a user.
 */

export { CLI_SOURCE };
export const CLI_BUILD_DIR = path.join(REPO, "dist", "cli");
export const CLI_BUILD = path.join(CLI_BUILD_DIR, "main.mjs");

/** Set by the global set-up once the build is fresh; spawned workers inherit it. */
export const CLI_BUILD_ENV = "CONTOSO_TEST_CLI_BUILD";

export function buildCli(): Promise<string> {
  return bundleCli(CLI_BUILD_DIR);
}

/**
 * The node arguments that start the CLI: the fresh build when this test run made one, otherwise
 * the sources through tsx (a test file run by some other means than `.mocharc.json`).
 */
export function cliEntryArgs(): string[] {
  const built = process.env[CLI_BUILD_ENV];
  if (built && existsSync(built)) return [...CLI_NODE_OPTIONS, built];
  return [...CLI_NODE_OPTIONS, "--import", "tsx", CLI_SOURCE];
}

/**
 * A larger young generation for the spawned CLIs. An offline release evaluates the programs under
 * Pulumi's mocks a dozen times and keeps much of what it allocates for a while, so with V8's
 * default semi-space (16 MB) a prod release ran 190 scavenges, 2.9 s of its 9.6 s of CPU; with
 * 64 MB, 58 scavenges and 2.1 s (measured with --trace-gc). It changes no behaviour.
 */
export const CLI_NODE_OPTIONS = ["--max-semi-space-size=64"];
