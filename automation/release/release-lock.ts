import { acquireStackLock, type AcquiredLock } from "../offline/stack-lock.js";
import { StackLockedError } from "../engine/port.js";

/**
 * One release per environment at a time. The lock is the same O_EXCL lock file the offline engine
 * uses for stacks (a dead holder on this host is recovered, a live one or one on another host is
 * never stolen), kept in the engine's state folder under the name `release-<env>`.
 */
export class ReleaseBusyError extends Error {
  override readonly name = "ReleaseBusyError";
  readonly exitCode = 4;
}

export async function acquireReleaseLock(stateDir: string, env: string): Promise<AcquiredLock> {
  try {
    return await acquireStackLock(stateDir, `release-${env}`, "release");
  } catch (err) {
    if (err instanceof StackLockedError) {
      throw new ReleaseBusyError(`another release of ${env} is running (${err.holder}); wait for it, or run "contoso release abort --env ${env}" to turn it back`);
    }
    throw err;
  }
}
