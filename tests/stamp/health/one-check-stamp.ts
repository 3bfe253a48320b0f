import { startHealthServer, type HealthServer } from "../../../stamp/health/http.js";
import { HealthService } from "../../../stamp/health/service.js";
import type { HealthCheck, StampHealth } from "../../../stamp/health/types.js";
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
/**
 * How long a test waits for an answer it expects within a round or two. Generous on purpose: on a
 * busy machine a round can start seconds late; how soon the service reacts is asserted in rounds
 * (`roundsUntil`), which a slow machine does not change, not in milliseconds.
 */
export const PATIENCE_MS = 15_000;

/** The verdict of every round the service finished, in order: the service's own clock. */
export interface RoundLog {
  /** How many rounds have finished so far (take it as a mark before changing a dependency). */
  count(): number;
  /**
   * How many rounds finished after `mark` up to and including the first one whose verdict has
   * `status`; undefined when none has yet. 1 means the very next round saw it. A change made
   * while a round is in flight can be missed by that round, so "the next round that starts after
   * the change" is at most 2.
   */
  roundsUntil(mark: number, status: StampHealth["status"] | ((h: StampHealth) => boolean)): number | undefined;
}

function roundLog(): { log: RoundLog; record: (h: StampHealth) => void } {
  const rounds: StampHealth[] = [];
  return {
    record: (h) => void rounds.push(h),
    log: {
      count: () => rounds.length,
      roundsUntil(mark, status) {
        const match = typeof status === "function" ? status : (h: StampHealth) => h.status === status;
        const i = rounds.findIndex((h, index) => index >= mark && match(h));
        return i < 0 ? undefined : i - mark + 1;
      },
    },
  };
}

/** Starts the service and its server (stopped through `cleanup`) and waits until it answers 200. */
export async function serveOneCheck(
  check: HealthCheck,
  cleanup: (() => Promise<unknown>)[],
): Promise<{ service: HealthService; server: HealthServer; rounds: RoundLog }> {
  const { log, record } = roundLog();
  const service = new HealthService({ release: "r42", region: "westeurope", checks: [check], intervalMs: INTERVAL_MS, checkTimeoutMs: CHECK_TIMEOUT_MS, onRound: record });
  const server = await startHealthServer(service);
  cleanup.push(() => service.stop(), () => server.close());
  service.start();
  await probeUntil(server.port, "/health/stamp", (r) => r.status === 200, { timeoutMs: PATIENCE_MS });
  return { service, server, rounds: log };
}
