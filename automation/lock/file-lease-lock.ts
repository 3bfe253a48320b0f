import { randomUUID } from "node:crypto";
import { mkdir, rename, rm, rmdir, writeFile } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { describeHolder, processIsAlive, type LockHolder, type LockPurpose } from "./file-lock.js";
import type { HeldLock } from "./held-lock.js";
import { LockLostError } from "./lock-errors.js";
import { ABANDONED_EMPTY_LOCK_MS, createLockFile, lockFileAgeMs as ageMs, readLockFile, type LockFileHolder } from "./lock-file.js";

/**
 * The environment lock in a folder (the offline state folder, or a `file://` backend shared by
 * several machines), with the blob lease's semantics: a lock file, created exclusively and whole
 * (lock-file.ts), holds the holder and a lease that expires; the holder renews it while it works. A
 * holder that died stops renewing, so once its lease is past expiry any runner on any host takes the lock over (and
 * reports whom it took it from). A holder on this host whose process is gone is taken over at once.
 *
 * Takeover and renewal both rewrite the lock file, so they are serialised by a short-lived guard
 * file (`<lock>.guard`, created the same way): a renewal can never overwrite the lock a taker just created, and
 * two takers never both win. A guard left by a process killed inside those few milliseconds is
 * removed once it is older than GUARD_STALE_MS.
 *
 * A live holder that could not renew (paused, or its disk went away) for longer than its lease may
 * have been taken over: it learns so at its next renewal or check (the file holds another token),
 * its `lost` signal fires, and its run stops before its next change.
 */

export interface FileLeaseHolder extends LockHolder {
  /** Unique per acquisition: tells this holder's lock from a later one by the same pid. */
  token: string;
  leaseMs: number;
  expiresAt: string;
}

export interface FileLeaseOptions {
  purpose: LockPurpose;
  leaseMs?: number;
  /** CI run id, recorded with the holder. */
  runId?: string;
  /** The clock (tests move it). */
  now?: () => number;
  /**
   * Called by a renewal under the guard, once it found the lock still ours and before it rewrites
   * it. Tests hold a renewal there to show that a release meanwhile leaves no lock behind.
   */
  beforeRenewalWrite?: () => Promise<void>;
}

export const DEFAULT_FILE_LEASE_MS = 60_000;
const GUARD_STALE_MS = 30_000;

export class FileLockBusyError extends Error {
  override readonly name = "FileLockBusyError";
  constructor(
    readonly file: string,
    readonly holder: string,
  ) {
    super(`${file} is held by ${holder}`);
  }
}

export function describeLeaseHolder(holder: LockFileHolder<FileLeaseHolder>): string {
  return `${describeHolder(holder)}${holder.expiresAt ? `, lease until ${holder.expiresAt}` : ""}`;
}

export async function acquireFileLease(file: string, options: FileLeaseOptions): Promise<HeldLock> {
  const now = options.now ?? Date.now;
  const leaseMs = options.leaseMs ?? DEFAULT_FILE_LEASE_MS;
  if (!Number.isFinite(leaseMs) || leaseMs < 500) throw new RangeError(`a file lease lasts at least 500 ms, not ${leaseMs}`);
  await mkdir(path.dirname(file), { recursive: true });
  const me: FileLeaseHolder = {
    pid: process.pid,
    host: os.hostname(),
    operation: options.purpose,
    startedAt: new Date(now()).toISOString(),
    ...(options.runId ? { runId: options.runId } : {}),
    token: randomUUID(),
    leaseMs,
    expiresAt: new Date(now() + leaseMs).toISOString(),
  };
  let recoveredFrom: LockHolder | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await createExclusive(file, me)) return held(file, me, now, recoveredFrom, options.beforeRenewalWrite);
    const holder = await readLease(file);
    if (holder === "gone") continue;
    const stale = holder === "unreadable" ? (await ageMs(file)) > ABANDONED_EMPTY_LOCK_MS : staleReason(holder, now);
    if (!stale) {
      throw new FileLockBusyError(file, holder === "unreadable" ? `an unreadable lock file ${file}` : describeLeaseHolder(holder));
    }
    // Take it over under the guard, after checking again that it is the same stale lock.
    const taken = await underGuard(file, async () => {
      const again = await readLease(file);
      if (again === "gone") return true;
      if (holder === "unreadable" ? again !== "unreadable" : again === "unreadable" || again.token !== holder.token) return false;
      await rm(file, { force: true });
      me.expiresAt = new Date(now() + leaseMs).toISOString();
      return createExclusive(file, me);
    });
    if (taken === true && (await isMine(file, me))) {
      return held(file, me, now, holder === "unreadable" ? { pid: 0, host: "unknown", operation: options.purpose, startedAt: "unknown" } : holder, options.beforeRenewalWrite);
    }
    if (taken === "guard-busy") throw new FileLockBusyError(file, "another runner that is taking over a dead holder's lock right now");
    recoveredFrom = undefined;
  }
  const last = await readLease(file);
  throw new FileLockBusyError(file, typeof last === "string" ? "another runner" : describeLeaseHolder(last));
}

