import * as os from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { InputError, type Environment } from "../../environments/index.js";
import { globalStackName, validateRelease } from "../../environments/stacks.js";
import type { Engine } from "../engine/port.js";
import { abortMailbox, type AbortMailbox } from "../lock/abort-request.js";
import { describeHolder } from "../lock/file-lock.js";
import { globalStack } from "../stacks/global-stack.js";
import { validateCidrs, validateImage } from "../stacks/inputs.js";
import { destroyStack } from "../stacks/destroy-stack.js";
import { stampStack } from "../stacks/stamp-stack.js";
import { GATE_TAG, intentToTags, promotionToTag } from "./intent-tags.js";
import { highestStepReached, releasePlanOf } from "./decide.js";
import { planUndo } from "./undo.js";
import { greenShare } from "./weights.js";
import type { ReleaseIntent, World } from "./model.js";
import { enginePorts, gateAndRecord, gateSettings, observeWorld, type ProgressEvent, type ReleaseTiming, type StackOps } from "./ports.js";
import { isPromoted } from "./decide.js";
import { interruptionOf, TurnBackRequested } from "./interruption.js";
import type { HostResolver } from "./probe.js";
import { reconcile, type ReconcilerEvent, type ReleaseOutcome } from "./reconciler.js";
import { checkpointWhileHeld } from "../lock/held-lock.js";
import { acquireEnvironmentLock, EnvironmentBusyError } from "../lock/environment-lock.js";

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
  /** The clock of records (a release's start, the end of an undo window); the system clock by default. */
  now?: () => Date;
}

export interface ReleaseSummary {
  env: string;
  release: string | null;
  outcome: ReleaseOutcome | "nothing-to-do" | "abort-requested" | "promoted-before-abort" | "promote-requested";
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
      // Nothing to arm: the kill switch is a drain marker that only an operator creates (stacks/kill-switch.ts).
      await engine.up(plan, signal ? { signal } : {});
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
        // A drain marker that could not be deleted is worth a line, not a failed release.
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
async function withLock<T>(ctx: ReleaseContext, purpose: "release" | "abort", work: (locked: ReleaseContext) => Promise<T>): Promise<T> {
  const lock = await acquireEnvironmentLock(ctx.engine, ctx.env.name, { purpose, onWarning: (message) => ctx.onEvent({ type: "warning", message }) });
  if (lock.recoveredFrom) {
    ctx.onEvent({ type: "lock-recovered", from: describeHolder(lock.recoveredFrom) });
  }
  try {
    return await work({ ...ctx, checkpoint: checkpointWhileHeld(lock, ctx.checkpoint) });
  } finally {
    await lock.release();
  }
}

/** Waits `ms`, or rejects with the interruption as soon as `signal` fires. */
async function interruptibleSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await sleep(ms, undefined, signal ? { signal } : {});
  } catch (err) {
    if (signal?.aborted) throw interruptionOf(signal);
    throw err;
  }
}

async function drive(ctx: ReleaseContext, world: World): Promise<ReleaseSummary> {
  // The rollback reason is cleared from the global stack when the rollback finishes; keep it for the summary.
  let reason = world.intent!.reason;
  const onEvent = (e: ReleaseEvent) => {
    if (e.type === "action" && e.action.kind === "begin-rollback") reason = e.action.reason;
    ctx.onEvent(e);
  };
  const mailbox = await abortMailbox(ctx.engine, ctx.env.name);
  const turnBack = watchForAbortRequests(mailbox, world.intent!.release, gateSettings(ctx.env, ctx.timing).intervalMs);
  try {
    const ops = engineStackOps({ ...ctx, onEvent });
    const base = enginePorts({
      ...ctx,
      ops,
      onEvent,
      waitSignal: () => (ctx.signal ? AbortSignal.any([ctx.signal, turnBack.signal()]) : turnBack.signal()),
    });
    const ports = {
      ...base,
      interruption: () => (ctx.signal?.aborted ? interruptionOf(ctx.signal) : undefined),
      // Every observation first takes in an abort asked for by another process, under our lock.
      observe: async () => {
        const observed = await base.observe();
        const turned = await applyAbortRequest(ctx, mailbox, observed);
        turnBack.listen(turned.intent?.mode === "rollout" && !isPromoted(turned));
        return turned;
      },
    };
    const outcome = await reconcile(releasePlanOf(ctx.env), ports, {
      beforeRetry: (attempt) => interruptibleSleep(retryDelayMs(attempt, ctx.timing.scale), ctx.signal),
    });
    const after = await observeWorld(ctx.engine, ctx.env.name);
    return {
      env: ctx.env.name,
      release: world.intent!.release,
      outcome,
      liveRelease: after.global.liveRelease,
      ...(outcome !== "released" && reason ? { reason } : {}),
    };
  } finally {
    turnBack.stop();
  }
}

/**
 * Polls the abort mailbox every probe interval while the release can still be turned back, and
 * fires `signal()` when a request for this release arrives: the running gate or bake stops at once.
 */
