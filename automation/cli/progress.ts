import { Listr, ListrLogger, ProcessOutput } from "listr2";
import type { EngineEvent, OperationOptions } from "../engine/port.js";
import type { CliContext } from "./context.js";
import type { OutputMode } from "./output-mode.js";

/**
 * Runs engine operations on several stacks at once and shows their progress: side by side on a
 * terminal (listr2, redrawn in place, on stderr so stdout stays the command's result), one line
 * per event otherwise. Every task runs to its end even when another fails (a failed stamp must not
 * leave its siblings half-deployed and unreported); the caller decides what the failures mean.
 */

export interface StackTask<T> {
  stack: string;
  /** e.g. "up", "destroy", "preview". */
  verb: string;
  run(options: OperationOptions): Promise<T>;
}

export type TaskOutcome<T> = { stack: string; ok: true; value: T } | { stack: string; ok: false; error: Error };

const SYMBOL: Record<string, string> = { create: "+", update: "~", delete: "-", same: "=" };

/** One event as a plain line, or undefined for events too chatty for logs. */
export function formatEvent(event: EngineEvent): string | undefined {
  switch (event.type) {
    case "started":
      return `${event.stack}: ${event.operation} started`;
    case "resource":
      return event.step === "same" ? undefined : `${event.stack}: ${SYMBOL[event.step]} ${event.resourceType} ${event.name}`;
    case "log":
      return event.level === "info" ? undefined : `${event.stack}: ${event.level}: ${event.message}`;
    case "finished":
      return event.ok
        ? `${event.stack}: ${event.operation} done in ${(event.durationMs / 1000).toFixed(1)}s`
        : `${event.stack}: ${event.operation} failed after ${(event.durationMs / 1000).toFixed(1)}s: ${event.error ?? "unknown error"}`;
  }
}

export async function runStackTasks<T>(ctx: CliContext, mode: OutputMode, tasks: StackTask<T>[]): Promise<TaskOutcome<T>[]> {
  if (mode === "tty") return runWithListr(ctx, tasks);
  return Promise.all(
    tasks.map(async (task): Promise<TaskOutcome<T>> => {
      try {
        const value = await task.run({
          signal: ctx.signal,
          onEvent: (event) => {
            const line = formatEvent(event);
            if (line) ctx.log(line);
          },
        });
        return { stack: task.stack, ok: true, value };
      } catch (error) {
        return { stack: task.stack, ok: false, error: error as Error };
      }
    }),
  );
}

async function runWithListr<T>(ctx: CliContext, tasks: StackTask<T>[]): Promise<TaskOutcome<T>[]> {
  const outcomes = new Map<string, TaskOutcome<T>>();
  const list = new Listr(
    tasks.map((task) => ({
      title: `${task.stack}: ${task.verb}`,
      task: async (_: unknown, wrapper: { title: string; output: string }) => {
        let changed = 0;
        try {
          const value = await task.run({
            signal: ctx.signal,
            onEvent: (event) => {
              if (event.type === "resource" && event.step !== "same") changed++;
              const line = formatEvent(event);
              if (line && event.type !== "finished") wrapper.output = line.slice(event.stack.length + 2);
            },
          });
          outcomes.set(task.stack, { stack: task.stack, ok: true, value });
          wrapper.title = `${task.stack}: ${task.verb} done (${changed} changes)`;
        } catch (error) {
          outcomes.set(task.stack, { stack: task.stack, ok: false, error: error as Error });
          throw error;
        }
      },
    })),
    {
      concurrent: true,
      exitOnError: false,
      rendererOptions: { collapseErrors: false, logger: new ListrLogger({ processOutput: new ProcessOutput(process.stderr, process.stderr) }) },
    },
  );
  await list.run().catch(() => undefined);
  return tasks.map((t) => outcomes.get(t.stack) ?? { stack: t.stack, ok: false, error: new Error("did not run") });
}

/** Throws the first failure (its type decides the exit code) after reporting every other one. */
export function throwIfFailed<T>(ctx: CliContext, outcomes: TaskOutcome<T>[]): T[] {
  const failed = outcomes.filter((o): o is Extract<TaskOutcome<T>, { ok: false }> => !o.ok);
  if (failed.length === 0) return outcomes.map((o) => (o as Extract<TaskOutcome<T>, { ok: true }>).value);
  for (const f of failed.slice(1)) ctx.log(`error: ${f.error.message}`);
  throw failed[0]!.error;
}
