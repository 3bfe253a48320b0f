import type { OriginSpec } from "../../global/contract.js";
import type { Environment } from "../../environments/index.js";
import type { Action, ObservedStamp, ReleaseIntent, Retention, RunMemory, World } from "./model.js";
import { FULL_WEIGHT, greenShare, originFor, originsForShare } from "./weights.js";

/** The parts of an environment the decision needs. */
export interface ReleasePlan {
  regions: string[];
  /** Percent of traffic on green after each step; strictly increasing, ending at 100. */
  steps: number[];
  /** Indices of the steps a pause precedes: the release waits there for `release promote`. */
  pauseBefore?: number[];
  /**
   * The environment's `blueRetention` in ms: after promotion blue's stamps stay deployed, origins
   * disabled, for this long so that `release undo` can bring them back (0 or absent: destroyed at once).
   */
  blueRetentionMs?: number;
}

/** The decision's view of an environment definition. */
export function releasePlanOf(env: Environment): ReleasePlan {
  return { regions: env.regions, steps: env.release.steps, pauseBefore: env.release.pauseBefore, blueRetentionMs: env.release.blueRetention };
}

/** Whether the pause before step `next` still holds the release (not approved, not auto-promoted). */
export function pausedBefore(next: number, plan: ReleasePlan, intent: ReleaseIntent): boolean {
  if (intent.autoPromote || !(plan.pauseBefore ?? []).includes(next)) return false;
  const p = intent.promotion;
  return !(p && ("full" in p || p.through >= next));
}

/** `release promote --full`: the remaining steps (and their bakes) are skipped, straight to 100 %. */
function promotedFull(intent: ReleaseIntent): boolean {
  return intent.promotion !== undefined && "full" in intent.promotion;
}

/**
 * The reconciler's brain: given what was observed, the next action toward the intent. Pure: no I/O,
 * no clock. Called after every action, so a crash anywhere is resumed by calling it again.
 *
 * Rollout: deploy green everywhere → expose green through Front Door (disabled origins: a stamp
 * endpoint each, no traffic) → gate each green stamp there → shift through the steps, baking after
 * each (the last step disables blue) → promote (green is live, blue origins removed) → destroy blue.
 * Rollback/abort: blue back to full weight and green origins removed in one update → destroy green
 * (unless kept for debugging) → finish.
 */
export function decide(world: World, plan: ReleasePlan, memory: RunMemory): Action {
  const intent = world.intent;
  if (!intent) return { kind: "blocked", reason: "no release in progress" };
  if (!world.global.exists) return { kind: "blocked", reason: `the global stack of ${world.env} does not exist` };
  if (intent.mode === "undo") return decideUndo(world);
  return intent.mode === "rollout" ? decideRollout(world, plan, memory) : decideRollback(world);
}

function stampsOf(world: World, release: string | null): ObservedStamp[] {
  return release === null ? [] : world.stamps.filter((s) => s.release === release);
}

function decideRollout(world: World, plan: ReleasePlan, memory: RunMemory): Action {
  const intent = world.intent!;
  const target = intent.release;
  const green = stampsOf(world, target).filter((s) => plan.regions.includes(s.region));
  const greenByRegion = new Map(green.map((s) => [s.region, s]));

  // A blue retained by an earlier release (its undo window) goes first: a new release ends that
  // window, and its disabled origins must not be taken for this release's blue.
  const retained = world.retention;
  if (retained && retained.from !== target) return dropRetained(world, retained);

  // Once promoted, the only work left is removing (or retaining) blue.
  if (world.global.liveRelease === target) return retireBlue(world, plan);

  const missing = plan.regions.filter((r) => !greenByRegion.get(r)?.deployed);
  if (missing.length > 0) return { kind: "deploy-green", regions: missing };

  const failed = green.filter((s) => s.gate === "failed");
  if (failed.length > 0) {
    return { kind: "begin-rollback", reason: `health gate failed for ${failed.map((s) => s.stack).join(", ")}` };
  }
  const pending = green.filter((s) => s.gate === "pending");
  // The gate reaches a stamp only through Front Door (the web app admits nothing else): before it,
  // each green stamp joins the origin list DISABLED, which gives it its stamp endpoint and no traffic.
  const unexposed = pending.filter((s) => !world.global.origins.some((o) => o.stamp === s.stack));
  if (unexposed.length > 0) {
    return { kind: "expose", origins: [...world.global.origins, ...unexposed.map((s) => originFor(s, FULL_WEIGHT, false))], liveRelease: world.global.liveRelease };
  }
  if (pending.length > 0) return { kind: "gate", stacks: pending.map((s) => s.stack) };

  const greenOrigins = world.global.origins.filter((o) => o.release === target);
  const share = greenOrigins.some((o) => o.enabled) ? greenShare(world.global.origins, target) : 0;
  const reached = highestStepReached(plan.steps, share);
  const blue = world.global.origins.filter((o) => o.release !== target);
  const ordered = plan.regions.map((r) => greenByRegion.get(r)!);

  if (reached < 0 || !sameOrigins(world.global.origins, originsForShare(blue, ordered, plan.steps[reached]!))) {
    // Not on a step yet, or the origins drifted from what the step means: (re)apply the step.
    // With no blue (an environment's first release) green takes all traffic whatever its weight, so
    // the only honest step is the last one.
    const step = blue.length === 0 ? plan.steps.length - 1 : Math.max(0, reached);
    return shiftTo(step, plan, blue, ordered, world.global.liveRelease);
  }
  const last = plan.steps.length - 1;
  const full = promotedFull(intent);
  if (memory.bakedStep !== reached && !(full && reached < last)) {
    return { kind: "bake", step: reached, percent: plan.steps[reached]!, stacks: ordered.map((s) => s.stack) };
  }
  if (reached < last) {
    const next = full ? last : reached + 1;
    if (pausedBefore(next, plan, intent)) {
      // Weights held; the pause keeps watching green, so a stamp turning unhealthy still rolls back.
      return { kind: "pause", step: reached, percent: plan.steps[reached]!, nextStep: next, nextPercent: plan.steps[next]!, stacks: ordered.map((s) => s.stack) };
    }
    return shiftTo(next, plan, blue, ordered, world.global.liveRelease);
  }

  // Baked at 100 %: promote. Green at full weight, green recorded as live; blue origins removed, or
  // kept disabled (with the weights they had) while blue is retained for an undo. "No traffic" is
  // enabledState Disabled, never weight 0: an AFD origin's weight "must be between 1 and 1000"
  // (AFDOriginProperties.weight, Azure/azure-rest-api-specs Microsoft.Cdn afdx.json), which
  // global/origin-list.ts enforces.
  const kept = retainsBlue(intent, plan) ? blue.map((o) => ({ ...o, enabled: false })) : [];
  return { kind: "promote", origins: [...ordered.map((s) => originFor(s, FULL_WEIGHT, true)), ...kept], liveRelease: target };
}

