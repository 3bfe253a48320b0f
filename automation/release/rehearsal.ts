import { writeFile } from "node:fs/promises";
import { REPO_ROOT } from "../offline/state-dir.js";
import { freshRehearsalDir } from "./rehearsal-folder.js";
import * as path from "node:path";
import type { Environment } from "../../environments/index.js";
import { parseStackName } from "../../environments/stacks.js";
import { faultPlanPath } from "../offline/fault-plan.js";
import { OfflineEngine } from "../offline/offline-engine.js";
import { globalStack } from "../stacks/global-stack.js";
import { SHOP_REPOSITORY } from "../images/image-ref.js";
import { OfflineImageRegistry } from "../images/offline-image-registry.js";
import { requireImageInRegistry } from "../images/require-image.js";
import { observeWorld } from "./ports.js";
import { promoteRelease, startRelease, type ReleaseEvent, type ReleaseSummary } from "./run-release.js";
import { openReleaseSession } from "./session.js";
import { releaseStatus, type ReleaseStatus } from "./status.js";

/**
 * The main job offline (`npm start`): a whole blue/green release of an environment on the offline
 * engine, the stamps answering the health contract over loopback HTTP, then a second release with
 * one green region turning unhealthy during a bake, which must end rolled back. Nothing here is
 * staged: the same reconciler, gate and engine a pipeline uses, against a fresh state folder.
 */
export interface RehearsalOptions {
  env: Environment;
  stateDir: string;
  timeScale: number;
  /** Called with a headline per act and each release event. */
  onEvent: (e: ReleaseEvent | { type: "act"; title: string }) => void;
  signal?: AbortSignal;
}

export interface RehearsalResult {
  ok: boolean;
  acts: { title: string; expected: string; got: string; ok: boolean }[];
  status: ReleaseStatus;
}

export async function rehearse(options: RehearsalOptions): Promise<RehearsalResult> {
  const { env } = options;
  await freshRehearsalDir(options.stateDir, [process.cwd(), REPO_ROOT], defaultRehearsalDir(REPO_ROOT));
  const engine = new OfflineEngine({ stateDir: options.stateDir, timeScale: options.timeScale, env: { ...process.env, CONTOSO_OFFLINE_FAULTS: "" } });
  const act = (title: string) => options.onEvent({ type: "act", title });
  const sick = env.regions[Math.min(1, env.regions.length - 1)]!;
  const sickStep = Math.min(1, env.release.steps.length - 1);
  let faultWritten = false;
  let promoted = false;

  const session = await openReleaseSession(engine, env, {
    timeScale: options.timeScale,
    ...(options.signal ? { signal: options.signal } : {}),
    onEvent: (e) => {
      options.onEvent(e);
      // Act 2's approval: an operator runs `release promote` once r2 pauses (as a second command would).
      if (e.type === "action" && e.action.kind === "pause" && !promoted) {
        promoted = true;
        void promoteRelease({ engine, env }, { full: false }).then(
          (p) => options.onEvent({ type: "note", message: `an operator ran "contoso release promote --env ${env.name}": approved ${p.promotion}` }),
          (err: Error) => options.onEvent({ type: "warning", message: `release promote failed: ${err.message}` }),
        );
      }
      // Act 3's fault: the green stamp in one region fails its Cosmos DB check once the chosen bake starts.
      if (armed && !faultWritten && e.type === "action" && e.action.kind === "bake" && e.action.step === sickStep) {
        faultWritten = true;
        const stack = e.action.stacks.find((s) => parseStackName(s).kind === "stamp" && (parseStackName(s) as { region: string }).region === sick)!;
        void writeFile(faultPlanPath(options.stateDir), JSON.stringify({ stamps: [{ stack, component: "cosmos" }] }));
      }
    },
  });
  let armed = false;
  const acts: RehearsalResult["acts"] = [];
  const record = (title: string, expected: ReleaseSummary["outcome"], summary: ReleaseSummary) =>
    acts.push({ title, expected, got: summary.outcome, ok: summary.outcome === expected });
  try {
    act(`1/4 global stack of ${env.name}: Front Door, Cosmos DB, registry, monitoring`);
    const globalUp = await engine.up(await globalStack(engine, env), options.signal ? { signal: options.signal } : {});
    await session.ctx.afterStackChange?.();

    // A release ships an image that is already in the environment's own registry (the CLI refuses
    // any other): build r1-r3 first, as `contoso image build` does on the offline engine.
    const global = { registryName: String(globalUp.outputs["registryName"]), registryLoginServer: String(globalUp.outputs["registryLoginServer"]) };
    const registry = new OfflineImageRegistry(engine.stateDir);
    const images: Record<string, string> = {};
    for (const release of ["r1", "r2", "r3"]) {
      const built = await registry.build({ registryName: global.registryName, loginServer: global.registryLoginServer, repository: SHOP_REPOSITORY, tag: release });
      await requireImageInRegistry(env, global, built.image, registry);
      images[release] = `${built.image} (${built.digest.slice(0, 19)}…)`;
    }
    act(`2/4 images of workload/ built into ${env.name}'s own registry (ACR Tasks, offline): ${Object.values(images).join(", ")}`);
    const imageOf = (release: string) => images[release]!.split(" ", 1)[0]!;

    const stepsShown = env.release.steps.map((s, i) => (env.release.pauseBefore.includes(i) ? `pause → ${s}` : String(s))).join(" → ");
    act(`3/4 first release r1 (nothing to switch from), then r2 blue/green through ${stepsShown} %, promoted by an operator at the pause`);
    record("release r1", "released", await startRelease(session.ctx, { release: "r1", image: imageOf("r1"), keepFailed: false }));
    record("release r2", "released", await startRelease(session.ctx, { release: "r2", image: imageOf("r2"), keepFailed: false }));

    act(`4/4 release r3 with ${sick} turning unhealthy during the ${env.release.steps[sickStep]} % bake: must roll back to r2`);
    armed = true;
    record("release r3 (unhealthy green)", "rolled-back", await startRelease(session.ctx, { release: "r3", image: imageOf("r3"), keepFailed: false, autoPromote: true }));

    await session.ready();
    const status = await releaseStatus(await observeWorld(engine, env.name), env, session.ctx.resolve, 5_000);
    const liveOk = status.liveRelease === "r2" && status.origins.every((o) => o.release === "r2" && o.enabled && o.weight === 1000);
    acts.push({ title: "after the rollback", expected: "r2 live at full weight", got: `${status.liveRelease ?? "none"} live (${status.origins.length} origins)`, ok: liveOk });
    return { ok: acts.every((a) => a.ok), acts, status };
  } finally {
    await session.close();
  }
}

export function defaultRehearsalDir(repoRoot: string): string {
  return path.join(repoRoot, ".contoso", "rehearsal");
}
