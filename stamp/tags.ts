import type { Environment } from "../environments/index.js";
import { stackTags } from "../environments/stacks.js";
import type { StackFacts } from "../global/contract.js";

/**
 * Resource tags of every stamp resource: the environment's own tags plus the stack facts
 * (`contoso:*`), so the reaper and cost reports can find a stamp's resources without its state.
 */
export function stampTags(env: Environment, region: string, release: string, facts: StackFacts): Record<string, string> {
  return {
    ...env.tags,
    ...stackTags({
      env: env.name,
      kind: "stamp",
      region,
      release,
      owner: facts.owner,
      createdAt: new Date(facts.createdAt),
      ...(facts.expiresAt ? { expiresAt: new Date(facts.expiresAt) } : {}),
    }),
  };
}