function retainsBlue(intent: ReleaseIntent, plan: ReleasePlan): boolean {
  return (plan.blueRetentionMs ?? 0) > 0 && intent.blueRelease !== null && intent.blueRelease !== intent.release;
}

/**
 * The global update that takes a retained release out of Front Door: every origin of it removed,
 * nothing else touched. "serving" when that release still takes traffic (an enabled origin, or it
 * is live): its origins are not a retained blue's to drop. Null when none of its origins is left.
 * The release's drop step (below) and the reaper (reaper/retained-origins.ts) both use it.
 */
export function retainedOriginsDrop(
  global: { origins: OriginSpec[]; liveRelease: string | null },
  release: string,
): { origins: OriginSpec[]; removed: number } | "serving" | null {
  const leaving = global.origins.filter((o) => o.release === release);
  if (leaving.some((o) => o.enabled) || global.liveRelease === release) return "serving";
  if (leaving.length === 0) return null;
  return { origins: global.origins.filter((o) => o.release !== release), removed: leaving.length };
}

/**
 * Ends an earlier release's undo window: one global update removes the retained origins (disabled,
 * so no shopper traffic moves), then the retained stamps are destroyed, then the record is cleared.
 * In this order a crash anywhere leaves the record naming what is left, and the next run goes on.
 */
function dropRetained(world: World, retained: Retention): Action {
  const drop = retainedOriginsDrop(world.global, retained.release);
  if (drop === "serving") {
    return { kind: "blocked", reason: `release ${retained.release} is recorded as retained blue but serves traffic in ${world.env}: look at the origins before releasing` };
  }
  if (drop) return { kind: "drop-retained", release: retained.release, origins: drop.origins, liveRelease: world.global.liveRelease };
  const stamps = stampsOf(world, retained.release).filter((s) => !servedBy(world, s.stack));
  if (stamps.length > 0) return { kind: "destroy-stamps", stacks: stamps.map((s) => s.stack), why: "retained-blue" };
  return { kind: "forget-retention", release: retained.release };
}

function shiftTo(step: number, plan: ReleasePlan, blue: OriginSpec[], green: ObservedStamp[], liveRelease: string | null): Action {
  const percent = plan.steps[step]!;
  return { kind: "shift", step, percent, origins: originsForShare(blue, green, percent), liveRelease };
}

function retireBlue(world: World, plan: ReleasePlan): Action {
  const intent = world.intent!;
  const retain = retainsBlue(intent, plan);
  // With retention, blue's origins stay, disabled; anything else that is not green goes.
  const keeps = (o: OriginSpec) => o.release === intent.release || (retain && o.release === intent.blueRelease && !o.enabled);
  const stale = world.global.origins.filter((o) => !keeps(o));
  if (stale.length > 0) {
    const keep = world.global.origins.filter(keeps);
    return { kind: "promote", origins: keep, liveRelease: intent.release };
  }
  // A blue stamp without an origin cannot be brought back by an undo: it goes now.
  const retainedOrigin = (stack: string) => retain && world.global.origins.some((o) => o.stamp === stack);
  const blue = stampsOf(world, intent.blueRelease).filter((s) => !servedBy(world, s.stack) && !retainedOrigin(s.stack));
  if (blue.length > 0) return { kind: "destroy-stamps", stacks: blue.map((s) => s.stack), why: "blue" };
  const retainedStamps = stampsOf(world, intent.blueRelease).filter((s) => retainedOrigin(s.stack));
  const recorded = world.retention?.release === intent.blueRelease && world.retention.from === intent.release;
  if (retainedStamps.length > 0 && !recorded) {
    return { kind: "retain-blue", release: intent.blueRelease!, from: intent.release, retentionMs: plan.blueRetentionMs! };
  }
  return { kind: "finish", outcome: "released" };
}

