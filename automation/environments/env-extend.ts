import { InputError, loadEnvironment } from "../../environments/index.js";
import { TAG } from "../../environments/stacks.js";
import type { Engine } from "../engine/port.js";
import { envCreatedAt, envExpiry } from "./expiry.js";
import { stacksOf } from "./env-stacks.js";
import { extendedExpiry, parseTtl, ttlLimits } from "./ttl.js";

/**
 * `env extend`: moves a personal environment's expiry to now + ttl, never past created-at + the
 * definition's maximum. The expiry is a tag of every stack of the environment (the reaper reads
 * the global stack's; stamps carry it too), and later updates keep it (stacks/stack-facts.ts).
 */

export interface EnvExtendResult {
  env: string;
  previousExpiresAt: string | null;
  expiresAt: string;
  /** True when the maximum lifetime cut the asked-for TTL short. */
  capped: boolean;
  maxExpiresAt: string;
}

/** Input checks that need no stack (name and TTL). */
export function validateExtend(env: string, ttl: string): number {
  return parseTtl(ttl, ttlLimits(loadEnvironment(env)));
}

export async function envExtend(engine: Engine, env: string, ttl: string, now: Date): Promise<EnvExtendResult> {
  const limits = ttlLimits(loadEnvironment(env));
  const ttlMs = parseTtl(ttl, limits);
  const stacks = await stacksOf(engine, env);
  if (stacks.length === 0) throw new InputError(`${env} does not exist: create it with contoso env up --name ${env.replace(/^dev-/, "")}`);
  const createdAt = envCreatedAt(env, stacks);
  if (!createdAt) throw new InputError(`${env} has no readable ${TAG.createdAt} tag: its maximum lifetime cannot be computed`);
  const previous = envExpiry(env, stacks);
  const extension = extendedExpiry(createdAt, now, ttlMs, limits, env);
  const expiresAt = extension.expiresAt.toISOString();
  await Promise.all(stacks.map((s) => engine.setTags(s.name, { [TAG.expiresAt]: expiresAt })));
  return {
    env,
    previousExpiresAt: previous?.toISOString() ?? null,
    expiresAt,
    capped: extension.capped,
    maxExpiresAt: new Date(createdAt.getTime() + limits.max).toISOString(),
  };
}