/** Why a holder's lock may be taken over, or undefined while it is live. */
function staleReason(holder: LockFileHolder<FileLeaseHolder>, now: () => number): string | undefined {
  if (holder.host === os.hostname() && !processIsAlive(holder.pid)) return "its process is gone";
  // A lock file of an older version (no lease) on another host: only its expiry could free it; it has none, so it stays.
  if (!holder.expiresAt) return undefined;
  const expires = Date.parse(holder.expiresAt);
  return Number.isFinite(expires) && expires < now() ? `its lease expired at ${holder.expiresAt}` : undefined;
}

function held(
  file: string,
  me: FileLeaseHolder,
  now: () => number,
  recoveredFrom: LockHolder | undefined,
  beforeRenewalWrite: (() => Promise<void>) | undefined,
): HeldLock {
  const controller = new AbortController();
  const lose = (why: string) => {
    if (!controller.signal.aborted) controller.abort(new LockLostError(`the lock ${file} is no longer ours (${why}): this run stops before its next change; run it again once the lock is free`));
  };
  const assertHeld = () => {
    if (controller.signal.aborted) throw controller.signal.reason as LockLostError;
  };
  let released = false;
  const renewOnce = async (): Promise<void> => {
    if (released || controller.signal.aborted) return;
    const outcome = await underGuard(file, async () => {
      const current = await readLease(file);
      if (current === "gone" || current === "unreadable" || current.token !== me.token) return false;
      await beforeRenewalWrite?.();
      me.expiresAt = new Date(now() + me.leaseMs).toISOString();
      const tmp = `${file}.${me.token}.tmp`;
      await writeFile(tmp, JSON.stringify(me));
      await rename(tmp, file);
      return true;
    });
    if (released) return;
    if (outcome === false) lose("another runner took it over after its lease expired");
    else if (outcome === "guard-busy" && Date.parse(me.expiresAt) < now()) lose(`its lease expired at ${me.expiresAt} before it could be renewed`);
  };
  // One renewal at a time (the timer's and a check's join), so release() can wait for the one in flight.
  let inFlight: Promise<void> | undefined;
  const renew = (): Promise<void> => {
    inFlight ??= renewOnce().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
  // A renewal every third of the lease: two can fail (a busy guard, a slow disk) before it expires.
  const timer = setInterval(() => void renew().catch((err: Error) => lose(`renewal failed: ${err.message}`)), Math.max(100, me.leaseMs / 3));
  timer.unref();
  return {
    where: file,
    lost: controller.signal,
    assertHeld,
    confirmHeld: async () => {
      assertHeld();
      await renew();
      assertHeld();
    },
    release: async () => {
      released = true;
      clearInterval(timer);
      // A renewal in flight rewrites the lock file (write, then rename): removed before it lands,
      // the lock would come back naming this process after it exited, and block every other runner
      // until its lease expired (found by the every-call crash run, under load). Wait for it first.
      await inFlight?.catch(() => undefined);
      // Checked and removed under the guard, as a takeover is, so a runner taking over an expired
      // lease between the check and the removal never loses its new lock. The guard is held for
      // milliseconds; if it stays busy, a taker is at work and the lock is no longer ours to remove.
      for (let attempt = 0; attempt < 3; attempt++) {
        const outcome = await underGuard(file, async () => {
          if (await isMine(file, me)) await rm(file, { force: true });
        });
        if (outcome !== "guard-busy") break;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      // A command that changed nothing leaves nothing: the lock folder goes when it is empty (a
      // runner creating its lock there meanwhile re-creates it: createLockFile in lock-file.ts).
      await rmdir(path.dirname(file)).catch(() => undefined);
    },
    ...(recoveredFrom ? { recoveredFrom } : {}),
  };
}

function createExclusive(file: string, me: FileLeaseHolder): Promise<boolean> {
  return createLockFile(file, JSON.stringify(me));
}

async function isMine(file: string, me: FileLeaseHolder): Promise<boolean> {
  const current = await readLease(file);
  return current !== "gone" && current !== "unreadable" && current.token === me.token;
}

/** Runs `work` holding `<file>.guard`; "guard-busy" when another runner holds a live guard. */
async function underGuard<T>(file: string, work: () => Promise<T>): Promise<T | "guard-busy"> {
  const guard = `${file}.guard`;
  for (let attempt = 0; attempt < 2; attempt++) {
    // Created whole (lock-file.ts): a guard never exists without its holder's name, so a holder
    // killed while taking it leaves a guard that guardIsStale can judge by its dead pid at once.
    if (!(await createLockFile(guard, JSON.stringify({ pid: process.pid, host: os.hostname() })))) {
      if (attempt === 0 && (await guardIsStale(guard))) {
        await rm(guard, { force: true });
        continue;
      }
      return "guard-busy";
    }
    try {
      return await work();
    } finally {
      await rm(guard, { force: true });
    }
  }
  return "guard-busy";
}

/** A guard is held for milliseconds: one left by a dead process of this host, or older than GUARD_STALE_MS, was abandoned. */
async function guardIsStale(guard: string): Promise<boolean> {
  const holder = await readLockFile(guard);
  if (typeof holder === "object" && holder.host === os.hostname() && !processIsAlive(holder.pid)) return true;
  // Unreadable (left empty by an older version) or gone: judged by age.
  return (await ageMs(guard)) > GUARD_STALE_MS;
}

/** The lease lock's file as its holder wrote it (lock-file.ts reads every lock file). */
function readLease(file: string): Promise<LockFileHolder<FileLeaseHolder> | "gone" | "unreadable"> {
  return readLockFile<FileLeaseHolder>(file);
}
