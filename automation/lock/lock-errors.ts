/**
 * The two ways the environment lock stops a command: someone else holds it (nothing was done), or
 * this run held it and lost it (the run stops before its next action, so two runs never change the
 * environment at once).
 */

/** Another live run holds the environment's lock: exit code 4, nothing changed. */
export class EnvironmentBusyError extends Error {
  override readonly name = "EnvironmentBusyError";
  readonly exitCode = 4;
}

/** The lease under this run's lock was broken, expired or taken over: exit code 1; run the command again once the lock is free. */
export class LockLostError extends Error {
  override readonly name = "LockLostError";
  readonly exitCode = 1;
}

/** The one line a second writer gets: who holds the environment, where the lock is, what to do. */
export function busyMessage(envName: string, holderAndPlace: string): string {
  return `another run is changing ${envName} (${holderAndPlace}); wait for it, or run "contoso release abort --env ${envName}" to turn a running release back`;
}
