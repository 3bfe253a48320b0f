import { setTimeout as sleep } from "node:timers/promises";
import { probeOnce, type HostResolver } from "./probe.js";

/**
 * Verifies through the Front Door endpoint which releases answer. A configuration change can take
 * many minutes to reach every edge, so a step is only done once the edge shows it: every release in
 * `present` answered at least once and none in `absent` did, within one round of `samples` requests.
 */
export interface EdgeCheckOptions {
  resolve: HostResolver;
  path: string;
  timeoutMs: number;
  intervalMs: number;
  probeTimeoutMs: number;
  samples?: number;
  signal?: AbortSignal;
}

export interface EdgeCheckResult {
  satisfied: boolean;
  releasesSeen: string[];
  detail: string;
}

export async function verifyEdge(
  frontDoorHost: string,
  expect: { present: string[]; absent: string[] },
  options: EdgeCheckOptions,
): Promise<EdgeCheckResult> {
  const samples = options.samples ?? 20;
  const deadline = Date.now() + options.timeoutMs;
  let seen: string[] = [];
  for (;;) {
    const round = new Set<string>();
    for (let i = 0; i < samples; i++) {
      const r = await probeOnce(frontDoorHost, options.path, { resolve: options.resolve, timeoutMs: options.probeTimeoutMs, ...(options.signal ? { signal: options.signal } : {}) });
      if (r.release) round.add(r.release);
    }
    seen = [...round].sort();
    const missing = expect.present.filter((r) => !round.has(r));
    const unwanted = expect.absent.filter((r) => round.has(r));
    if (missing.length === 0 && unwanted.length === 0) return { satisfied: true, releasesSeen: seen, detail: "ok" };
    if (Date.now() >= deadline || options.signal?.aborted) {
      return {
        satisfied: false,
        releasesSeen: seen,
        detail: `saw ${seen.join(", ") || "no release"}; ${missing.length ? `missing ${missing.join(", ")}` : ""}${unwanted.length ? ` still serving ${unwanted.join(", ")}` : ""}`,
      };
    }
    await sleep(options.intervalMs);
  }
}
