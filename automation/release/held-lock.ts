import type { AcquiredLock } from "../offline/stack-lock.js";

/**
 * A release lock this process holds, whichever kind it is. A lock file cannot be taken from a live
 * holder, but a blob lease can end under us (broken from outside, or not renewed in time), so the
 * holder can ask whether it still holds the lock before every action.
 */
export interface HeldLock extends AcquiredLock {
  /** Where the lock is (a lock file path or a blob URL), for messages. */
  readonly where: string;
  /** Aborted, with a ReleaseLockLostError as its reason, once the lock is no longer ours. */
  readonly lost: AbortSignal;
  /** Throws the ReleaseLockLostError once the lock is known to be lost (no I/O). */
  assertHeld(): void;
  /** Asks the lock's store whether it is still ours (a blob lease is renewed on the spot) and throws the ReleaseLockLostError if not; called before every change. */
  confirmHeld(): Promise<void>;
}

/** A lock that cannot be lost while this process lives (the O_EXCL lock file). */
export function heldUntilReleased(lock: AcquiredLock, where: string): HeldLock {
  const lost = new AbortController().signal;
  return {
    where,
    lost,
    assertHeld: () => {},
    confirmHeld: async () => {},
    release: () => lock.release(),
    ...(lock.recoveredFrom ? { recoveredFrom: lock.recoveredFrom } : {}),
  };
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
