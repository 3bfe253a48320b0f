import type { Context } from "mocha";
import { buildCli, CLI_BUILD_ENV, removeCliBuild } from "./cli-build.js";
import { closeLeaked, leakedAfterGrace, snapshot, type OpenSnapshot } from "./open-handles.js";

/**
 * Loaded by `.mocharc.json` for every run, parallel or not.
 *
 * Global set-up (once per run, in mocha's main process, before any worker starts): compile the
 * CLI once, so every test that spawns it starts from the build instead of transpiling again.
 *
 * Root hooks (in parallel mode, once per test file): a file that leaves a server, socket, child
 * process or ref'd timer open fails, naming the file and what it left, instead of hanging CI (the
 * run also has `--exit`, which alone would hide the leak).
 */

export async function mochaGlobalSetup(): Promise<void> {
  process.env[CLI_BUILD_ENV] = await buildCli();
}

export function mochaGlobalTeardown(): void {
  removeCliBuild();
}

let before: OpenSnapshot | undefined;

function fileOf(ctx: Context): string {
  const root = ctx.test?.parent;
  const file = root?.file ?? root?.suites.find((s) => s.file)?.file;
  return file ? file.replace(`${process.cwd()}/`, "") : "this test run";
}

export const mochaHooks = {
  beforeAll(): void {
    before = snapshot();
  },
  async afterAll(this: Context): Promise<void> {
    if (!before) return;
    // No mocha timer for this hook (it would count as an open timer); the grace below is bounded.
    this.timeout(0);
    const leaked = await leakedAfterGrace(before);
    if (leaked.length > 0) {
      closeLeaked(before);
      throw new Error(`${fileOf(this)} left open after its tests: ${leaked.join("; ")} (close it in an after/afterEach hook)`);
    }
  },
};
