import type { Environment } from "../environments/index.js";
import { TAG } from "../environments/stacks.js";
import type { StackFacts } from "./contract.js";

/**
 * The tags every resource of a global stack carries: the environment's own tags plus the stack
 * facts (DESIGN.md, "Stack naming and tags"). The live release is deliberately left out: it
 * changes with every release, and as a tag it would turn each weight switch into an update of
 * every tagged resource. It lives in the stack's outputs and stack tags instead.
 */
export function globalResourceTags(env: Environment, facts: StackFacts): Record<string, string> {
  const tags: Record<string, string> = {
    ...env.tags,
    [TAG.env]: env.name,
    [TAG.kind]: "global",
    [TAG.region]: "global",
    [TAG.owner]: facts.owner,
    [TAG.createdAt]: facts.createdAt,
  };
  if (facts.expiresAt) tags[TAG.expiresAt] = facts.expiresAt;
  return tags;
}
