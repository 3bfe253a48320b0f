import { globalStackName, TAG } from "../../environments/stacks.js";

/**
 * When an environment expires, read from its stacks' tags. The global stack's `expires-at` is the
 * environment's (`env extend` moves it on every stack); when the global stack is gone, the latest
 * expiry among its stamps stands in. No readable expiry: the environment never expires by itself.
 */

export interface TaggedStack {
  name: string;
  tags: Record<string, string>;
}

export function dateTag(tags: Record<string, string>, key: string): Date | undefined {
  const value = tags[key];
  if (value === undefined) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time);
}

export function envExpiry(env: string, stacks: TaggedStack[]): Date | undefined {
  const global = stacks.find((s) => s.name === globalStackName(env));
  const fromGlobal = global ? dateTag(global.tags, TAG.expiresAt) : undefined;
  if (fromGlobal) return fromGlobal;
  const times = stacks.map((s) => dateTag(s.tags, TAG.expiresAt)?.getTime()).filter((t): t is number => t !== undefined);
  return times.length > 0 ? new Date(Math.max(...times)) : undefined;
}

/** The environment's creation time: the global stack's created-at, else the earliest stamp's. */
export function envCreatedAt(env: string, stacks: TaggedStack[]): Date | undefined {
  const global = stacks.find((s) => s.name === globalStackName(env));
  const fromGlobal = global ? dateTag(global.tags, TAG.createdAt) : undefined;
  if (fromGlobal) return fromGlobal;
  const times = stacks.map((s) => dateTag(s.tags, TAG.createdAt)?.getTime()).filter((t): t is number => t !== undefined);
  return times.length > 0 ? new Date(Math.min(...times)) : undefined;
}
