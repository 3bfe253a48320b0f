import { setTimeout as sleep } from "node:timers/promises";
import { interruptionOf } from "./interruption.js";
import { probeOnce, type HostResolver, type ProbeResult } from "./probe.js";

/**
 * The release's health gate, with Front Door's semantics: a stamp is healthy when at least
 * `successesRequired` of its last `sampleSize` probes succeeded. Probes go out every `intervalMs`,
 * each bounded by `probeTimeoutMs`.
 *
 * - `gate`: before a stamp gets traffic. Passes as soon as the window holds enough successes; fails
 *   when the deadline passes first.
 * - `watch`: during a bake. Fails as soon as the window can no longer hold enough successes (more
 *   than sampleSize − successesRequired failures among the last sampleSize probes); passes when the
 *   bake time is over.
 *
 * `signal` interrupts (SIGTERM, or an abort asked for by another process): the wait stops at once
 * and the promise rejects with the signal's reason. An interrupted gate or bake has no verdict:
 * nothing is recorded as passed (nor failed).
 *
 * A deadline or a bake is over when its time has passed *and* the stamp has had its probes: one per
 * interval of it (`probeRounds`). Against Azure the two agree (probeTimeout ≤ interval, so a probe
 * round takes one interval); on a starved machine (a busy CI runner, the offline engine's scaled-down
 * seconds) the clock runs ahead of the probes, and a verdict by the clock alone would fail a healthy
 * stamp that was never asked often enough, or pass a bake that never looked.
 */
export interface GateSettings {
  intervalMs: number;
  sampleSize: number;
  successesRequired: number;
  probeTimeoutMs: number;
}

export interface GateTarget {
  stack: string;
  hostName: string;
  release: string;
}

export interface StampVerdict {
  stack: string;
  passed: boolean;
  /** Successes in the last window, e.g. 5 of 6. */
  window: { successes: number; samples: number };
  probes: number;
  last?: ProbeResult;
  reason?: string;
}

export interface GateOptions {
  settings: GateSettings;
  resolve: HostResolver;
  path?: string;
  signal?: AbortSignal;
  onProbe?: (stack: string, result: ProbeResult) => void;
}

/** A sliding window of the last n probe outcomes: the unit of Front Door's health decision. */
export class ProbeWindow {
  private readonly outcomes: boolean[] = [];
  constructor(private readonly size: number) {}
  record(ok: boolean): void {
    this.outcomes.push(ok);
    if (this.outcomes.length > this.size) this.outcomes.shift();
  }
  get successes(): number {
    return this.outcomes.filter(Boolean).length;
  }
  get failures(): number {
    return this.outcomes.length - this.successes;
  }
  get samples(): number {
    return this.outcomes.length;
  }
}

export async function gateStamps(targets: GateTarget[], deadlineMs: number, options: GateOptions): Promise<StampVerdict[]> {
  return Promise.all(targets.map((t) => runWindow(t, "gate", deadlineMs, options)));
}

/** Watches every target for `durationMs`; resolves with the first failing stamp's verdict, or all passed. */
export async function watchStamps(targets: GateTarget[], durationMs: number, options: GateOptions): Promise<StampVerdict[]> {
  // One failing stamp ends the bake for all: the others stop watching (their verdict: no failure seen).
  const stop = new AbortController();
  const verdicts = await Promise.all(
    targets.map(async (t) => {
      const verdict = await runWindow(t, "watch", durationMs, options, stop.signal);
      if (!verdict.passed) stop.abort();
      return verdict;
    }),
  );
  return verdicts;
}

/** How many probes a deadline or bake of `durationMs` stands for: one per interval, at least one. */
export function probeRounds(durationMs: number, intervalMs: number): number {
  return Math.max(1, Math.floor(durationMs / intervalMs));
}

async function runWindow(target: GateTarget, mode: "gate" | "watch", durationMs: number, options: GateOptions, stopped?: AbortSignal): Promise<StampVerdict> {
  const { settings } = options;
  const window = new ProbeWindow(settings.sampleSize);
  const started = Date.now();
  const rounds = probeRounds(durationMs, settings.intervalMs);
  let probes = 0;
  let last: ProbeResult | undefined;
  const verdict = (passed: boolean, reason?: string): StampVerdict => ({
    stack: target.stack, passed, probes, last, reason,
    window: { successes: window.successes, samples: window.samples },
  });

  const signal = options.signal && stopped ? AbortSignal.any([options.signal, stopped]) : (options.signal ?? stopped);
  /** A pipeline cancel throws; a window stopped from outside (its verdict no longer needed) ends passed. */
  const interrupted = (): StampVerdict | undefined => {
    if (options.signal?.aborted) throw interruptionOf(options.signal);
    return stopped?.aborted ? verdict(true) : undefined;
  };
  /** Waits `ms`, cut short by either signal (the caller's next `interrupted()` reports it). */
  const pause = async (ms: number): Promise<void> => {
    if (ms <= 0) return;
    try {
      await sleep(ms, undefined, signal ? { signal } : {});
    } catch {
      // Aborted.
    }
  };
  for (;;) {
    const before = interrupted();
    if (before) return before;
    const tick = Date.now();
    last = await probeOnce(target.hostName, options.path ?? "/health/stamp", {
      resolve: options.resolve, timeoutMs: settings.probeTimeoutMs, expectRelease: target.release, signal,
    });
    const during = interrupted();
    if (during) return during;
    probes++;
    window.record(last.ok);
    options.onProbe?.(target.stack, last);

    if (mode === "gate" && window.successes >= settings.successesRequired) return verdict(true);
    if (mode === "watch" && window.failures > settings.sampleSize - settings.successesRequired) {
      return verdict(false, `${window.successes} of the last ${window.samples} probes succeeded (needs ${settings.successesRequired}): ${last.error ?? "unhealthy"}`);
    }
    if (probes >= rounds) {
      // Every round of the window is probed: one probe per interval, never one more. A window whose
      // last probe came back before its end is waited out (a bake lasts its bake time) without
      // probing again: an extra probe would make the count depend on how fast the machine is.
      await pause(durationMs - (Date.now() - started));
      const atEnd = interrupted();
      if (atEnd) return atEnd;
      return mode === "watch"
        ? verdict(true)
        : verdict(false, `not healthy within ${durationMs} ms: ${window.successes} of the last ${window.samples} probes succeeded (needs ${settings.successesRequired}); last: ${last.error ?? "ok"}`);
    }
    await pause(settings.intervalMs - (Date.now() - tick));
  }
}
