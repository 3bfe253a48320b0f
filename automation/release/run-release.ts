import { setTimeout as sleep } from "node:timers/promises";
import { InputError, type Environment } from "../../environments/index.js";
import { globalStackName, validateRelease } from "../../environments/stacks.js";
import type { Engine } from "../engine/port.js";
import { describeHolder } from "../offline/stack-lock.js";
import { globalStack } from "../stacks/global-stack.js";
import { validateImage } from "../stacks/inputs.js";
import { destroyStack } from "../stacks/destroy-stack.js";
import { armKillSwitch } from "../stacks/kill-switch.js";
import { stampStack } from "../stacks/stamp-stack.js";
import { GATE_TAG, intentToTags, promotionToTag } from "./intent-tags.js";
import { highestStepReached } from "./decide.js";
import { greenShare } from "./weights.js";
import type { ReleaseIntent, World } from "./model.js";
import { enginePorts, observeWorld, type ProgressEvent, type ReleaseTiming, type StackOps } from "./ports.js";
import type { HostResolver } from "./probe.js";
import { reconcile, type ReconcilerEvent, type ReleaseOutcome } from "./reconciler.js";
import { checkpointWhileHeld } from "./held-lock.js";
import { acquireReleaseLock, ReleaseBusyError } from "./release-lock.js";

/**
 * `release start | resume | abort`: the commands around the reconciler. Each takes the
 * environment's release lock, records or reads the intent on the global stack, and reconciles.
 */

export type ReleaseEvent =
  | ReconcilerEvent
  | ProgressEvent
  | { type: "lock-recovered"; from: string }
  | { type: "note"; message: string }
  | { type: "warning"; message: string };

export interface ReleaseContext {
  engine: Engine;
  env: Environment;
  resolve: HostResolver;
  timing: ReleaseTiming;
  checkpoint: (name: string) => void | Promise<void>;
  onEvent: (event: ReleaseEvent) => void;
  probeAllowList?: string[];
  /** Called after every stack change (the offline stamps' server re-reads the stacks). */
  afterStackChange?: () => Promise<void>;
  signal?: AbortSignal;
}

export interface ReleaseSummary {
  env: string;
  release: string | null;
  outcome: ReleaseOutcome | "nothing-to-do" | "abort-requested" | "promote-requested";
  liveRelease: string | null;
  reason?: string;
}

/** Stack operations of a release, through the engine and the stack glue (automation/stacks). */
export function engineStackOps(ctx: Pick<ReleaseContext, "engine" | "env" | "probeAllowList" | "onEvent" | "afterStackChange">): StackOps {
  const { engine, env } = ctx;
  const changed = async () => ctx.afterStackChange?.();
  return {
    async deployStamp(region, release, image, signal) {
      const plan = await stampStack(engine, env, { region, release, image, probeAllowList: ctx.probeAllowList ?? [] });
      // A (re)deployed stamp must pass its gate again.
      plan.tags = { ...(plan.tags ?? {}), [GATE_TAG]: "pending" };
      const result = await engine.up(plan, signal ? { signal } : {});
      // Before the gate: a stamp whose switch is missing reports Unhealthy.
      await armKillSwitch(engine, env.name, result);
      await changed();
      ctx.onEvent({ type: "stamp-deployed", stack: plan.stack });
    },
    async updateGlobal(origins, liveRelease, signal) {
      const plan = await globalStack(engine, env, { origins, liveRelease });
      await engine.up(plan, signal ? { signal } : {});
      await changed();
    },
    async destroyStamp(stack, signal) {
      await destroyStack(engine, stack, {
        ...(signal ? { signal } : {}),
        // A kill-switch blob that could not be deleted is worth a line, not a failed release.
        onEvent: (e) => {
          if (e.type === "log" && e.level === "warning") ctx.onEvent({ type: "warning", message: `${e.stack}: ${e.message}` });
        },
      });
      await changed();
    },
  };
}

