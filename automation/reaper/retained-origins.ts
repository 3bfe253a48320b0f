import { loadEnvironment } from "../../environments/index.js";
import { globalStackName, parseStackName } from "../../environments/stacks.js";
import type { Engine, OperationOptions } from "../engine/port.js";
import { retainedOriginsDrop } from "../release/decide.js";
import { checkDropRetained, InvariantError } from "../release/invariants.js";
import { retentionFromTags, retentionToTags } from "../release/retention-tag.js";
import { currentGlobalOutputs, globalStack } from "../stacks/global-stack.js";

/**
 * The Front Door side of the reaper's one exception (plan.ts): the stamps of a retained blue whose
 * undo window ended. Before they are destroyed, their origins (disabled since the promotion) leave
 * the origin group in one global update, as the release's own drop step does (decide.ts,
 * `dropRetained`); once every stamp of that release is gone, the retention record is cleared.
 *
 * Why the origins go first: Front Door's health probes go to every origin configured in an origin
 * group ("each Front Door profile periodically sends a synthetic HTTP/HTTPS request to all your
 * configured origins", learn.microsoft.com/azure/frontdoor/health-probes); a disabled origin is only
 * left out of routing. Left pointing at a destroyed web app, its probes fail and pull down the
 * OriginHealthPercentage metric that the global stack's origin-health alert watches, until the next
 * release drops it.
 *
 * The caller holds the environment's lock. The update is guarded like the release's: the serving
 * origins and their weights stay exactly as they were, and only origins of the retained release go
 * (`checkDropRetained`); an origin of it that is enabled, or a release of it that is live, refuses.
 */

/** The release of a stamp stack (`prod-weu-r1` → `r1`); undefined for any other name. */
export function releaseOfStamp(stack: string): string | undefined {
  try {
    const parsed = parseStackName(stack);
    return parsed.kind === "stamp" ? parsed.release : undefined;
  } catch {
    return undefined;
  }
}

/** Removes the retained release's origins from the environment's Front Door; returns how many went (0: none were left). */
export async function dropRetainedOrigins(engine: Engine, envName: string, release: string, operation: OperationOptions = {}): Promise<number> {
  const env = loadEnvironment(envName);
  const current = await currentGlobalOutputs(engine, env);
  if (!current) return 0;
  const drop = retainedOriginsDrop(current, release);
  if (drop === "serving") {
    throw new InvariantError([{ invariant: "retained stamps take no traffic", detail: `release ${release} serves traffic in ${envName}: its origins stay` }]);
  }
  if (!drop) return 0;
  const violations = checkDropRetained(release, drop.origins, current.origins);
  if (violations.length > 0) throw new InvariantError(violations);
  await engine.up(await globalStack(engine, env, { origins: drop.origins, liveRelease: current.liveRelease }), operation);
  return drop.removed;
}

/** Clears the retention record once it names `release` and none of that release's stamps is left; whether it cleared it. */
export async function forgetEndedRetention(engine: Engine, envName: string, release: string): Promise<boolean> {
  const globalName = globalStackName(envName);
  const stacks = await engine.listStacks();
  const global = stacks.find((s) => s.name === globalName);
  if (!global || retentionFromTags(global.tags, globalName)?.release !== release) return false;
  const left = stacks.some((s) => releaseOfStamp(s.name) === release && parseStackName(s.name).env === envName);
  if (left) return false;
  await engine.setTags(globalName, retentionToTags(null));
  return true;
}
