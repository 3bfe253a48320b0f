import { startHealthServer, type HealthServer } from "../../../stamp/health/http.js";
import { HealthService } from "../../../stamp/health/service.js";
import type { HealthCheck } from "../../../stamp/health/types.js";
import { probeUntil } from "./http-probe.js";

/**
 * A stamp's health service with one real dependency check, served over loopback, for the tests
 * that stop and restore that dependency (Redis, the kill-switch blob) and time the service's answer.
 */

export const INTERVAL_MS = 250;
export const CHECK_TIMEOUT_MS = 200;
/** The guarantee: the next round starts within one interval and ends within the check timeout. */
export const ONE_ROUND_MS = INTERVAL_MS + CHECK_TIMEOUT_MS;
/** Timers fire late on a busy test machine; this much lateness is not a failure of the service. */
export const SCHEDULING_SLACK_MS = 150;

/** Starts the service and its server (stopped through `cleanup`) and waits until it answers 200. */
export async function serveOneCheck(check: HealthCheck, cleanup: (() => Promise<unknown>)[]): Promise<{ service: HealthService; server: HealthServer }> {
  const service = new HealthService({ release: "r42", region: "westeurope", checks: [check], intervalMs: INTERVAL_MS, checkTimeoutMs: CHECK_TIMEOUT_MS });
  const server = await startHealthServer(service);
  cleanup.push(() => service.stop(), () => server.close());
  service.start();
  await probeUntil(server.port, "/health/stamp", (r) => r.status === 200, { timeoutMs: 3_000 });
  return { service, server };
}
