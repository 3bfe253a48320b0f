import { InputError } from "../../environments/index.js";
import { currentUser } from "../stacks/stack-facts.js";

/**
 * Who owns a personal environment: `--owner` when given; otherwise CONTOSO_OWNER, then the
 * pipeline's identity (GitHub Actions: GITHUB_ACTOR; Azure Pipelines: BUILD_REQUESTEDFOREMAIL, the
 * person who queued the run), then the local login. The owner is a stack tag, so `env ls --owner`
 * and the reaper's report can say whose environment it is.
 */

const OWNER = /^[a-z0-9][a-z0-9._@-]{0,62}$/i;

export function validateOwner(owner: string): string {
  if (!OWNER.test(owner)) throw new InputError(`--owner "${owner}" must be a user or pipeline identity (1-63 letters, digits, . _ @ -)`);
  return owner;
}

export function resolveOwner(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flag !== undefined) return validateOwner(flag);
  const set = (key: string) => {
    const value = env[key]?.trim();
    return value ? value : undefined;
  };
  const pipeline = set("CONTOSO_OWNER") ?? set("GITHUB_ACTOR") ?? set("BUILD_REQUESTEDFOREMAIL");
  // currentUser cleans a raw identity to the owner tag's character set.
  return pipeline ? currentUser({ CONTOSO_OWNER: pipeline }) : currentUser(env);
}