function watchForAbortRequests(mailbox: AbortMailbox, release: string, intervalMs: number) {
  let controller = new AbortController();
  let listening = false;
  const timer = setInterval(() => {
    if (!listening || controller.signal.aborted) return;
    void mailbox.read().then(
      (request) => {
        if (request?.release === release && listening) controller.abort(new TurnBackRequested(`abort of ${release} requested by ${request.by}`));
      },
      () => undefined,
    );
  }, intervalMs);
  timer.unref();
  return {
    signal: () => controller.signal,
    listen(on: boolean) {
      listening = on;
      // A request that was taken in leaves a fresh signal for the waits that follow.
      if (controller.signal.aborted) controller = new AbortController();
    },
    stop: () => clearInterval(timer),
  };
}

/** Turns the release back if another process asked for it, writing the release record under our lock. */
async function applyAbortRequest(ctx: ReleaseContext, mailbox: AbortMailbox, world: World): Promise<World> {
  const request = await mailbox.read();
  if (!request) return world;
  const intent = world.intent;
  if (intent && request.release === intent.release && intent.mode === "rollout") {
    if (isPromoted(world)) {
      ctx.onEvent({ type: "warning", message: `abort of ${intent.release} requested by ${request.by} came after promotion: the release finishes; release the previous version again to go back` });
    } else {
      await ctx.checkpoint("before:apply-abort-request");
      const next: ReleaseIntent = { ...intent, mode: "abort", reason: `aborted by an operator (${request.by})`, keepFailed: intent.keepFailed || request.keepFailed };
      await ctx.engine.setTags(globalStackName(ctx.env.name), intentToTags(next));
      ctx.onEvent({ type: "note", message: `abort of ${intent.release} requested by ${request.by}: turning back to ${intent.blueRelease ?? "no release"}` });
      await mailbox.clear();
      return { ...world, intent: next };
    }
  }
  // A request for another release (one that ended before it was read), or one already taken in.
  await mailbox.clear();
  return world;
}

