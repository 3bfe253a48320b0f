import type { ComponentHealth, HealthStatus } from "./types.js";

const SEVERITY: Record<HealthStatus, number> = { Healthy: 0, Degraded: 1, Unhealthy: 2 };

/** The stamp is as healthy as its worst component: any Unhealthy wins, then any Degraded. */
export function rollUp(components: readonly Pick<ComponentHealth, "status">[]): HealthStatus {
  let worst: HealthStatus = "Healthy";
  for (const c of components) {
    if (SEVERITY[c.status] > SEVERITY[worst]) worst = c.status;
  }
  return worst;
}

/**
 * Whether a stamp in this state can take traffic. Degraded serves: it means "working on a fallback"
 * (a cached Key Vault secret while Key Vault blips). Answering 503 then would pull every stamp of
 * every region out of Front Door at once during a regional Key Vault incident, turning a
 * dependency blip the cache exists to absorb into a full outage.
 */
export function canServe(status: HealthStatus, serveWhenDegraded = true): boolean {
  return status === "Healthy" || (status === "Degraded" && serveWhenDegraded);
}
