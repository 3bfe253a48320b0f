import type { Operation } from "../engine/port.js";

/**
 * How long Azure takes for each engine operation, so offline releases have the same shape in time
 * as real ones (the stamps of a release deploy in parallel; the global stack's Front Door update is
 * on the critical path of every weight step). Figures are typical wall-clock times observed for
 * these services, not guarantees:
 *  - a stamp's first deployment is dominated by Azure Managed Redis and the zone-redundant App
 *    Service plan (~12 min); an update of an existing stamp touches a few resources (~3 min);
 *  - the global stack's first deployment waits for Cosmos DB multi-region accounts and the Front
 *    Door profile (~15 min); an update (origins, weights) is a Front Door change (~4 min);
 *  - destroying a stamp waits for Redis and the plan to go (~8 min); the global stack ~10 min;
 *  - a preview only reads (~20 s); removing an empty stack is a backend write (~2 s).
 * The function is pure so benchmarks can compute a release's critical path without running it.
 */

export type LatencyStackKind = "global" | "stamp" | "other";

export interface LatencyQuery {
  kind: LatencyStackKind;
  operation: Operation;
  /** For `up`: whether the stack had no resources before (a first deployment creates everything). */
  firstDeployment?: boolean;
}

const MINUTE = 60_000;

/** Modelled duration in Azure time (milliseconds), before any time scale. */
export function modelledDurationMs(query: LatencyQuery): number {
  const { kind, operation } = query;
  switch (operation) {
    case "preview":
      return 20_000;
    case "remove":
      return 2_000;
    case "destroy":
      return kind === "global" ? 10 * MINUTE : kind === "stamp" ? 8 * MINUTE : 1 * MINUTE;
    case "up":
      if (kind === "global") return query.firstDeployment ? 15 * MINUTE : 4 * MINUTE;
      if (kind === "stamp") return query.firstDeployment ? 12 * MINUTE : 3 * MINUTE;
      return query.firstDeployment ? 2 * MINUTE : 1 * MINUTE;
  }
}

/** Offline runs wait `modelled x scale` for real: the default turns a 12-minute stamp into 0.6 s. */
export const DEFAULT_TIME_SCALE = 0.0005;

/** Reads CONTOSO_OFFLINE_TIME_SCALE; a bad value is an input error the caller reports. */
export function timeScaleFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env["CONTOSO_OFFLINE_TIME_SCALE"];
  if (raw === undefined || raw.trim() === "") return DEFAULT_TIME_SCALE;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw new RangeError(`CONTOSO_OFFLINE_TIME_SCALE "${raw}" must be a number from 0 to 1 (e.g. 0.0005; 1 is real Azure time)`);
  }
  return value;
}

/** Waits `ms` for real, or rejects as soon as the signal aborts. */
export function abortableDelay(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error("cancelled");
}
