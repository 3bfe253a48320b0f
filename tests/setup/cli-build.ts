import { existsSync, readdirSync, rmSync } from "node:fs";
import * as path from "node:path";
import { bundleCli, CLI_SOURCE, REPO } from "../../scripts/cli-bundle.mjs";

/**
 * The `contoso` CLI compiled once per test run, so the hundreds of spawns of the CLI tests do not
 * each transpile the sources through tsx's loader hooks (half of a spawn's CPU went there: a
 * `global up` took 2.1 s of CPU under `--import tsx`, 1.2 s from the build; `--help` 0.56 s, 0.12 s).
 *
 * It is the same bundle users run (scripts/cli-bundle.mjs, which says why a bundle), into a
 * folder of the run's own, so a test run never replaces the launcher's `dist/app/` under a user.
 */

export { CLI_SOURCE };

/**
 * Each test run builds into its own folder, `dist/cli-<pid>/`, and removes it when it ends: a
 * second run started beside it (one test file while the suite runs) never deletes the build the
 * first one's CLIs are starting from. Folders of runs that died are removed by the next run.
 */
const BUILDS = path.join(REPO, "dist");
const PREFIX = "cli-";
export const CLI_BUILD_DIR = path.join(BUILDS, `${PREFIX}${process.pid}`);

/** Set by the global set-up once the build is fresh; spawned workers inherit it. */
export const CLI_BUILD_ENV = "CONTOSO_TEST_CLI_BUILD";

export function buildCli(): Promise<string> {
  removeBuildsOfDeadRuns();
  return bundleCli(CLI_BUILD_DIR);
}

export function removeCliBuild(): void {
  rmSync(CLI_BUILD_DIR, { recursive: true, force: true });
}

function removeBuildsOfDeadRuns(): void {
  let names: string[];
  try {
    names = readdirSync(BUILDS);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(name.slice(PREFIX.length));
    if (!name.startsWith(PREFIX) || !Number.isInteger(pid) || pid <= 0 || alive(pid)) continue;
    rmSync(path.join(BUILDS, name), { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
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
