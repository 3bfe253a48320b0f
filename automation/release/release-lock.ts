import { StackLockedError, type Engine } from "../engine/port.js";
import { acquireStackLock, stackLockPath, type LockPurpose } from "../offline/stack-lock.js";
import { acquireBlobLeaseLock } from "./blob-lease-lock.js";
import { heldUntilReleased, type HeldLock } from "./held-lock.js";
import { lockContainerClient } from "./lock-container-client.js";
import { describeLocation, releaseLockPlacement } from "./lock-location.js";
import { ReleaseBusyError } from "./release-lock-errors.js";

export { ReleaseBusyError, ReleaseLockLostError } from "./release-lock-errors.js";
export type { HeldLock } from "./held-lock.js";

/**
 * One release per environment at a time, for every runner that shares the environment's state.
 * lock-location.ts decides where the lock lives (CONTOSO_RELEASE_LOCK, else beside the Pulumi
 * backend's state, else the engine's state folder); this is the one entry that takes it there:
 *  - a folder: the O_EXCL lock file `locks/release-<env>.lock` (stack-lock.ts: a dead holder on
 *    this host is recovered, a live one or one on another host is never stolen);
 *  - a blob container: a lease on `.contoso/locks/release-<env>` (blob-lease-lock.ts: a dead
 *    holder's lease expires; a lease lost under a live holder stops its run).
 */

export interface ReleaseLockOptions {
  /** What the holder is doing, recorded with the lock. */
  purpose?: LockPurpose;
  /** Where CONTOSO_RELEASE_LOCK, the storage settings and the CI run id are read. */
  env?: NodeJS.ProcessEnv;
  /** Told once, before acquiring, when the lock only serialises runs on this machine. */
  onWarning?: (line: string) => void;
  /** Blob lease duration in seconds (15-60); tests shorten it. */
  leaseSeconds?: number;
}

export async function acquireReleaseLock(
  engine: Pick<Engine, "kind" | "stateDir" | "backendUrl">,
  envName: string,
  options: ReleaseLockOptions = {},
): Promise<HeldLock> {
  const env = options.env ?? process.env;
  const purpose = options.purpose ?? "release";
  const placement = releaseLockPlacement(engine, env);
  if (placement.warning) options.onWarning?.(placement.warning);
  const { location } = placement;
  const name = `release-${envName}`;

  if (location.kind === "blob") {
    // lockContainerClient loads the storage SDK only now: the offline engine never pays for it.
    return acquireBlobLeaseLock({
      container: await lockContainerClient(location, env),
      blobName: `${location.blobPrefix}${name}`,
      envName,
      purpose,
      env,
      ...(options.leaseSeconds !== undefined ? { leaseSeconds: options.leaseSeconds } : {}),
    });
  }
  try {
    return heldUntilReleased(await acquireStackLock(location.dir, name, purpose), stackLockPath(location.dir, name));
  } catch (err) {
    if (err instanceof StackLockedError) {
      throw new ReleaseBusyError(
        `another release of ${envName} is running (${err.holder}, lock file in ${describeLocation(location)}); wait for it, or run "contoso release abort --env ${envName}" to turn it back`,
      );
    }
    throw err;
  }
}
