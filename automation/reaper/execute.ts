import pLimit from "p-limit";
import type { Engine, EngineEvent } from "../engine/port.js";
import type { ReapDecision } from "./plan.js";
import { policyOf } from "./observe.js";
import { destroyStack } from "../stacks/destroy-stack.js";

/**
 * Carries out the destroy decisions of a plan: at most `concurrency` engine operations at once,
 * every environment's stamps before its global stack, and its global stack only once all of them
 * are gone. A stack that fails stays in the backend (and so in the next run's plan): it is
 * reported, never dropped.
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
}

export async function executeReap(engine: Engine, decisions: ReapDecision[], options: ExecuteOptions): Promise<ReapOutcome[]> {
  const limit = pLimit(options.concurrency);
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
  await Promise.all(
    [...byEnv.values()].map(async (list) => {
      const stamps = list.filter((d) => d.kind !== "global");
      const globals = list.filter((d) => d.kind === "global");
      const results = await Promise.all(stamps.map(run));
      const failed = stamps.filter((_, i) => !results[i]).map((d) => d.stack);
      for (const g of globals) {
        if (failed.length > 0) {
          outcomes.set(g.stack, { ...g, result: "skipped", detail: `its stamps ${failed.join(", ")} were not destroyed; retried next run` });
        } else await run(g);
      }
    }),
  );
  return decisions.map((d) => outcomes.get(d.stack)!);
}
