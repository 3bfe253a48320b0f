import { faultPlanPath } from "../automation/offline/fault-plan.js";
import type { FaultPlan } from "../automation/offline/faults.js";
import { writeJsonAtomic } from "../automation/offline/state-files.js";
import { stampStackName } from "../environments/stacks.js";
import type { Environment } from "../environments/index.js";
import { timeRelease } from "./release-timing.js";

/**
 * Rollback time: a release is started on a world with a live blue release; once the first bake has
 * been running for `faultAfterMs`, one green stamp's Cosmos DB check is made to fail (the fault
 * plan file, which the offline stamps re-read on every check round). Measured from the moment the
 * fault file is in place to the moment the reconciler issues the global update that gives blue full
 * weight back (its `restore-blue` action).
 */

export interface RollbackTiming {
  outcome: string;
  /** Fault in place → restore-blue issued. */
  rollbackMs: number;
  /** The stamp that was broken. */
  stack: string;
  wallMs: number;
}

export async function timeRollback(options: {
  stateDir: string;
  env: Environment;
  release: string;
  timeScale: number;
  engineTimeScale: number;
  faultAfterMs: number;
}): Promise<RollbackTiming> {
  const stack = stampStackName(options.env.name, options.env.regions[0]!, options.release);
  let injected: Promise<number> | undefined;
  let restoreIssuedAt: number | undefined;
  const inject = async (): Promise<number> => {
    await new Promise((r) => setTimeout(r, options.faultAfterMs));
    const plan: FaultPlan = { stamps: [{ stack, component: "cosmos" }] };
    await writeJsonAtomic(faultPlanPath(options.stateDir), plan);
    return performance.now();
  };
  const run = await timeRelease({
    stateDir: options.stateDir,
    env: options.env,
    release: options.release,
    timeScale: options.timeScale,
    engineTimeScale: options.engineTimeScale,
    onEvent: (e) => {
      if (e.type !== "action") return;
      if (e.action.kind === "bake" && injected === undefined) injected = inject();
      if (e.action.kind === "restore-blue" && restoreIssuedAt === undefined) restoreIssuedAt = performance.now();
    },
  });
  if (injected === undefined) throw new Error(`the release never baked (${run.outcome}), so no fault was injected`);
  const faultAt = await injected;
  if (restoreIssuedAt === undefined) throw new Error(`the release ended ${run.outcome} without restoring blue after ${stack} broke`);
  return { outcome: run.outcome, rollbackMs: restoreIssuedAt - faultAt, stack, wallMs: run.wallMs };
}