/** Exponential backoff between attempts of a failed action: 10 s, 20 s, ... at most 2 min (scaled offline). */
export function retryDelayMs(attempt: number, scale: number): number {
  return Math.round(Math.min(120_000, 10_000 * 2 ** (attempt - 1)) * scale);
}

/**
 * Runs `work` holding the environment's release lock, with a context whose checkpoint (called
 * before and after every action) stops the run once the lock is lost.
 */
async function withLock<T>(ctx: ReleaseContext, work: (locked: ReleaseContext) => Promise<T>): Promise<T> {
  const lock = await acquireReleaseLock(ctx.engine, ctx.env.name, { onWarning: (message) => ctx.onEvent({ type: "warning", message }) });
  if (lock.recoveredFrom) {
    ctx.onEvent({ type: "lock-recovered", from: describeHolder(lock.recoveredFrom) });
  }
  try {
    return await work({ ...ctx, checkpoint: checkpointWhileHeld(lock, ctx.checkpoint) });
  } finally {
    await lock.release();
  }
}

async function drive(ctx: ReleaseContext, world: World): Promise<ReleaseSummary> {
  // The rollback reason is cleared from the global stack when the rollback finishes; keep it for the summary.
  let reason = world.intent!.reason;
  const onEvent = (e: ReleaseEvent) => {
    if (e.type === "action" && e.action.kind === "begin-rollback") reason = e.action.reason;
    ctx.onEvent(e);
  };
  const ops = engineStackOps({ ...ctx, onEvent });
  const ports = enginePorts({ ...ctx, ops, onEvent });
  const outcome = await reconcile({ regions: ctx.env.regions, steps: ctx.env.release.steps, pauseBefore: ctx.env.release.pauseBefore }, ports, {
    beforeRetry: (attempt) => sleep(retryDelayMs(attempt, ctx.timing.scale)),
  });
  const after = await observeWorld(ctx.engine, ctx.env.name);
  return {
    env: ctx.env.name,
    release: world.intent!.release,
    outcome,
    liveRelease: after.global.liveRelease,
    ...(outcome !== "released" && reason ? { reason } : {}),
  };
}

export async function startRelease(
  ctx: ReleaseContext,
  request: { release: string; image: string; keepFailed: boolean; autoPromote?: boolean },
): Promise<ReleaseSummary> {
  validateRelease(request.release);
  validateImage(request.image);
  return withLock(ctx, async (locked) => {
    const world = await observeWorld(ctx.engine, ctx.env.name);
    if (!world.global.exists) {
      throw new InputError(`the global stack ${globalStackName(ctx.env.name)} is not deployed: run "contoso global up --env ${ctx.env.name}" first`);
    }
    if (world.intent) {
      throw new ReleaseBusyError(
        `release ${world.intent.release} of ${ctx.env.name} is unfinished (${world.intent.mode}): run "contoso release resume --env ${ctx.env.name}" or "contoso release abort --env ${ctx.env.name}"`,
      );
    }
    if (world.global.liveRelease === request.release) {
      throw new InputError(`release ${request.release} is already live in ${ctx.env.name}`);
    }
    const intent: ReleaseIntent = {
      release: request.release,
      image: request.image,
      mode: "rollout",
      blueRelease: world.global.liveRelease,
      keepFailed: request.keepFailed,
      startedAt: new Date().toISOString(),
      ...(request.autoPromote ? { autoPromote: true } : {}),
    };
    await ctx.engine.setTags(globalStackName(ctx.env.name), intentToTags(intent));
    return drive(locked, { ...world, intent });
  });
}

export async function resumeRelease(ctx: ReleaseContext): Promise<ReleaseSummary> {
  return withLock(ctx, async (locked) => {
    const world = await observeWorld(ctx.engine, ctx.env.name);
    if (!world.intent) {
      return { env: ctx.env.name, release: null, outcome: "nothing-to-do", liveRelease: world.global.liveRelease };
    }
    return drive(locked, world);
  });
}

/**
 * Drives back to blue. When another live process holds the release, the request is recorded on the
 * global stack and that process turns back at its next step.
 */
