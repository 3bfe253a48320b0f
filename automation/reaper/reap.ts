import type { Engine, EngineEvent } from "../engine/port.js";
import type { HeldLock } from "../lock/held-lock.js";
import { acquireEnvironmentLock, EnvironmentBusyError } from "../lock/environment-lock.js";
import { executeReap, type ReapOutcome } from "./execute.js";
import { observeForReap } from "./observe.js";
import { planReap, type ReapDecision } from "./plan.js";

/**
 * One reaper run: observe, plan (pure), and unless it is a dry run, take the release lock of every
 * environment it is about to change (so a release or an `env up` never races it), observe and plan
 * again under the locks, and destroy. A dry run reads only: it writes nothing, not even a lock.
 */

export interface ReapOptions {
  now: Date;
  graceMs: number;
  env?: string;
  dryRun: boolean;
  concurrency: number;
  signal?: AbortSignal;
  onEvent?: (event: EngineEvent) => void;
  log?: (line: string) => void;
}

export interface ReapReport {
  now: string;
  dryRun: boolean;
  graceMs: number;
  env: string | null;
  stacks: ReapOutcome[];
  summary: { found: number; destroyed: number; wouldDestroy: number; kept: number; failed: number; skipped: number };
}

function plan(observation: Awaited<ReturnType<typeof observeForReap>>, options: ReapOptions): ReapDecision[] {
  return planReap({ ...observation, now: options.now, graceMs: options.graceMs, ...(options.env !== undefined ? { env: options.env } : {}) });
}

export async function reap(engine: Engine, options: ReapOptions): Promise<ReapReport> {
  const first = plan(await observeForReap(engine), options);
  if (options.dryRun) {
    return report(options, first.map((d) => ({ ...d, result: d.action === "destroy" ? "would-destroy" : "kept" })));
  }
  const envs = [...new Set(first.filter((d) => d.action === "destroy" && d.env !== null).map((d) => d.env!))].sort();
  if (envs.length === 0) return report(options, first.map((d) => ({ ...d, result: "kept" })));

  const locks = new Map<string, HeldLock>();
  const busy = new Map<string, string>();
  try {
    for (const env of envs) {
      try {
        const lock = await acquireEnvironmentLock(engine, env, { purpose: "reap", ...(options.log ? { onWarning: options.log } : {}) });
        if (lock.recoveredFrom) options.log?.(`${env}: took over the lock left by pid ${lock.recoveredFrom.pid} on ${lock.recoveredFrom.host}, which is no longer running or whose lease expired`);
        locks.set(env, lock);
      } catch (err) {
        if (!(err instanceof EnvironmentBusyError)) throw err;
        busy.set(env, err.message.split(";")[0]!);
      }
    }
    // The world may have moved between the first look and the locks: decide again on what is there now.
    const second = plan(await observeForReap(engine), options).map((d): ReapDecision => {
      if (d.action !== "destroy" || (d.env !== null && locks.has(d.env))) return d;
      const why = d.env !== null && busy.has(d.env) ? `${busy.get(d.env)}: retried next run` : "became a candidate while this run started: next run";
      return { ...d, action: "keep", reason: `${d.reason}; not now: ${why}` };
    });
    const outcomes = await executeReap(engine, second, {
      concurrency: options.concurrency,
      confirmHeld: async (env) => locks.get(env)?.confirmHeld(),
      ...(options.log ? { log: options.log } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    });
    return report(options, outcomes);
  } finally {
    await Promise.all([...locks.values()].map((l) => l.release()));
  }
}

function report(options: ReapOptions, stacks: ReapOutcome[]): ReapReport {
  const count = (result: ReapOutcome["result"]) => stacks.filter((s) => s.result === result).length;
  return {
    now: options.now.toISOString(),
    dryRun: options.dryRun,
    graceMs: options.graceMs,
    env: options.env ?? null,
    stacks,
    summary: {
      found: stacks.length,
      destroyed: count("destroyed"),
      wouldDestroy: count("would-destroy"),
      kept: count("kept"),
      failed: count("failed"),
      skipped: count("skipped"),
    },
  };
}
