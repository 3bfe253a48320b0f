import { loadEnvironment } from "../../environments/index.js";
import { globalStackName, parseStackName, TAG } from "../../environments/stacks.js";
import type { Engine } from "../engine/port.js";
import type { EnvPolicy, ReapStack } from "./plan.js";
import { trafficFromOutputs, type TrafficView } from "./traffic.js";

/**
 * The reaper's observation of the backend: every stack with its tags, the traffic of each
 * environment's global stack (its outputs) and each environment's policy from its definition.
 * Read fresh on every run (and again once the release locks are held), never remembered.
 */

export interface ReapObservation {
  stacks: ReapStack[];
  traffic: Record<string, TrafficView>;
  policies: Record<string, EnvPolicy>;
}

export function envOfStack(stack: ReapStack): string | undefined {
  try {
    return parseStackName(stack.name).env;
  } catch {
    return stack.tags[TAG.env];
  }
}

/** The policy of a defined or personal environment; undefined when no definition describes it. */
export function policyOf(env: string): EnvPolicy | undefined {
  try {
    const definition = loadEnvironment(env);
    return { protected: definition.protected, ephemeral: definition.ephemeral };
  } catch {
    return undefined;
  }
}

export async function observeForReap(engine: Engine): Promise<ReapObservation> {
  const summaries = await engine.listStacks();
  const stacks: ReapStack[] = summaries.map((s) => ({
    name: s.name,
    tags: s.tags,
    ...(s.resourceCount !== undefined ? { resourceCount: s.resourceCount } : {}),
  }));
  const envs = new Set<string>();
  for (const s of stacks) {
    const env = envOfStack(s);
    if (env !== undefined) envs.add(env);
    const tagEnv = s.tags[TAG.env];
    if (tagEnv !== undefined) envs.add(tagEnv);
  }
  const policies: Record<string, EnvPolicy> = {};
  const traffic: Record<string, TrafficView> = {};
  const names = new Set(stacks.map((s) => s.name));
  await Promise.all(
    [...envs].map(async (env) => {
      const policy = policyOf(env);
      if (policy) policies[env] = policy;
      let global: string;
      try {
        global = globalStackName(env);
      } catch {
        return;
      }
      if (names.has(global)) traffic[env] = trafficFromOutputs(await engine.outputs(global));
    }),
  );
  return { stacks, traffic, policies };
}
