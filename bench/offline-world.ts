import { mkdir, mkdtemp, rm } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import type { Environment } from "../environments/index.js";
import type { Engine } from "../automation/engine/port.js";
import { OfflineEngine } from "../automation/offline/offline-engine.js";
import { openReleaseSession } from "../automation/release/session.js";
import { SHOP_REPOSITORY } from "../automation/images/image-ref.js";
import { imageRegistryFor } from "../automation/images/select-registry.js";
import { startRelease, type ReleaseEvent, type ReleaseSummary } from "../automation/release/run-release.js";
import { currentGlobalOutputs, globalStack } from "../automation/stacks/global-stack.js";

/**
 * Offline worlds for the benchmark: a fresh state folder per scenario, with the environment's global
 * stack deployed and a first release live (the blue of the release that is measured). Setting a
 * world up is not measured, so it runs with no modelled Azure time at all.
 */

/** The fastest the release driver's waits go (its probe interval never drops below 50 ms). */
const SETUP_TIME_SCALE = 0.0001;

export const BLUE_RELEASE = "r1";

/**
 * The release's image, built into the environment's offline registry first (as `contoso image
 * build` does): a stamp whose image is not in its registry never starts.
 */
async function builtImage(engine: Engine, env: Environment, release: string): Promise<string> {
  const global = await currentGlobalOutputs(engine, env);
  if (!global) throw new Error(`${env.name} has no global stack: deploy it before releasing`);
  const registry = await imageRegistryFor(engine);
  const built = await registry.build({ registryName: global.registryName, loginServer: global.registryLoginServer, repository: SHOP_REPOSITORY, tag: release });
  return built.image;
}

export async function benchRoot(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "contoso-bench-"));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * An engine on `stateDir` whose operations take `modelled x scale`. The fault plan comes from the
 * state folder only: the benchmark's own process environment must not inject faults.
 */
export function benchEngine(stateDir: string, timeScale: number): OfflineEngine {
  return new OfflineEngine({ stateDir, timeScale, env: {} });
}

/** A state folder with `env`'s global stack deployed and release r1 live in every region. */
export async function worldWithBlue(root: string, label: string, env: Environment): Promise<string> {
  const stateDir = path.join(root, label);
  await mkdir(stateDir, { recursive: true });
  const engine = benchEngine(stateDir, 0);
  await engine.up(await globalStack(engine, env, { origins: [], liveRelease: null }));
  const summary = await runRelease(engine, env, SETUP_TIME_SCALE, BLUE_RELEASE, () => {});
  if (summary.outcome !== "released") throw new Error(`setting up ${label}: the first release ended ${summary.outcome} (${summary.reason ?? "no reason"})`);
  return stateDir;
}

/** One `release start`, as the CLI runs it: a session (the offline stamps' loopback server) around the reconciler. */
export async function runRelease(
  engine: Engine,
  env: Environment,
  timeScale: number,
  release: string,
  onEvent: (e: ReleaseEvent) => void,
): Promise<ReleaseSummary> {
  const image = await builtImage(engine, env, release);
  const session = await openReleaseSession(engine, env, { timeScale, onEvent });
  try {
    return await startRelease(session.ctx, { release, image, keepFailed: false, autoPromote: true });
  } finally {
    await session.close();
  }
}
