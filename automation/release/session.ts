import type { Environment } from "../../environments/index.js";
import { InputError } from "../../environments/errors.js";
import type { Engine } from "../engine/port.js";
import { checkpoint } from "../offline/crash.js";
import { timeScaleFromEnv } from "../offline/latency.js";
import { servesOnLoopback } from "../engine/loopback.js";
import { stampEndpoints } from "./endpoints.js";
import { gateSettings } from "./ports.js";
import type { ReleaseContext, ReleaseEvent } from "./run-release.js";

/**
 * Everything a release command needs around an engine: the time scale (1 against Azure; offline,
 * the same scale as the offline engine's latency model unless `--time-scale` says otherwise), the
 * endpoints the health gate probes, and the crash checkpoints of fault injection.
 */
export interface ReleaseSession {
  ctx: ReleaseContext;
  /** Resolves once offline stamps have run their first health checks (at once against Azure). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export function parseTimeScale(raw: string | undefined, engine: Engine): number {
  if (!servesOnLoopback(engine)) {
    if (raw !== undefined) throw new InputError("--time-scale applies to the offline engine only (Azure takes the time it takes)");
    return 1;
  }
  if (raw === undefined) return timeScaleFromEnv();
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || value > 1) throw new InputError(`--time-scale "${raw}" must be a number above 0 and at most 1 (e.g. 0.001)`);
  return value;
}

export async function openReleaseSession(
  engine: Engine,
  env: Environment,
  options: { timeScale: number; onEvent: (e: ReleaseEvent) => void; signal?: AbortSignal; probeAllowList?: string[] },
): Promise<ReleaseSession> {
  const timing = { scale: options.timeScale };
  const interval = gateSettings(env, timing).intervalMs;
  const endpoints = await stampEndpoints(engine, { env: env.name, checkIntervalMs: interval });
  const ctx: ReleaseContext = {
    engine,
    env,
    resolve: endpoints.resolve,
    timing,
    checkpoint: engine.kind === "offline" ? (name) => checkpoint(name, engine.stateDir) : () => {},
    onEvent: options.onEvent,
    afterStackChange: () => endpoints.refresh(),
    ...(options.probeAllowList ? { probeAllowList: options.probeAllowList } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
  return {
    ctx,
    ready: async () => {
      if (!servesOnLoopback(engine)) return;
      await endpoints.refresh();
      await endpoints.checked(interval * 3);
    },
    close: () => endpoints.close(),
  };
}
