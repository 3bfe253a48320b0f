import type { Command } from "commander";
import { parseDuration } from "../../../environments/duration.js";
import { InputError } from "../../../environments/errors.js";
import { validateEnvName } from "../../../environments/stacks.js";
import { parseNow } from "../../environments/ttl.js";
import { reap } from "../../reaper/reap.js";
import { reapTable, summaryLine } from "../../reaper/report.js";
import type { CliContext } from "../context.js";
import { formatEvent } from "../progress.js";

/**
 * `contoso reap`: destroys expired personal environments and orphan stamps, stamps before their
 * global stack, a few at a time. Protected environments (prod, staging) are never destroyed and a
 * stamp with an enabled Front Door origin in an environment that stays is never destroyed. Exit 1
 * when a stack failed to destroy (it stays listed and the next run retries it).
 */

export const DEFAULT_GRACE = "2h";
export const DEFAULT_CONCURRENCY = 4;
const MAX_CONCURRENCY = 32;

export function register(program: Command, ctx: CliContext): void {
  program
    .command("reap")
    .description("destroy expired personal environments and orphan stamps (never prod or staging, never a serving stamp)")
    .option("--dry-run", "show what would be destroyed and why; change nothing")
    .option("--older-than <duration>", "grace period: a stamp nobody serves is an orphan only once this old", DEFAULT_GRACE)
    .option("--env <name>", "only this environment")
    .option("--concurrency <n>", "destroy at most this many stacks at once", String(DEFAULT_CONCURRENCY))
    .option("--now <iso>", "the time to decide against (default: now), e.g. to replay a decision")
    .action(async (opts: { dryRun?: boolean; olderThan: string; env?: string; concurrency: string; now?: string }, command: Command) => {
      const graceMs = parseDuration(opts.olderThan, "--older-than");
      if (opts.env !== undefined) validateEnvName(opts.env);
      const concurrency = Number(opts.concurrency);
      if (!/^\d+$/.test(opts.concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY) {
        throw new InputError(`--concurrency "${opts.concurrency}" must be a whole number from 1 to ${MAX_CONCURRENCY}`);
      }
      const now = parseNow(opts.now);
      const engine = await ctx.engine(command);
      const result = await reap(engine, {
        now,
        graceMs,
        dryRun: opts.dryRun === true,
        concurrency,
        signal: ctx.signal,
        ...(opts.env !== undefined ? { env: opts.env } : {}),
        log: (line) => ctx.log(line),
        onEvent: (event) => {
          // Each stack's start and end (and warnings); the per-resource lines would drown them.
          if (event.type === "resource") return;
          const line = formatEvent(event);
          if (line) ctx.log(line);
        },
      });
      if (ctx.mode(command) === "json") ctx.print(JSON.stringify(result, null, 2));
      else ctx.print(reapTable(result, ctx.width()));
      const failed = result.stacks.filter((s) => s.result === "failed");
      if (failed.length > 0) {
        throw new Error(`reap incomplete (${summaryLine(result)}): ${failed.map((s) => s.stack).join(", ")} failed to destroy; they stay listed and the next run retries them`);
      }
    });
}
