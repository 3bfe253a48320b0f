/**
 * The two ways the release lock stops a command: someone else holds it (nothing was done), or this
 * run held it and lost it (the run stops before its next action, so two runs never change Front
 * Door at once).
 */

/** Another live run holds the environment's release lock: exit code 4, nothing changed. */
export class ReleaseBusyError extends Error {
  override readonly name = "ReleaseBusyError";
  readonly exitCode = 4;
}

/** The lease under this run's lock was broken or expired: exit code 1; `release resume` carries on once the lock is free. */
export class ReleaseLockLostError extends Error {
  override readonly name = "ReleaseLockLostError";
  readonly exitCode = 1;
}
