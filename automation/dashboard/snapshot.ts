import type { Environment } from "../../environments/index.js";
import type { Engine } from "../engine/port.js";
import { observeWorld } from "../release/ports.js";
import type { HostResolver } from "../release/probe.js";
import { releaseStatus, type ReleaseStatus } from "../release/status.js";

/**
 * What the dashboard shows of one environment, read from the same observation the reconciler and
 * `release status` use: stamps by region and release, the traffic split (each region's enabled
 * weights, the way Front Door splits within a region), each stamp's health per component, and the
 * release in progress with its phase. Only facts an operator may see: no tags, keys or images.
 */
export interface EnvironmentView extends Pick<ReleaseStatus, "env" | "liveRelease" | "phase" | "release" | "mode" | "greenPercent"> {
  startedAt: string | null;
  split: { region: string; shares: { release: string; percent: number; stamp: string }[] }[];
  stamps: { stack: string; region: string; release: string; gate: string; health: string; serving: boolean; components: { name: string; status: string; latencyMs?: number }[] }[];
}

export async function viewOf(engine: Engine, env: Environment, resolve: HostResolver, probeTimeoutMs: number): Promise<EnvironmentView> {
  const world = await observeWorld(engine, env.name);
  const status = await releaseStatus(world, env, resolve, probeTimeoutMs);
  const serving = new Set(status.origins.filter((o) => o.enabled).map((o) => o.stamp));
  return {
    env: env.name,
    liveRelease: status.liveRelease,
    phase: status.phase,
    release: status.release,
    mode: status.mode,
    greenPercent: status.greenPercent,
    startedAt: world.intent?.startedAt || null,
    split: splitOf(status.origins),
    stamps: status.stamps.map((s) => ({
      stack: s.stack,
      region: s.region,
      release: s.release,
      gate: s.gate,
      health: s.health,
      serving: serving.has(s.stack),
      components: s.components.map((c) => ({ name: c.name, status: c.status, ...(c.latencyMs !== undefined ? { latencyMs: c.latencyMs } : {}) })),
    })),
  };
}

/** Per region, each enabled origin's share of that region's traffic (Front Door picks the region by latency first). */
export function splitOf(origins: { stamp: string; region: string; release: string; weight: number; enabled: boolean }[]): EnvironmentView["split"] {
  const regions = [...new Set(origins.map((o) => o.region))];
  return regions.map((region) => {
    const enabled = origins.filter((o) => o.region === region && o.enabled);
    const total = enabled.reduce((a, o) => a + o.weight, 0);
    return {
      region,
      shares: enabled.map((o) => ({ release: o.release, stamp: o.stamp, percent: total > 0 ? Math.round((100 * o.weight) / total) : 0 })),
    };
  });
}

/** The release timeline as the dashboard observed it: each phase change with its time. */
export interface TimelineEntry {
  at: string;
  env: string;
  release: string | null;
  phase: string;
  greenPercent: number | null;
}
