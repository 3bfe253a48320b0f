import { TAG } from "../../../environments/stacks.js";
import { intentToTags } from "../../../automation/release/intent-tags.js";
import type { ReleaseIntent } from "../../../automation/release/model.js";
import type { EnvPolicy, ReapInput, ReapStack } from "../../../automation/reaper/plan.js";
import { policyOf } from "../../../automation/reaper/observe.js";
import type { TrafficOrigin } from "../../../automation/reaper/traffic.js";

/** Builders of reaper inputs: stacks tagged the way stacks/stack-facts.ts tags them. */

export const HOUR = 3_600_000;
export const NOW = new Date("2030-06-01T12:00:00.000Z");

export const at = (hoursFromNow: number) => new Date(NOW.getTime() + hoursFromNow * HOUR).toISOString();

export function globalOf(env: string, opts: { created?: number; expires?: number; owner?: string; intent?: ReleaseIntent; live?: string } = {}): ReapStack {
  const tags: Record<string, string> = {
    [TAG.env]: env,
    [TAG.kind]: "global",
    [TAG.region]: "global",
    [TAG.release]: opts.live ?? "none",
    [TAG.owner]: opts.owner ?? "tester",
    [TAG.createdAt]: at(opts.created ?? -24),
  };
  if (opts.expires !== undefined) tags[TAG.expiresAt] = at(opts.expires);
  if (opts.intent) Object.assign(tags, intentToTags(opts.intent));
  return { name: `${env}-global`, tags, resourceCount: 18 };
}

export function stampOf(env: string, release: string, opts: { created?: number; expires?: number; region?: string; short?: string } = {}): ReapStack {
  const tags: Record<string, string> = {
    [TAG.env]: env,
    [TAG.kind]: "stamp",
    [TAG.region]: opts.region ?? "westeurope",
    [TAG.release]: release,
    [TAG.owner]: "tester",
    [TAG.createdAt]: at(opts.created ?? -24),
  };
  if (opts.expires !== undefined) tags[TAG.expiresAt] = at(opts.expires);
  return { name: `${env}-${opts.short ?? "weu"}-${release}`, tags, resourceCount: 39 };
}

export function serving(...stamps: string[]): TrafficOrigin[] {
  return stamps.map((stamp) => ({ stamp, enabled: true, weight: 1000 }));
}

export function policiesFor(stacks: ReapStack[]): Record<string, EnvPolicy> {
  const out: Record<string, EnvPolicy> = {};
  for (const s of stacks) {
    for (const env of [s.tags[TAG.env], s.name.replace(/-(global|[a-z0-9]+-[a-z0-9]+)$/, "")]) {
      if (!env) continue;
      const policy = policyOf(env);
      if (policy) out[env] = policy;
    }
  }
  return out;
}

export function input(stacks: ReapStack[], traffic: ReapInput["traffic"], extra: Partial<ReapInput> = {}): ReapInput {
  return { stacks, traffic, policies: policiesFor(stacks), now: NOW, graceMs: 2 * HOUR, ...extra };
}

export const intent = (release: string, blueRelease: string | null, mode: ReleaseIntent["mode"] = "rollout"): ReleaseIntent => ({
  release,
  image: `crshoes.azurecr.io/shop-api:${release}`,
  mode,
  blueRelease,
  keepFailed: false,
  startedAt: at(-1),
});