export async function startRelease(
  ctx: ReleaseContext,
  request: { release: string; image: string; keepFailed: boolean; autoPromote?: boolean },
): Promise<ReleaseSummary> {
  validateRelease(request.release);
  validateImage(request.image);
  if (ctx.probeAllowList) validateCidrs(ctx.probeAllowList);
  return withLock(ctx, "release", async (locked) => {
    const world = await observeWorld(ctx.engine, ctx.env.name);
    if (!world.global.exists) {
      throw new InputError(`the global stack ${globalStackName(ctx.env.name)} is not deployed: run "contoso global up --env ${ctx.env.name}" first`);
    }
    if (world.intent) {
      throw new EnvironmentBusyError(
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
      startedAt: (ctx.now ?? (() => new Date()))().toISOString(),
      ...(request.autoPromote ? { autoPromote: true } : {}),
    };
    await ctx.engine.setTags(globalStackName(ctx.env.name), intentToTags(intent));
    return drive(locked, { ...world, intent });
  });
}

export async function resumeRelease(ctx: ReleaseContext): Promise<ReleaseSummary> {
  return withLock(ctx, "release", async (locked) => {
    const world = await observeWorld(ctx.engine, ctx.env.name);
    if (!world.intent) {
      return { env: ctx.env.name, release: null, outcome: "nothing-to-do", liveRelease: world.global.liveRelease };
    }
    return drive(locked, world);
  });
}

/**
 * Drives back to blue. When another live process holds the environment (the running release), the
 * request is left in the abort mailbox beside the lock (abort-request.ts) and that process turns
 * back within one probe interval, writing the release record under its own lock: nothing written
 * here races it. With `wait`, returns once the environment is back on blue (or the release ended).
 */
export async function abortRelease(ctx: ReleaseContext, request: { keepFailed?: boolean; wait?: boolean } = {}): Promise<ReleaseSummary> {
  const turnBack = async (world: World): Promise<World> => {
    const intent = world.intent!;
    if (isPromoted(world) && intent.mode === "rollout") {
      throw new InputError(`release ${intent.release} is already promoted in ${ctx.env.name}; release the previous version again instead of aborting`);
    }
    if (intent.mode === "undo") {
      throw new InputError(`an undo of ${intent.release} is in progress in ${ctx.env.name}: it cannot be aborted, finish it with "contoso release resume --env ${ctx.env.name}"`);
    }
    const next: ReleaseIntent = { ...intent, mode: "abort", reason: "aborted by an operator", keepFailed: request.keepFailed ?? intent.keepFailed };
    await ctx.engine.setTags(globalStackName(ctx.env.name), intentToTags(next));
    return { ...world, intent: next };
  };
  const abortHolding = (expected: { release: string; blueRelease: string | null } | null) =>
    withLock(ctx, "abort", async (locked): Promise<ReleaseSummary> => {
      const world = await observeWorld(ctx.engine, ctx.env.name);
      if (world.intent) return drive(locked, await turnBack(world));
      // Nothing in progress. After a request we waited on, say how the release ended.
      if (expected && world.global.liveRelease === expected.release) {
        return { env: ctx.env.name, release: expected.release, outcome: "promoted-before-abort", liveRelease: world.global.liveRelease };
      }
      return { env: ctx.env.name, release: expected?.release ?? null, outcome: expected ? "aborted" : "nothing-to-do", liveRelease: world.global.liveRelease };
    });
  try {
    return await abortHolding(null);
  } catch (err) {
    if (!(err instanceof EnvironmentBusyError)) throw err;
    // Read-only from here on: the holder changes the environment, we only leave it a request.
    const world = await observeWorld(ctx.engine, ctx.env.name);
    if (!world.intent) throw err;
    const intent = world.intent;
    if (isPromoted(world) && intent.mode === "rollout") {
      throw new InputError(`release ${intent.release} is already promoted in ${ctx.env.name}; release the previous version again instead of aborting`);
    }
    // The running process only takes in an abort of a rollout: an undo would drop the request silently.
    if (intent.mode === "undo") {
      throw new InputError(`an undo of ${intent.release} is in progress in ${ctx.env.name}: it cannot be aborted; it ends on ${intent.blueRelease ?? "the previous release"}`);
    }
    const mailbox = await abortMailbox(ctx.engine, ctx.env.name);
    await mailbox.post({ release: intent.release, keepFailed: request.keepFailed ?? false, requestedAt: new Date().toISOString(), by: `pid ${process.pid} on ${os.hostname()}` });
    ctx.onEvent({ type: "note", message: `${err.message.split(";")[0]}: asked it to turn back within one probe interval (request in ${mailbox.where})` });
    if (!request.wait) return { env: ctx.env.name, release: intent.release, outcome: "abort-requested", liveRelease: world.global.liveRelease };
    // Wait for the holder to let go, then finish whatever is left ourselves (nothing, when it turned back).
    const pollMs = gateSettings(ctx.env, ctx.timing).intervalMs;
    for (;;) {
      await interruptibleSleep(pollMs, ctx.signal);
      try {
        return await abortHolding({ release: intent.release, blueRelease: intent.blueRelease });
      } catch (retry) {
        if (!(retry instanceof EnvironmentBusyError)) throw retry;
      }
    }
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
  if (intent.mode !== "rollout") {
    const doing = intent.mode === "abort" ? "being aborted" : intent.mode === "undo" ? "being undone" : "rolling back";
    throw new InputError(`release ${intent.release} of ${env.name} is ${doing}: there is nothing to promote`);
  }
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

/**
 * `release undo`: the retained previous release serves again, without redeploying anything. Under
 * the environment's lock for the whole read-decide-write: observe, check the window and the
 * retained stamps (undo.ts; a refusal changes nothing), check their health through their stamp
 * endpoints (k of n, as a gate: they sat without traffic for up to the window), then record the
 * undo and reconcile it — one global update (blue's origins enabled at their recorded weights, the
 * undone release's removed), then the undone release's stamps destroyed, as after a rollback. A
 * crash after the record is finished by `release resume`.
 */
export async function undoRelease(ctx: ReleaseContext, request: { now: Date }): Promise<ReleaseSummary> {
  return withLock(ctx, "release", async (locked) => {
    const world = await observeWorld(ctx.engine, ctx.env.name);
    const plan = planUndo(world, request.now);
    const settings = gateSettings(ctx.env, ctx.timing);
    const targets = plan.stamps.map((s) => ({ stack: s.stack, hostName: s.probeHostName!, release: s.release }));
    ctx.onEvent({ type: "note", message: `undo ${plan.undone}: checking the health of ${plan.retained}'s retained stamps (window until ${plan.until})` });
    await locked.checkpoint("before:undo-gate");
    const verdicts = await gateAndRecord(ctx.engine, targets, settings.deadlineMs, {
      settings,
      resolve: ctx.resolve,
      path: ctx.env.originHealthProbe.path,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      onProbe: (stack, result) => ctx.onEvent({ type: "probe", stack, result }),
    });
    for (const verdict of verdicts) ctx.onEvent({ type: "gate-verdict", verdict });
    if (ctx.signal?.aborted) throw interruptionOf(ctx.signal);
    const sick = verdicts.filter((v) => !v.passed);
    if (sick.length > 0) {
      throw Object.assign(new Error(`cannot undo in ${ctx.env.name}: the retained stamps ${sick.map((v) => `${v.stack} (${v.reason ?? "unhealthy"})`).join(", ")} did not pass the health gate; traffic was not changed, ${plan.undone} still serves`), { exitCode: 1 });
    }
    const image = (await ctx.engine.outputs(plan.stamps[0]!.stack))?.["image"];
    const intent: ReleaseIntent = {
      release: plan.undone,
      image: typeof image === "string" && image !== "" ? image : "unknown",
      mode: "undo",
      blueRelease: plan.retained,
      keepFailed: false,
      startedAt: request.now.toISOString(),
    };
    await locked.checkpoint("before:record-undo");
    await ctx.engine.setTags(globalStackName(ctx.env.name), intentToTags(intent));
    return drive(locked, { ...world, intent });
  });
}
