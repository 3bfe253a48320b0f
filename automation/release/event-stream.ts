import type { ReleaseEvent } from "./run-release.js";

/**
 * The `--json` event stream of release commands: one JSON object per line, each with the schema
 * version and the time it was emitted. Probe results (nine of every ten events) and observations
 * are summarised unless asked for (`--verbose`): one `probes` event per stamp, with its successes
 * and failures, before the event that ends what probed it (a gate, a bake, a pause round). A pause
 * repeats its round every detection window; only its first round is reported.
 */
export const EVENT_SCHEMA_VERSION = 1;

export interface EventStreamOptions {
  verbose: boolean;
  now?: () => Date;
}

interface ProbeTally {
  ok: number;
  failed: number;
  lastError?: string;
}

export type StreamRecord = Record<string, unknown> & { schemaVersion: number; time: string; type: string };

export function releaseEventStream(write: (record: StreamRecord) => void, options: EventStreamOptions): (event: ReleaseEvent | ({ type: string } & Record<string, unknown>)) => void {
  const now = options.now ?? (() => new Date());
  const tallies = new Map<string, ProbeTally>();
  let pausedAt: number | null = null;
  const emit = (event: { type: string } & Record<string, unknown>) => write({ schemaVersion: EVENT_SCHEMA_VERSION, time: now().toISOString(), ...event });
  const flush = () => {
    for (const [stack, t] of tallies) emit({ type: "probes", stack, ok: t.ok, failed: t.failed, ...(t.lastError ? { lastError: t.lastError } : {}) });
    tallies.clear();
  };
  return (event) => {
    const e = event as ReleaseEvent;
    if (options.verbose) {
      emit(event);
      return;
    }
    if (e.type === "observed") return;
    if (e.type === "probe") {
      const t = tallies.get(e.stack) ?? { ok: 0, failed: 0 };
      if (e.result.ok) t.ok++;
      else {
        t.failed++;
        if (e.result.error) t.lastError = e.result.error;
      }
      tallies.set(e.stack, t);
      return;
    }
    if (e.type === "action" && e.action.kind === "pause") {
      if (pausedAt === e.action.step) return; // a later round of the same pause
      pausedAt = e.action.step;
      flush();
      emit(event);
      return;
    }
    // Pause rounds end silently (their probes are tallied until the pause ends); a failure shows as a
    // gate verdict and a rollback.
    if (e.type === "action-done" && e.action.kind === "pause") return;
    if (e.type === "action") pausedAt = null;
    if (e.type === "action-done" || e.type === "action-failed" || e.type === "gate-verdict" || e.type === "action") flush();
    emit(event);
  };
}
