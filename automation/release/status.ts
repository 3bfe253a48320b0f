import type { Environment } from "../../environments/index.js";
import { decide, releasePlanOf } from "./decide.js";
import type { World } from "./model.js";
import { probeOnce, type HostResolver, type ProbeResult } from "./probe.js";
import { greenShare } from "./weights.js";

/** `release status`: the phase (read off the world by the same decision the reconciler makes), weights and stamp health. */
export interface ReleaseStatus {
  env: string;
  liveRelease: string | null;
  phase: string;
  release: string | null;
  mode: string | null;
  greenPercent: number | null;
  reason?: string;
  /** The previous release kept for `release undo`, and the end of its window. */
  retained?: { release: string; from: string; until: string };
  origins: { stamp: string; region: string; release: string; weight: number; enabled: boolean }[];
  stamps: { stack: string; region: string; release: string; gate: string; health: string; detail?: string; components: ProbeResult["components"] }[];
}

const PHASE: Record<string, string> = {
  "deploy-green": "deploying green",
  expose: "exposing green through Front Door",
  gate: "gating green",
  shift: "shifting traffic",
  bake: "baking",
  pause: "paused (waiting for release promote)",
  promote: "promoting",
  "retain-blue": "retaining blue for release undo",
  "drop-retained": "dropping the previous undo window",
  "forget-retention": "dropping the previous undo window",
  "destroy-stamps": "removing old stamps",
  "begin-rollback": "rolling back",
  "restore-blue": "rolling back",
  finish: "finishing",
  blocked: "blocked",
};

export function phaseOf(world: World, env: Environment): string {
  if (!world.intent) return world.global.exists ? "idle" : "no global stack";
  const next = decide(world, releasePlanOf(env),
    // A recorded pause means that step's bake finished: the next decision is the pause (or what follows a promote).
    { bakedStep: world.intent.pausedAt ?? null },
  );
  const phase = PHASE[next.kind] ?? next.kind;
  return world.intent.mode === "rollout" ? phase : `${world.intent.mode}: ${phase}`;
}

export async function releaseStatus(world: World, env: Environment, resolve: HostResolver, timeoutMs: number): Promise<ReleaseStatus> {
  const stamps = await Promise.all(
    world.stamps.map(async (s) => {
      // Through the stamp's own Front Door endpoint: its web app admits nothing but Front Door.
      const probe = s.probeHostName ? await probeOnce(s.probeHostName, env.originHealthProbe.path, { resolve, timeoutMs, expectRelease: s.release }) : undefined;
      const unreachable = s.deployed && !s.probeHostName ? { detail: "no Front Door stamp endpoint (the stamp is not in the origin list); its web app admits only Front Door" } : {};
      return {
        stack: s.stack,
        region: s.region,
        release: s.release,
        gate: s.gate,
        health: !s.deployed ? "not deployed" : probe?.status ?? (probe?.ok ? "Healthy" : "unreachable"),
        ...(probe && !probe.ok && probe.error ? { detail: probe.error } : unreachable),
        components: probe?.components ?? [],
      };
    }),
  );
  const intent = world.intent;
  return {
    env: world.env,
    liveRelease: world.global.liveRelease,
    phase: phaseOf(world, env),
    release: intent?.release ?? null,
    mode: intent?.mode ?? null,
    greenPercent: intent ? greenShare(world.global.origins, intent.release) : null,
    ...(intent?.reason ? { reason: intent.reason } : {}),
    ...(world.retention ? { retained: { ...world.retention } } : {}),
    origins: world.global.origins.map((o) => ({ stamp: o.stamp, region: o.region, release: o.release, weight: o.weight, enabled: o.enabled })),
    stamps,
  };
}
