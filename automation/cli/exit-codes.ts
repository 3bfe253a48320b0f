import { isInputError } from "../../environments/errors.js";
import { OperationError, PrerequisiteError, StackLockedError } from "../engine/port.js";
import { escapeControl } from "./escape-control.js";

/**
 * The CLI's exit codes, one meaning each, so a pipeline can act on them:
 *   0 success;
 *   1 an operation failed (or a bug): fix the cause and run again (`release resume` for a release);
 *   2 bad input or a missing prerequisite, reported in one line before anything was written;
 *   3 a release failed and was rolled back (or was aborted) to blue;
 *   4 another run holds the environment's lock: nothing was done, the line names the holder;
 *   5 interrupted (SIGINT/SIGTERM): the current wait stopped, nothing was recorded as passed and
 *     the lock was released; run the command again (`release resume`, or `release abort`).
 */
export { EXIT_INTERRUPTED } from "../release/interruption.js";
export function exitCodeOf(err: unknown): number {
  if (isInputError(err) || err instanceof PrerequisiteError) return 2;
  if (err instanceof OperationError || err instanceof StackLockedError) return 1;
  // Errors of the release driver say their own code (e.g. 4: another release holds the environment).
  const code = (err as { exitCode?: unknown } | null)?.exitCode;
  return typeof code === "number" && Number.isInteger(code) && code > 0 ? code : 1;
}

/**
 * The CLI promises one line per failure. A bad input's message is ours, one line by construction:
 * any control character in it came from the user, so the whole message is shown with them escaped.
 * Another error (a tool's multi-line output) is cut to its first non-empty line, escaped too.
 */
export function oneLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  if (isInputError(err) || err instanceof PrerequisiteError) return escapeControl(text.trim()) || "unknown error";
  return escapeControl(text.split("\n").map((l) => l.trim()).find((l) => l !== "") ?? "unknown error");
}