export async function abortRelease(ctx: ReleaseContext, request: { keepFailed?: boolean } = {}): Promise<ReleaseSummary> {
  const requestAbort = async (world: World): Promise<World> => {
    const intent = world.intent!;
    if (world.global.liveRelease === intent.release && intent.mode === "rollout") {
      throw new InputError(`release ${intent.release} is already promoted in ${ctx.env.name}; release the previous version again instead of aborting`);
    }
    const next: ReleaseIntent = { ...intent, mode: "abort", reason: "aborted by an operator", keepFailed: request.keepFailed ?? intent.keepFailed };
    await ctx.engine.setTags(globalStackName(ctx.env.name), intentToTags(next));
    return { ...world, intent: next };
  };
  try {
    return await withLock(ctx, async (locked) => {
      const world = await observeWorld(ctx.engine, ctx.env.name);
      if (!world.intent) return { env: ctx.env.name, release: null, outcome: "nothing-to-do", liveRelease: world.global.liveRelease };
      return drive(locked, await requestAbort(world));
    });
  } catch (err) {
    if (!(err instanceof ReleaseBusyError)) throw err;
    const world = await observeWorld(ctx.engine, ctx.env.name);
    if (!world.intent) throw err;
    await requestAbort(world);
    ctx.onEvent({ type: "note", message: `${err.message.split(";")[0]}: asked it to turn back at its next step` });
    return { env: ctx.env.name, release: world.intent.release, outcome: "abort-requested", liveRelease: world.global.liveRelease };
  }
}

/**
 * `release promote [--full]`: approves the next pause of a running rollout (or, with `full`, every
 * remaining step). A request, not a change of traffic: it writes one tag of the global stack that
 * only promote writes, and the process running the release reads it when it next observes the world
 * (at most one probe window later, see the reconciler's "pause" action), so no writer races it. If
 * no process runs the release, `release resume` continues from the recorded approval.
 */
export async function promoteRelease(ctx: Pick<ReleaseContext, "engine" | "env">, request: { full: boolean }): Promise<ReleaseSummary & { promotion: string }> {
  const { engine, env } = ctx;
  const world = await observeWorld(engine, env.name);
  const intent = world.intent;
  if (!intent) throw new InputError(`no release in progress in ${env.name}: nothing to promote (live release ${world.global.liveRelease ?? "none"})`);
  if (intent.mode !== "rollout") throw new InputError(`release ${intent.release} of ${env.name} is ${intent.mode === "abort" ? "being aborted" : "rolling back"}: there is nothing to promote`);
  if (world.global.liveRelease === intent.release) throw new InputError(`release ${intent.release} is already promoted in ${env.name}`);
  let through: number | undefined;
  if (!request.full) {
    const share = world.global.origins.some((o) => o.release === intent.release && o.enabled) ? greenShare(world.global.origins, intent.release) : 0;
    const reached = highestStepReached(env.release.steps, share);
    through = env.release.pauseBefore.find((p) => p > reached);
    if (through === undefined) {
      throw new InputError(`release ${intent.release} of ${env.name} has no pause ahead: nothing to approve (--full skips the remaining steps)`);
    }
  }
  const promotion = through === undefined ? ({ full: true } as const) : { through };
  // Written, then read back: a writer that rewrote the global stack's tags from an older copy at the
  // same moment would drop the request silently, so it is written again until it is seen (a lost
  // update detected rather than assumed away).
  for (let attempt = 1; ; attempt++) {
    await engine.setTags(globalStackName(env.name), promotionToTag(intent.release, promotion));
    const seen = (await observeWorld(engine, env.name)).intent;
    if (seen?.release !== intent.release || JSON.stringify(seen.promotion) === JSON.stringify(promotion)) break;
    if (attempt === 5) throw new Error(`the promotion of ${intent.release} did not stick on ${globalStackName(env.name)} after 5 writes: another writer keeps replacing its tags`);
  }
  return {
    env: env.name,
    release: intent.release,
    outcome: "promote-requested",
    liveRelease: world.global.liveRelease,
    promotion: through === undefined ? "every remaining step" : `the pause before ${env.release.steps[through]}%`,
  };
}
