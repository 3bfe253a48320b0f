import * as path from "node:path";
import { InputError } from "../../environments/errors.js";
import type { Engine } from "../engine/port.js";
import { type LockPurpose } from "./file-lock.js";
import { acquireBlobLeaseLock } from "./blob-lease-lock.js";
import { acquireFileLease, FileLockBusyError } from "./file-lease-lock.js";
import { type HeldLock } from "./held-lock.js";
import { lockContainerClient } from "./lock-container-client.js";
import { describeLocation, releaseLockPlacement } from "./lock-location.js";
import { busyMessage, EnvironmentBusyError } from "./lock-errors.js";

export { EnvironmentBusyError, LockLostError } from "./lock-errors.js";
export type { HeldLock } from "./held-lock.js";

/**
 * One writer per environment, for every runner that shares the environment's state: every command
 * that changes an environment (global up/destroy, stamp up/destroy, env up/extend/down, reap,
 * release start/resume/abort) holds this lock for its whole read-decide-write. Read-only commands
 * never take it. lock-location.ts decides where the lock lives (CONTOSO_RELEASE_LOCK, else beside
 * the Pulumi backend's state, else the engine's state folder); this is the one entry that takes it:
 *  - a folder: the lease file `locks/release-<env>.lock` (file-lease-lock.ts: a holder renews its
 *    lease; a dead holder is taken over on any host once its lease expired, at once on this host);
 *  - a blob container: a lease on `.contoso/locks/release-<env>` (blob-lease-lock.ts: a dead
 *    holder's lease expires; a lease lost under a live holder stops its run).
 * The lock keeps the name `release-<env>` it had when only releases took it, so runners of the
 * previous version and this one still exclude each other.
 */

export interface EnvironmentLockOptions {
  /** What the holder is doing, recorded with the lock (e.g. "release", "global up"). */
  purpose?: LockPurpose;
  /** Where CONTOSO_RELEASE_LOCK, CONTOSO_LOCK_LEASE_SECONDS, the storage settings and the CI run id are read. */
  env?: NodeJS.ProcessEnv;
  /** Told once, before acquiring, when the lock only serialises runs on this machine. */
  onWarning?: (line: string) => void;
  /** Lease duration in seconds (a blob lease: 15-60); tests shorten it. */
  leaseSeconds?: number;
}

/** Lease of a lock file, in seconds (default 60, like the blob lease); a shorter one frees a dead holder's lock sooner. */
export const LOCK_LEASE_VAR = "CONTOSO_LOCK_LEASE_SECONDS";

export function lockName(envName: string): string {
  return `release-${envName}`;
}

export function fileLeaseSeconds(env: NodeJS.ProcessEnv): number | undefined {
  const raw = env[LOCK_LEASE_VAR]?.trim();
  if (raw === undefined || raw === "") return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 1 || value > 3600) {
    throw new InputError(`${LOCK_LEASE_VAR} "${raw}" must be a number of seconds from 1 to 3600 (e.g. 60)`);
  }
  return value;
}

export async function acquireEnvironmentLock(
  engine: Pick<Engine, "kind" | "stateDir" | "backendUrl">,
  envName: string,
  options: EnvironmentLockOptions = {},
): Promise<HeldLock> {
  const env = options.env ?? process.env;
  const purpose = options.purpose ?? "release";
  const placement = releaseLockPlacement(engine, env);
  const leaseSeconds = options.leaseSeconds ?? fileLeaseSeconds(env);
  if (placement.warning) options.onWarning?.(placement.warning);
  const { location } = placement;
  const name = lockName(envName);

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
  const runId = env["GITHUB_RUN_ID"]?.trim() || env["BUILD_BUILDID"]?.trim();
  try {
    return await acquireFileLease(path.join(location.dir, "locks", `${name}.lock`), {
      purpose,
      ...(leaseSeconds !== undefined ? { leaseMs: leaseSeconds * 1000 } : {}),
      ...(runId ? { runId } : {}),
    });
  } catch (err) {
    if (err instanceof FileLockBusyError) {
      throw new EnvironmentBusyError(busyMessage(envName, `${err.holder}, lock file in ${describeLocation(location)}`));
    }
    throw err;
  }
}

/**
 * Runs `work` holding the environment's lock, released however `work` ends (an error, an
 * interruption). `work` gets the lock to confirm before each change.
 */
export async function withEnvironmentLock<T>(
  engine: Pick<Engine, "kind" | "stateDir" | "backendUrl">,
  envName: string,
  options: EnvironmentLockOptions & { onRecovered?: (line: string) => void },
  work: (lock: HeldLock) => Promise<T>,
): Promise<T> {
  const lock = await acquireEnvironmentLock(engine, envName, options);
  if (lock.recoveredFrom) {
    const h = lock.recoveredFrom;
    options.onRecovered?.(`${envName}: took over the lock left by pid ${h.pid} on ${h.host} (${h.operation} since ${h.startedAt}), which is no longer running or whose lease expired`);
  }
  try {
    return await work(lock);
  } finally {
    await lock.release();
  }
}
