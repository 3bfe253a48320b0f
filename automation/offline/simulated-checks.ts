import type { HealthCheck } from "../../stamp/health/types.js";
import { COMPONENTS, type ComponentName } from "../../stamp/health/types.js";
import { matchesPattern, type FaultPlan, type StampFault } from "./faults.js";

/** The component a stamp fault names when it names none (faults.ts). */
export const DEFAULT_FAULT_COMPONENT: ComponentName = "cosmos";

/**
 * The fault of the plan that applies to one component of one stamp right now, the worst one when
 * several match. A fault with `afterMs` applies only once that long has passed since the stamp was
 * first served in this process; before its first request it never applies.
 */
export function activeFault(
  faults: readonly StampFault[],
  stack: string,
  component: string,
  firstServedAt: number | undefined,
  now: number,
): StampFault | undefined {
  let found: StampFault | undefined;
  for (const fault of faults) {
    if ((fault.component ?? DEFAULT_FAULT_COMPONENT) !== component || !matchesPattern(fault.stack, stack)) continue;
    if (fault.afterMs !== undefined && (firstServedAt === undefined || now - firstServedAt < fault.afterMs)) continue;
    if (!found || (found.status ?? "Unhealthy") === "Degraded") found = fault;
  }
  return found;
}

/** Refuses a plan naming a component no offline stamp has: a typo there would silently test nothing. */
export function validateStampFaults(plan: FaultPlan): FaultPlan {
  for (const fault of plan.stamps ?? []) {
    const component = fault.component ?? DEFAULT_FAULT_COMPONENT;
    if (!(COMPONENTS as readonly string[]).includes(component)) {
      throw new Error(`fault plan: stamp fault for "${fault.stack}" names unknown component "${component}" (known: ${COMPONENTS.join(", ")})`);
    }
  }
  return plan;
}

export interface SimulatedStamp {
  stack: string;
  /** When the stamp was first served (a request reached it, directly or through Front Door); undefined before. */
  firstServedAt(): number | undefined;
}

/**
 * The reference checks' components, with outcomes taken from the fault plan instead of Azure.
 * `plan` is asked on every run, so a plan changed mid-release takes effect at the next round.
 */
export function simulatedChecks(stamp: SimulatedStamp, plan: () => Promise<FaultPlan>, modelled?: (component: ComponentName) => Promise<void>): HealthCheck[] {
  return COMPONENTS.map((component) => ({
    name: component,
    async run() {
      // What the offline world models for real (the kill switch read over the network model) fails first.
      await modelled?.(component);
      const current = await plan();
      const fault = activeFault(current.stamps ?? [], stamp.stack, component, stamp.firstServedAt(), Date.now());
      if (!fault) return;
      const rule = `stack ${fault.stack}${fault.afterMs !== undefined ? ` after ${fault.afterMs} ms` : ""}`;
      if (fault.status === "Degraded") return { status: "Degraded", detail: `simulated degradation of ${component} (fault plan: ${rule})` };
      throw new Error(`simulated outage of ${component} (fault plan: ${rule})`);
    },
  }));
}
