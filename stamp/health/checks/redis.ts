import { randomUUID } from "node:crypto";
import type { HealthCheck } from "../types.js";
import { stepFailed } from "./failure.js";

/** The two commands the check needs, as the `redis` client (v5+) exposes them. */
export interface RedisRoundTripCommands {
  set(key: string, value: string, options: { expiration: { type: "EX"; value: number } }): Promise<unknown>;
  get(key: string): Promise<unknown>;
}

export interface RedisRoundTripClient {
  /** `RedisClient.withAbortSignal`: commands that leave the offline queue when the signal aborts. */
  withAbortSignal(signal: AbortSignal): RedisRoundTripCommands;
}

export interface RedisCheckOptions {
  /**
   * A connected client. Create it with `disableOfflineQueue: true` so a lost connection fails the
   * check at once instead of queueing until the timeout, and give it an `error` listener.
   */
  client: RedisRoundTripClient;
  /** One key per instance, e.g. `contoso-health:<region>:<instance>`. */
  key: string;
  /** Expiry of the key, so a vanished instance leaves nothing behind. Default 60 s. */
  ttlSeconds?: number;
}

/** Cache round trip: SET a fresh value with an expiry, GET it back, compare. */
export function redisCheck(options: RedisCheckOptions): HealthCheck {
  const ttl = options.ttlSeconds ?? 60;
  return {
    name: "redis",
    async run(signal) {
      const commands = options.client.withAbortSignal(signal);
      const value = randomUUID();
      try {
        await commands.set(options.key, value, { expiration: { type: "EX", value: ttl } });
      } catch (err) {
        throw stepFailed("SET failed", err);
      }
      let read: unknown;
      try {
        read = await commands.get(options.key);
      } catch (err) {
        throw stepFailed("GET failed", err);
      }
      if (read !== value) throw new Error(`GET returned ${JSON.stringify(read)} instead of the value just SET`);
    },
  };
}
