import type { OperationOptions } from "../engine/port.js";

/**
 * How the environment lifecycle runs engine operations without knowing how they are shown: the
 * CLI passes its progress runner (side by side on a terminal, one line per event in CI), tests
 * and other callers may pass `runDirectly`. Every task runs to its end even when another fails.
 */

export interface StackTask<T> {
  stack: string;
  verb: string;
  run(options: OperationOptions): Promise<T>;
}

export type TaskOutcome<T> = { stack: string; ok: true; value: T } | { stack: string; ok: false; error: Error };

export type TaskRunner = <T>(tasks: StackTask<T>[]) => Promise<TaskOutcome<T>[]>;

export function runDirectly(options: OperationOptions = {}): TaskRunner {
  return <T>(tasks: StackTask<T>[]) =>
    Promise.all(
      tasks.map(async (task): Promise<TaskOutcome<T>> => {
        try {
          return { stack: task.stack, ok: true, value: await task.run(options) };
        } catch (error) {
          return { stack: task.stack, ok: false, error: error as Error };
        }
      }),
    );
}

/** The values, or the first failure thrown (its type decides the exit code) once every task has finished. */
export function valuesOrThrow<T>(outcomes: TaskOutcome<T>[], log?: (line: string) => void): T[] {
  const failed = outcomes.filter((o): o is Extract<TaskOutcome<T>, { ok: false }> => !o.ok);
  if (failed.length === 0) return outcomes.map((o) => (o as Extract<TaskOutcome<T>, { ok: true }>).value);
  for (const f of failed.slice(1)) log?.(`error: ${f.error.message}`);
  throw failed[0]!.error;
}
