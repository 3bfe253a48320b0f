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
