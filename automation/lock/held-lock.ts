import type { AcquiredLock } from "./file-lock.js";

/**
 * An environment lock this process holds, whichever kind it is. A lease (a lock file's or a blob's)
 * can end under us (broken from outside, or not renewed in time and taken over), so the holder asks
 * whether it still holds the lock before every change.
 */
export interface HeldLock extends AcquiredLock {
  /** Where the lock is (a lock file path or a blob URL), for messages. */
  readonly where: string;
  /** Aborted, with a LockLostError as its reason, once the lock is no longer ours. */
  readonly lost: AbortSignal;
  /** Throws the LockLostError once the lock is known to be lost (no I/O). */
  assertHeld(): void;
  /** Asks the lock's store whether it is still ours (a blob lease is renewed on the spot) and throws the LockLostError if not; called before every change. */
  confirmHeld(): Promise<void>;
}

/**
 * A release's checkpoint that first makes sure the lock is still ours. The reconciler passes a
 * checkpoint before and after every action, so a run whose lock was lost stops before its next
 * action instead of changing Front Door beside the run that may hold the lock now.
 */
export function checkpointWhileHeld(lock: Pick<HeldLock, "confirmHeld">, checkpoint: (name: string) => void | Promise<void>): (name: string) => Promise<void> {
  return async (name) => {
    await lock.confirmHeld();
    await checkpoint(name);
  };
}
