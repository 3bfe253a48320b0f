import type { OriginSpec } from "../../global/contract.js";
import type { ObservedStamp } from "./model.js";

/**
 * DESIGN.md's release invariants as checks. The executor runs `checkOriginUpdate` before every
 * global update and `checkDestroy` before every stamp destroy (defence in depth: a bug in `decide`
 * stops the release instead of hurting customers); the tests run them after every observable step.
 */
export interface InvariantViolation {
  invariant: string;
  detail: string;
}

/** Traffic only to gated stamps; never zero enabled origins once something served. */
export function checkOriginUpdate(
  next: OriginSpec[],
  previous: OriginSpec[],
  stamps: ObservedStamp[],
  /** Only when rolling back an environment's first release: there is nothing to go back to. */
  allowEmpty = false,
): InvariantViolation[] {
  const violations: InvariantViolation[] = [];
  const byStack = new Map(stamps.map((s) => [s.stack, s]));
  const previousEnabled = new Set(previous.filter((o) => o.enabled).map((o) => o.stamp));
  for (const o of next.filter((o) => o.enabled)) {
    const stamp = byStack.get(o.stamp);
    // A stamp that already served before this update keeps its standing (blue); a new one needs its gate.
    if (!previousEnabled.has(o.stamp) && stamp?.gate !== "passed") {
      violations.push({ invariant: "traffic only to gated stamps", detail: `${o.stamp} would get weight ${o.weight} without a passed health gate` });
    }
    if (!stamp || !stamp.deployed) {
      violations.push({ invariant: "traffic only to gated stamps", detail: `${o.stamp} would get traffic but is not deployed` });
    }
  }
  if (!allowEmpty && previous.some((o) => o.enabled) && !next.some((o) => o.enabled)) {
    violations.push({ invariant: "never zero enabled origins", detail: "the update would leave Front Door without an enabled origin" });
  }
  return violations;
}

/**
 * An undo (and the end of an undo window) never serves from fewer regions than before: every
 * region that had an enabled origin still has one after the update. (A rollout may legitimately
 * change the set of regions; going back must not lose one.)
 */
export function checkServingRegions(next: OriginSpec[], previous: OriginSpec[]): InvariantViolation[] {
  const after = new Set(next.filter((o) => o.enabled).map((o) => o.region));
  const lost = [...new Set(previous.filter((o) => o.enabled).map((o) => o.region))].filter((r) => !after.has(r)).sort();
  return lost.length > 0 ? [{ invariant: "never fewer serving regions", detail: `the update would leave ${lost.join(", ")} without an enabled origin` }] : [];
}

/**
 * Dropping a retained blue moves no shopper traffic: the enabled origins (and their weights) are
 * exactly those before, and only origins of the retained release go.
 */
export function checkDropRetained(release: string, next: OriginSpec[], previous: OriginSpec[]): InvariantViolation[] {
  const enabled = (list: OriginSpec[]) => list.filter((o) => o.enabled).map((o) => `${o.stamp}=${o.weight}`).sort().join(" ");
  const violations: InvariantViolation[] = [];
  if (enabled(next) !== enabled(previous)) {
    violations.push({ invariant: "retained stamps take no traffic", detail: `dropping ${release} would change the serving origins from [${enabled(previous)}] to [${enabled(next)}]` });
  }
  const removed = previous.filter((o) => !next.some((n) => n.stamp === o.stamp));
  for (const o of removed.filter((o) => o.release !== release)) {
    violations.push({ invariant: "retained stamps take no traffic", detail: `dropping ${release} would also remove ${o.stamp} of release ${o.release}` });
  }
  return violations;
}

/**
 * Retained stamps take no traffic: after a promotion only the live release has enabled origins,
 * and a release is recorded as retained only while every origin it has is disabled.
 */
export function checkOnlyLiveServes(origins: OriginSpec[], liveRelease: string): InvariantViolation[] {
  return origins
    .filter((o) => o.enabled && o.release !== liveRelease)
    .map((o) => ({ invariant: "retained stamps take no traffic", detail: `${o.stamp} of release ${o.release} would stay enabled after ${liveRelease} is promoted` }));
}

/** A stamp whose origin is enabled is never destroyed. */
export function checkDestroy(stack: string, origins: OriginSpec[]): InvariantViolation[] {
  return origins.some((o) => o.stamp === stack && o.enabled)
    ? [{ invariant: "never destroy a serving stamp", detail: `${stack} still has an enabled Front Door origin` }]
    : [];
}

export class InvariantError extends Error {
  override readonly name = "InvariantError";
  readonly exitCode = 1;
  constructor(readonly violations: InvariantViolation[]) {
    super(`refusing a step that would break an invariant: ${violations.map((v) => `${v.invariant} (${v.detail})`).join("; ")}`);
  }
}
