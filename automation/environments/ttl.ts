import { InputError, type Environment } from "../../environments/index.js";
import { formatDuration, tryParseDuration } from "../../environments/duration.js";

/**
 * Time-to-live of a personal environment. The environment definition says how long an
 * environment lives by default and at most (`ttl.default`, `ttl.max`); the maximum counts from
 * creation, so extending again and again never keeps an environment alive past created-at + max.
 */

export type TtlLimits = NonNullable<Environment["ttl"]>;

/** The TTL asked for (default: the definition's), checked against the maximum. */
export function parseTtl(text: string | undefined, limits: TtlLimits, flag = "--ttl"): number {
  if (text === undefined) return limits.default;
  const parsed = tryParseDuration(text);
  if ("error" in parsed) throw new InputError(`${flag} ${parsed.error}`);
  if (parsed.ms <= 0) throw new InputError(`${flag} must be greater than zero (e.g. 8h)`);
  if (parsed.ms > limits.max) {
    throw new InputError(`${flag} ${text} exceeds the maximum time-to-live of personal environments (${formatDuration(limits.max)})`);
  }
  return parsed.ms;
}

export function ttlLimits(env: Environment): TtlLimits {
  if (!env.ttl) throw new InputError(`${env.name} is not an ephemeral environment: it has no time-to-live`);
  return env.ttl;
}

export interface Extension {
  expiresAt: Date;
  /** True when created-at + max cut the asked-for expiry short. */
  capped: boolean;
}

/** New expiry = now + ttl, at most created-at + max; an environment past its maximum lifetime cannot be extended. */
export function extendedExpiry(createdAt: Date, now: Date, ttlMs: number, limits: TtlLimits, envName: string): Extension {
  const limit = createdAt.getTime() + limits.max;
  if (limit <= now.getTime()) {
    throw new InputError(
      `${envName} has reached its maximum lifetime of ${formatDuration(limits.max)} (created ${createdAt.toISOString()}): it cannot be extended; create a new environment`,
    );
  }
  const wanted = now.getTime() + ttlMs;
  return { expiresAt: new Date(Math.min(wanted, limit)), capped: wanted > limit };
}

/** `--now <iso>`: the clock a command reasons with (tests and operators replaying a decision). */
export function parseNow(text: string | undefined, flag = "--now"): Date {
  if (text === undefined) return new Date();
  const time = /^\d{4}-\d{2}-\d{2}T/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(time)) throw new InputError(`${flag} "${text}" must be an ISO 8601 date and time (e.g. 2026-01-31T22:00:00Z)`);
  // Date.parse rolls an impossible day over (2026-02-30 becomes 2 March): a date that does not exist is refused.
  const [, y, mo, d, h, mi, sec] = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(text) ?? [];
  const daysInMonth = new Date(Date.UTC(Number(y), Number(mo), 0)).getUTCDate();
  if (Number(mo) < 1 || Number(mo) > 12 || Number(d) < 1 || Number(d) > daysInMonth || Number(h) > 23 || Number(mi) > 59 || Number(sec ?? 0) > 59) {
    throw new InputError(`${flag} "${text}" is not a date and time that exists (e.g. 2026-01-31T22:00:00Z)`);
  }
  return new Date(time);
}
