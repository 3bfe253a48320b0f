import { decide, onRepeatedFailure, type ReleasePlan } from "./decide.js";
import { checkDestroy, checkDropRetained, checkOnlyLiveServes, checkOriginUpdate, checkServingRegions, InvariantError, type InvariantViolation } from "./invariants.js";
import { TurnBackRequested } from "./interruption.js";
import type { Action, RunMemory, World } from "./model.js";

/**
 * The reconcile loop: observe → decide (pure) → act, until the release is done, rolled back or
 * blocked. The loop holds no progress of its own beyond `RunMemory` (which bake this run finished),
 * so killing it anywhere and running it again ends in the same place.
 */

export type ReleaseOutcome = "released" | "rolled-back" | "aborted" | "undone";

export type ActionResult = { ok: true } | { ok: false; unhealthy: string };

/** The reconciler's edges; the real ones talk to an engine and HTTP, the tests' to a simulation. */
export interface ReleasePorts {
  observe(): Promise<World>;
  /** Carries out one action. Throws when the operation fails (it will be retried); a bake or gate that sees an unhealthy stamp returns `{ok: false}`. */
  execute(action: Action, world: World): Promise<ActionResult>;
  /** Named points between steps where fault injection may kill the process. */
  checkpoint(name: string): void | Promise<void>;
  emit(event: ReconcilerEvent): void;
  /** The interruption (SIGTERM, Ctrl-C) once one happened: the loop stops where it is, recording nothing more. */
  interruption?(): Error | undefined;
}

export type ReconcilerEvent =
  | { type: "observed"; world: World }
  | { type: "action"; action: Action }
  | { type: "action-done"; action: Action; result: ActionResult; durationMs: number }
  | { type: "action-failed"; action: Action; error: string; attempt: number; willRetry: boolean };

export interface ReconcileOptions {
  /** Attempts per action before a rollout turns into a rollback (or a rollback stops for an operator). */
  maxAttempts?: number;
  /** A bound on actions per run: a loop that does not converge is a bug, stopped loudly. */
  maxActions?: number;
  /** Waits before retry number `attempt` (1-based), so a conflict that clears in seconds does not use up every attempt. */
  beforeRetry?: (attempt: number) => Promise<void>;
}

export class ReleaseBlockedError extends Error {
  override readonly name = "ReleaseBlockedError";
  readonly exitCode = 1;
}

export async function reconcile(plan: ReleasePlan, ports: ReleasePorts, options: ReconcileOptions = {}): Promise<ReleaseOutcome> {
  const maxAttempts = options.maxAttempts ?? 3;
  const maxActions = options.maxActions ?? 200;
  const memory: RunMemory = { bakedStep: null };
  let failures = 0;

  const stopIfInterrupted = () => {
    const interrupted = ports.interruption?.();
    if (interrupted) throw interrupted;
  };
  // A pause waits for a person however long it takes: its rounds do not count toward the bound.
  for (let n = 0; n < maxActions; n++) {
    stopIfInterrupted();
    const world = await ports.observe();
    ports.emit({ type: "observed", world });
    const action = decide(world, plan, memory);
    if (action.kind === "blocked") throw new ReleaseBlockedError(`release blocked: ${action.reason}`);
    if (action.kind === "pause") n--;
    guard(action, world);
    ports.emit({ type: "action", action });
    await ports.checkpoint(`before:${action.kind}`);
    const started = Date.now();
    let result: ActionResult;
    try {
      result = await ports.execute(action, world);
    } catch (err) {
      if (err instanceof InvariantError) throw err;
      // An interrupted action neither failed nor passed: stop here, and `release resume` redoes it.
      stopIfInterrupted();
      // An abort asked for by another process stopped a bake or gate: observe again, now turned back.
      if (err instanceof TurnBackRequested) continue;
      failures += 1;
      const message = err instanceof Error ? err.message : String(err);
      const willRetry = failures < maxAttempts;
      ports.emit({ type: "action-failed", action, error: message, attempt: failures, willRetry });
      if (willRetry) {
        await options.beforeRetry?.(failures);
        continue;
      }
      if (onRepeatedFailure(world, action) === "stop") throw err;
      failures = 0;
      await rollBack(ports, world, `${action.kind} failed ${maxAttempts} times: ${message}`);
      continue;
    }
    failures = 0;
    stopIfInterrupted();
    ports.emit({ type: "action-done", action, result, durationMs: Date.now() - started });
    await ports.checkpoint(`after:${action.kind}`);

    if (action.kind === "finish") return action.outcome;
    if (!result.ok) {
      await rollBack(ports, world, result.unhealthy);
      continue;
    }
    if (action.kind === "bake") memory.bakedStep = action.step;
  }
  throw new Error(`the release did not converge within ${maxActions} actions (a bug: please report the event log)`);
}

/** Turns a failing rollout into a rollback: the decision is the loop's policy, recorded like any action. */
async function rollBack(ports: ReleasePorts, world: World, reason: string): Promise<void> {
  const action: Action = { kind: "begin-rollback", reason };
  ports.emit({ type: "action", action });
  await ports.execute(action, world);
}

/** Refuses, before acting, any step that would break an invariant of DESIGN.md. */
export function guard(action: Action, world: World): void {
  const previous = world.global.origins;
  const violations: InvariantViolation[] = [];
  switch (action.kind) {
    case "shift":
    case "expose":
      violations.push(...checkOriginUpdate(action.origins, previous, world.stamps));
      break;
    case "promote":
      violations.push(...checkOriginUpdate(action.origins, previous, world.stamps), ...checkOnlyLiveServes(action.origins, action.liveRelease));
      break;
    case "restore-blue":
      violations.push(...checkOriginUpdate(action.origins, previous, world.stamps, world.intent?.blueRelease === null));
      // Going back after promotion must not lose a region that served.
      if (world.intent?.mode === "undo") violations.push(...checkServingRegions(action.origins, previous));
      break;
    case "drop-retained":
      violations.push(...checkOriginUpdate(action.origins, previous, world.stamps), ...checkDropRetained(action.release, action.origins, previous));
      break;
    case "retain-blue":
      if (world.global.liveRelease !== action.from) violations.push({ invariant: "retained stamps take no traffic", detail: `${action.release} can be retained only once ${action.from} is live` });
      violations.push(...checkOnlyLiveServes(previous, action.from));
      break;
    case "destroy-stamps":
      violations.push(...action.stacks.flatMap((s) => checkDestroy(s, previous)));
      break;
    default:
      break;
  }
  if (violations.length > 0) throw new InvariantError(violations);
}
