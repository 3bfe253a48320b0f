import pLimit from "p-limit";
import type { Engine, EngineEvent } from "../engine/port.js";
import type { ReapDecision } from "./plan.js";
import { policyOf } from "./observe.js";
import { destroyStack } from "../stacks/destroy-stack.js";
import { dropRetainedOrigins, forgetEndedRetention, releaseOfStamp } from "./retained-origins.js";

/**
 * Carries out the destroy decisions of a plan: at most `concurrency` engine operations at once,
 * every environment's stamps before its global stack, and its global stack only once all of them
 * are gone. A stack that fails stays in the backend (and so in the next run's plan): it is
 * reported, never dropped. The stamps of a retained blue whose undo window ended leave Front Door
 * first (their disabled origins, in one global update) and their retention record after them
 * (retained-origins.ts); a failed origin update keeps them for the next run.
 */

export type ReapResult = "destroyed" | "failed" | "skipped" | "kept" | "would-destroy";

export interface ReapOutcome extends ReapDecision {
  result: ReapResult;
  /** Why a destroy failed or was skipped. */
  detail?: string;
}

export interface ExecuteOptions {
  concurrency: number;
  signal?: AbortSignal;
  onEvent?: (event: EngineEvent) => void;
  /** Rejects when this run no longer holds the environment's release lock; awaited before each destroy starts. */
  confirmHeld?: (env: string) => Promise<void>;
  /** The Front Door side of a retained blue's end (default: retained-origins.ts; tests record it). */
  retainedOrigins?: RetainedOriginsOps;
  /** Progress lines (stderr): the origin updates and record clearing beside the stacks' own events. */
  log?: (line: string) => void;
}

export interface RetainedOriginsOps {
  drop(engine: Engine, env: string, release: string, operation: { signal?: AbortSignal; onEvent?: (event: EngineEvent) => void }): Promise<number>;
  forget(engine: Engine, env: string, release: string): Promise<boolean>;
}

const RETAINED_ORIGINS: RetainedOriginsOps = { drop: dropRetainedOrigins, forget: forgetEndedRetention };

export async function executeReap(engine: Engine, decisions: ReapDecision[], options: ExecuteOptions): Promise<ReapOutcome[]> {
  const limit = pLimit(options.concurrency);
  const retainedOrigins = options.retainedOrigins ?? RETAINED_ORIGINS;
  const operation = { ...(options.signal ? { signal: options.signal } : {}), ...(options.onEvent ? { onEvent: options.onEvent } : {}) };
  const outcomes = new Map<string, ReapOutcome>();
  for (const d of decisions) if (d.action === "keep") outcomes.set(d.stack, { ...d, result: "kept" });

  const run = async (d: ReapDecision): Promise<boolean> => {
    // Belt and braces: whatever the plan says, a protected environment's stack is not touched here —
    // except a retained blue stamp whose undo window ended, the release's own deferred destroy.
    const deferredByRelease = d.cause === "retention-ended" && d.kind === "stamp";
    if (d.env === null || (policyOf(d.env)?.protected !== false && !(deferredByRelease && policyOf(d.env) !== undefined))) {
      outcomes.set(d.stack, { ...d, result: "skipped", detail: `refused: ${d.env ?? "its environment"} is protected or unknown` });
      return false;
    }
    try {
      await limit(async () => {
        // Checked when the destroy really starts: a lease lost while waiting for a slot stops it here.
        await options.confirmHeld?.(d.env!);
        await destroyStack(engine, d.stack, operation);
      });
      outcomes.set(d.stack, { ...d, result: "destroyed" });
      return true;
    } catch (err) {
      outcomes.set(d.stack, { ...d, result: "failed", detail: `${(err as Error).message}; retried next run` });
      return false;
    }
  };

  const byEnv = new Map<string, ReapDecision[]>();
  for (const d of decisions) {
    if (d.action !== "destroy") continue;
    const key = d.env ?? "";
    byEnv.set(key, [...(byEnv.get(key) ?? []), d]);
  }
  /** Removes the origins of each retained release before its stamps go; the stamps of a release whose origins stayed are failed, not destroyed. */
  const dropOrigins = async (env: string, stamps: ReapDecision[]): Promise<ReapDecision[]> => {
    // Only where run() will destroy them: an environment with a definition (the same belt and braces).
    if (policyOf(env) === undefined) return stamps;
    const blocked = new Set<ReapDecision>();
    for (const [release, ofRelease] of retainedByRelease(stamps)) {
      try {
        await limit(async () => {
          await options.confirmHeld?.(env);
          const dropped = await retainedOrigins.drop(engine, env, release, operation);
          if (dropped > 0) options.log?.(`${env}: removed the ${dropped} disabled origin${dropped === 1 ? "" : "s"} of retained release ${release} from Front Door before destroying its stamps`);
        });
      } catch (err) {
        const why = `removing the disabled origins of ${release} from Front Door first failed: ${(err as Error).message}; retried next run`;
        for (const d of ofRelease) {
          blocked.add(d);
          outcomes.set(d.stack, { ...d, result: "failed", detail: why });
        }
      }
    }
    return stamps.filter((d) => !blocked.has(d));
  };
  /** Clears the retention record once every stamp of its release is destroyed; a failure is a line on the last one (the next release clears it). */
  const forget = async (env: string, stamps: ReapDecision[]) => {
    for (const [release, ofRelease] of retainedByRelease(stamps)) {
      if (!ofRelease.every((d) => outcomes.get(d.stack)?.result === "destroyed")) continue;
      try {
        await options.confirmHeld?.(env);
        if (await retainedOrigins.forget(engine, env, release)) options.log?.(`${env}: the undo window of ${release} is closed (its retention record cleared)`);
      } catch (err) {
        const last = ofRelease.at(-1)!;
        outcomes.set(last.stack, { ...last, result: "destroyed", detail: `the retention record of ${release} could not be cleared (${(err as Error).message}); the next release clears it` });
      }
    }
  };

  await Promise.all(
    [...byEnv.entries()].map(async ([env, list]) => {
      const stamps = await dropOrigins(env, list.filter((d) => d.kind !== "global"));
      const globals = list.filter((d) => d.kind === "global");
      await Promise.all(stamps.map(run));
      await forget(env, stamps);
      const failed = list.filter((d) => d.kind !== "global" && outcomes.get(d.stack)?.result !== "destroyed").map((d) => d.stack);
      for (const g of globals) {
        if (failed.length > 0) {
          outcomes.set(g.stack, { ...g, result: "skipped", detail: `its stamps ${failed.join(", ")} were not destroyed; retried next run` });
        } else await run(g);
      }
    }),
  );
  return decisions.map((d) => outcomes.get(d.stack)!);
}

/** The retained blues' stamps of a plan, by release (their stack names carry it). */
function retainedByRelease(stamps: ReapDecision[]): Map<string, ReapDecision[]> {
  const byRelease = new Map<string, ReapDecision[]>();
  for (const d of stamps) {
    const release = d.cause === "retention-ended" ? releaseOfStamp(d.stack) : undefined;
    if (release !== undefined) byRelease.set(release, [...(byRelease.get(release) ?? []), d]);
  }
  return byRelease;
}
