/**
 * A cancel is an interruption, not a failure. When a pipeline cancels (SIGTERM) or an operator hits
 * Ctrl-C (SIGINT), the current wait stops at once, nothing is recorded as passed, the release stays
 * where it is, the lock is released and the command exits with EXIT_INTERRUPTED: "resume me", which
 * a pipeline tells apart from 1 (failed) and 3 (rolled back).
 */

export const EXIT_INTERRUPTED = 5;

export class InterruptedError extends Error {
  override readonly name = "InterruptedError";
  readonly exitCode = EXIT_INTERRUPTED;
}

/** The reason an interrupted wait rejects with: the signal's reason when it is one, else a new InterruptedError. */
export function interruptionOf(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new InterruptedError(typeof reason === "string" ? reason : "interrupted");
}

/**
 * An abort asked for by another process while this one runs the release: the running bake or gate
 * stops (within one probe interval), nothing is recorded as passed, and the reconciler observes
 * again, now with the release turned back.
 */
export class TurnBackRequested extends Error {
  override readonly name = "TurnBackRequested";
}
