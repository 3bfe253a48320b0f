import type { Environment } from "../environments/index.js";
import { modelledDurationMs } from "../automation/offline/latency.js";
import { gateSettings } from "../automation/release/ports.js";

/**
 * What a release and a reaper run must take at the least, computed from the offline engine's latency
 * model (automation/offline/latency.ts) and the environment's settings, scaled exactly as the
 * offline engine and the release driver scale them. The benchmark divides measured wall time by
 * these figures: anything above 1 is time the driver spent that Azure did not make it spend.
 */

export interface PathPart {
  name: string;
  ms: number;
}

export interface CriticalPath {
  parts: PathPart[];
  totalMs: number;
}

/**
 * The critical path of a release that replaces a live (blue) release: the regions' first stamp
 * deployments run in parallel, so one of them counts; one global update exposes green through
 * Front Door (disabled origins: the stamp endpoints the gate probes); the gate passes at the earliest once
 * `successesRequired` probes, one interval apart, have succeeded; then every step is one global
 * update (a Front Door change) and one bake; promotion (blue drained) is one more global update;
 * the blue stamps are destroyed in parallel and their empty stacks removed — unless the environment
 * retains blue for `release undo`, when the release ends at promotion.
 */
export function releaseCriticalPath(env: Environment, scale: number): CriticalPath {
  const gate = gateSettings(env, { scale });
  const stampDeploy = modelledDurationMs({ kind: "stamp", operation: "up", firstDeployment: true }) * scale;
  const globalUpdate = modelledDurationMs({ kind: "global", operation: "up", firstDeployment: false }) * scale;
  // As the driver bakes: never shorter than one full probe window (automation/release/ports.ts).
  const bake = Math.max(Math.round(env.release.bakeTime * scale), gate.intervalMs * gate.sampleSize);
  const parts: PathPart[] = [
    { name: `deploy green (slowest of ${env.regions.length} regions)`, ms: stampDeploy },
    { name: "expose green through Front Door (global update)", ms: globalUpdate },
    { name: `health gate (${gate.successesRequired} probes, ${gate.intervalMs} ms apart)`, ms: (gate.successesRequired - 1) * gate.intervalMs },
  ];
  for (const percent of env.release.steps) {
    parts.push({ name: `shift to ${percent}% (global update)`, ms: globalUpdate });
    parts.push({ name: `bake at ${percent}%`, ms: bake });
  }
  parts.push({ name: "promote, blue drained (global update)", ms: globalUpdate });
  // With a blueRetention (prod, staging) blue stays for `release undo` (one tag write, no Azure
  // operation) and the reaper removes it later, outside the release.
  if (env.release.blueRetention === 0) parts.push({ name: "blue teardown (destroy + remove)", ms: stampTeardownMs(scale) });
  return { parts, totalMs: parts.reduce((sum, p) => sum + p.ms, 0) };
}

/** Destroying a stamp's resources and removing its empty stack, as the release and the reaper do. */
export function stampTeardownMs(scale: number): number {
  return (modelledDurationMs({ kind: "stamp", operation: "destroy" }) + modelledDurationMs({ kind: "stamp", operation: "remove" })) * scale;
}

/** The best a reaper can do with `concurrency` slots: full waves of teardowns, one after another. */
export function idealReapMs(stacks: number, concurrency: number, scale: number): number {
  if (!Number.isInteger(stacks) || stacks < 0) throw new RangeError(`stacks must be a whole number, got ${stacks}`);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a whole number of at least 1, got ${concurrency}`);
  return Math.ceil(stacks / concurrency) * stampTeardownMs(scale);
}

/**
 * The health gate's detection window during a bake: Front Door's rule looks at the last
 * `sampleSize` probes, one interval apart, so a stamp that breaks is seen within that window.
 */
export function detectionWindowMs(env: Environment, scale: number): number {
  const gate = gateSettings(env, { scale });
  return gate.sampleSize * gate.intervalMs;
}
