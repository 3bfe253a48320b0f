import * as os from "node:os";
import type { Environment } from "../../environments/index.js";
import { TAG, stackTags, type StackTagFacts } from "../../environments/stacks.js";
import type { Engine } from "../engine/port.js";
import type { StackFacts } from "../../global/contract.js";

/**
 * The facts a stack carries as tags (and its resources as Azure tags): who owns it, when it was
 * created, when it expires. They are derived every run; only created-at (and an expiry someone
 * extended) is taken from the stack's existing tags, so an update never makes a stack look new.
 */

/** Who runs this command: CONTOSO_OWNER, else the login name; cleaned to the owner tag's charset. */
export function currentUser(env: NodeJS.ProcessEnv = process.env): string {
  let name = env["CONTOSO_OWNER"] || env["USER"] || env["USERNAME"];
  if (!name) {
    try {
      name = os.userInfo().username;
    } catch {
      name = "unknown";
    }
  }
  const cleaned = name.replace(/[^a-z0-9._@-]/gi, "-").replace(/^[^a-z0-9]+/i, "").slice(0, 63);
  return cleaned || "unknown";
}

/** The tags of an existing stack, or undefined; looked up among the environment's stacks. */
export async function existingTags(engine: Engine, env: string, stack: string): Promise<Record<string, string> | undefined> {
  const stacks = await engine.listStacks({ tags: { [TAG.env]: env } });
  return stacks.find((s) => s.name === stack)?.tags;
}

function dateTag(tags: Record<string, string> | undefined, key: string): Date | undefined {
  const value = tags?.[key];
  if (value === undefined) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time);
}

export interface DerivedFacts {
  facts: StackFacts;
  tags: Record<string, string>;
}

export function deriveFacts(
  env: Environment,
  what: Pick<StackTagFacts, "kind" | "region" | "release">,
  previous: Record<string, string> | undefined,
  now: Date,
  user: string,
): DerivedFacts {
  const createdAt = dateTag(previous, TAG.createdAt) ?? now;
  const expiresAt =
    dateTag(previous, TAG.expiresAt) ?? (env.ephemeral && env.ttl ? new Date(createdAt.getTime() + env.ttl.default) : undefined);
  // An existing stack keeps its owner: a personal environment's name is not proof of who owns it.
  const owner = previous?.[TAG.owner] ?? env.owner ?? user;
  const tagFacts: StackTagFacts = { env: env.name, ...what, owner, createdAt };
  if (expiresAt) tagFacts.expiresAt = expiresAt;
  const facts: StackFacts = { owner, createdAt: createdAt.toISOString() };
  if (expiresAt) facts.expiresAt = expiresAt.toISOString();
  return { facts, tags: stackTags(tagFacts) };
}