/**
 * `release undo`: the retained blue serves again. One global update enables blue's origins with the
 * weights they were recorded with and removes the undone release's origins (Front Door applies the
 * enabling before the removal, global/front-door-origins.ts), then the undone release's stamps are
 * destroyed, as after a rollback. Blue's stamps are never redeployed. The command checked the window,
 * the stamps and their health before recording the undo; from then on it only finishes.
 */
function decideUndo(world: World): Action {
  const intent = world.intent!;
  const blue = intent.blueRelease;
  const restored = world.global.origins.filter((o) => o.release === blue).map((o) => ({ ...o, enabled: true }));
  if (blue === null || restored.length === 0) {
    return { kind: "blocked", reason: `the undo of ${intent.release} has no origins of ${blue ?? "a retained release"} to restore: run "contoso release start" with the release you want instead` };
  }
  if (!sameOrigins(world.global.origins, restored) || world.global.liveRelease !== blue) {
    return { kind: "restore-blue", origins: restored, liveRelease: blue };
  }
  return undoCleanup(world);
}

function undoCleanup(world: World): Action {
  const intent = world.intent!;
  const undone = stampsOf(world, intent.release).filter((s) => !servedBy(world, s.stack));
  if (undone.length > 0) return { kind: "destroy-stamps", stacks: undone.map((s) => s.stack), why: "undone" };
  return { kind: "finish", outcome: "undone" };
}

function decideRollback(world: World): Action {
  const intent = world.intent!;
  // Promotion is the point of no return: blue's origins are gone and its stamps are being destroyed,
  // so "back to blue" could only restore part of it. Going back is a new release of the old version.
  if (isPromoted(world)) {
    return {
      kind: "blocked",
      reason: `release ${intent.release} is already promoted; it cannot be rolled back to ${intent.blueRelease ?? "nothing"}: release ${intent.blueRelease ?? "the previous version"} again instead`,
    };
  }
  const blueStamps = stampsOf(world, intent.blueRelease).filter((s) => s.deployed && s.hostName);
  // An undo window blue itself opened survives a release that turned back before dropping it.
  const r = world.retention;
  const keptRetained = r && r.from === intent.blueRelease && r.release !== intent.release
    ? world.global.origins.filter((o) => o.release === r.release).map((o) => ({ ...o, enabled: false }))
    : [];
  const restored = [...blueStamps.map((s) => originFor(s, FULL_WEIGHT, true)), ...keptRetained];
  if (!sameOrigins(world.global.origins, restored) || world.global.liveRelease !== intent.blueRelease) {
    return { kind: "restore-blue", origins: restored, liveRelease: intent.blueRelease };
  }
  if (!intent.keepFailed) {
    const green = stampsOf(world, intent.release).filter((s) => !servedBy(world, s.stack));
    if (green.length > 0) return { kind: "destroy-stamps", stacks: green.map((s) => s.stack), why: "failed-green" };
  }
  return { kind: "finish", outcome: intent.mode === "abort" ? "aborted" : "rolled-back" };
}

/** Green is live: promotion happened and only blue's removal is left. */
export function isPromoted(world: World): boolean {
  return world.intent !== null && world.global.liveRelease === world.intent.release && world.intent.blueRelease !== world.intent.release;
}

/**
 * What an action that keeps failing means. Before promotion a rollout gives up and rolls back to
 * blue, which is still whole. After promotion green serves everything and blue may be half
 * destroyed, so the only safe answer is to stop and let the next run finish removing blue.
 */
export function onRepeatedFailure(world: World, action: Action): "roll-back" | "stop" {
  if (world.intent?.mode !== "rollout" || action.kind === "begin-rollback") return "stop";
  return isPromoted(world) ? "stop" : "roll-back";
}

/** Index of the highest step at or below `share` percent; -1 when none. */
export function highestStepReached(steps: number[], share: number): number {
  let reached = -1;
  steps.forEach((s, i) => {
    if (share >= s) reached = i;
  });
  return reached;
}

function servedBy(world: World, stack: string): boolean {
  return world.global.origins.some((o) => o.stamp === stack && o.enabled);
}

export function sameOrigins(a: OriginSpec[], b: OriginSpec[]): boolean {
  const key = (o: OriginSpec) => `${o.stamp}|${o.hostName}|${o.enabled ? o.weight : "off"}|${o.priority}`;
  const ka = a.map(key).sort();
  const kb = b.map(key).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i]);
}
