import { isInputError } from "../../environments/errors.js";
import { OperationError, PrerequisiteError, StackLockedError } from "../engine/port.js";

/** 2: the user can fix the input or install what is missing; 1: an operation failed (or a bug). */
export function exitCodeOf(err: unknown): number {
  if (isInputError(err) || err instanceof PrerequisiteError) return 2;
  if (err instanceof OperationError || err instanceof StackLockedError) return 1;
  // Errors of the release driver say their own code (e.g. 4: another release holds the environment).
  const code = (err as { exitCode?: unknown } | null)?.exitCode;
  return typeof code === "number" && Number.isInteger(code) && code > 0 ? code : 1;
}

/** The first non-empty line of an error: the CLI promises one line per failure. */
export function oneLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split("\n").map((l) => l.trim()).find((l) => l !== "") ?? "unknown error";
}
