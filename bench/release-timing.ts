import type { Environment } from "../environments/index.js";
import type { ActionKind } from "../automation/release/model.js";
import type { ReleaseEvent } from "../automation/release/run-release.js";
import { benchEngine, runRelease } from "./offline-world.js";
import { RecordingEngine, type RecordedOperation } from "./recording-engine.js";

/**
 * Times one release on a prepared offline world: wall time from `release start` to its summary,
 * the CPU this process spent meanwhile (the programs evaluated under mocks, the loopback probes,
 * the state files), and every action the reconciler took with its start and duration.
 */

export interface TimedAction {
  kind: ActionKind;
  /** Since the release started. */
  atMs: number;
  durationMs?: number;
}

export interface TimedRelease {
  outcome: string;
  wallMs: number;
  cpuMs: number;
  actions: TimedAction[];
  /** Every engine operation (stack, start, end), on the same clock as `actions`. */
  operations: RecordedOperation[];
}

export interface TimedReleaseOptions {
  stateDir: string;
  env: Environment;
  /** Scales the driver's waits (bake, probe interval) and, unless `engineTimeScale` says otherwise, the engine's modelled Azure time. */
  timeScale: number;
  /** Scales the engine's modelled Azure time only (e.g. to reach a bake quickly when only the bake is measured). */
  engineTimeScale?: number;
  release: string;
  /** Sees every event with its time since the start (e.g. to inject a fault at a known moment). */
  onEvent?: (event: ReleaseEvent, atMs: number) => void;
}

export async function timeRelease(options: TimedReleaseOptions): Promise<TimedRelease> {
  const started = performance.now();
  const engine = new RecordingEngine(benchEngine(options.stateDir, options.engineTimeScale ?? options.timeScale), () => performance.now() - started);
  const actions: TimedAction[] = [];
  const open: TimedAction[] = [];
  const cpuBefore = process.cpuUsage();
  const onEvent = (e: ReleaseEvent) => {
    const atMs = performance.now() - started;
    if (e.type === "action") {
      const action: TimedAction = { kind: e.action.kind, atMs };
      actions.push(action);
      open.push(action);
    } else if (e.type === "action-done") {
      const index = open.findIndex((a) => a.kind === e.action.kind);
      if (index >= 0) open.splice(index, 1)[0]!.durationMs = e.durationMs;
    }
    options.onEvent?.(e, atMs);
  };
  const summary = await runRelease(engine, options.env, options.timeScale, options.release, onEvent);
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return { outcome: summary.outcome, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, actions, operations: engine.operations };
}

/** Total measured duration of the actions of each kind (e.g. the three bakes together). */
export function durationsByKind(actions: TimedAction[]): Partial<Record<ActionKind, number>> {
  const totals: Partial<Record<ActionKind, number>> = {};
  for (const a of actions) {
    if (a.durationMs === undefined) continue;
    totals[a.kind] = (totals[a.kind] ?? 0) + a.durationMs;
  }
  return totals;
}
