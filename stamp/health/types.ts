/**
 * The health contract of a stamp (DESIGN.md, "Health contract"), as types shared by the service,
 * its HTTP endpoints, the offline stamps and the callers that probe them.
 */

export type HealthStatus = "Healthy" | "Degraded" | "Unhealthy";

/**
 * One dependency check. `run` resolves when the dependency works, resolves with
 * `{ status: "Degraded" }` when it works in a reduced way (e.g. a cached secret while Key Vault is
 * unreachable), and throws when it does not work. It must honour `signal`: the service aborts it at
 * the per-check timeout and reports it Unhealthy whether or not it stops.
 */
export interface HealthCheck {
  /** Component name in the report, e.g. `cosmos`, `redis`. */
  readonly name: string;
  /** Overrides the service's per-check timeout for this check. */
  readonly timeoutMs?: number;
  run(signal: AbortSignal): Promise<void | CheckOutcome>;
}

export interface CheckOutcome {
  status?: "Healthy" | "Degraded";
  /** Why the component is degraded; shown as the component's `error`. */
  detail?: string;
}

export interface ComponentHealth {
  name: string;
  status: HealthStatus;
  latencyMs: number;
  error?: string;
}

/** The JSON body of `/health/stamp`. */
export interface StampHealth {
  status: HealthStatus;
  release: string;
  region: string;
  /** When the cached round finished (ISO 8601); absent before the first round. */
  checkedAt?: string;
  components: ComponentHealth[];
  /** Why the stamp as a whole is Unhealthy when no component says so (not ready yet, stale results). */
  reason?: string;
}

/** Header names that tell a caller (directly or through Front Door) which stamp answered. */
export const RELEASE_HEADER = "x-contoso-release";
export const REGION_HEADER = "x-contoso-region";

/** The component names of the reference checks (also what the offline stamps simulate and faults name). */
export const COMPONENTS = ["cosmos", "servicebus", "keyvault", "redis", "killswitch"] as const;
export type ComponentName = (typeof COMPONENTS)[number];
