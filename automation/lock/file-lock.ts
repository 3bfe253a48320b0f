import { mkdir, rm } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { StackLockedError, type Operation } from "../engine/port.js";
import { ABANDONED_EMPTY_LOCK_MS, createLockFile, lockFileAgeMs, readLockFile } from "./lock-file.js";

/** What a lock holder is doing: a stack operation, or a command holding an environment (e.g. "release", "global up"). */
export type LockPurpose = Operation | "release" | (string & {});

/**
 * The offline engine's per-stack lock, the equivalent of the Pulumi backend's update lock: a file
 * created exclusively and whole (lock-file.ts: so exactly one process wins, and the file never
 * exists without its holder), holding who took it. A lock left behind by a
 * process that died on this host is recovered; a live holder, or one on another host (whose pid we
 * cannot check), is never stolen.
 */

export interface LockHolder {
  pid: number;
  host: string;
  operation: LockPurpose;
  startedAt: string;
  /** The CI run that holds it (GitHub Actions or Azure Pipelines), when the shared release lock records one. */
  runId?: string;
}

export function stackLockPath(stateDir: string, stack: string): string {
  return path.join(stateDir, "locks", `${stack}.lock`);
}

export function describeHolder(holder: LockHolder): string {
  return `pid ${holder.pid} on ${holder.host} (${holder.operation} since ${holder.startedAt}${holder.runId ? `, CI run ${holder.runId}` : ""})`;
}

/** Whether a process with this pid runs on this machine (EPERM: it exists but is not ours). */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export interface AcquiredLock {
  release(): Promise<void>;
  /** Set when a dead holder's lock was taken over; the caller reports it. */
  recoveredFrom?: LockHolder;
}

export async function acquireStackLock(stateDir: string, stack: string, operation: LockPurpose): Promise<AcquiredLock> {
  const file = stackLockPath(stateDir, stack);
  await mkdir(path.dirname(file), { recursive: true });
  const me: LockHolder = { pid: process.pid, host: os.hostname(), operation, startedAt: new Date().toISOString() };
  let recoveredFrom: LockHolder | undefined;
  // Two rounds at most: try, and after removing a dead holder's lock, try once more (another
  // process may have recovered it first, in which case it is now a live holder).
  for (let attempt = 0; attempt < 2; attempt++) {
    if (await createLockFile(file, JSON.stringify(me))) {
      const acquired: AcquiredLock = { release: () => releaseIfMine(file, me) };
      if (recoveredFrom) acquired.recoveredFrom = recoveredFrom;
      return acquired;
    }
    const holder = await readLockFile(file);
    if (holder === "gone") continue;
    if (holder === "unreadable" && attempt === 0 && (await lockFileAgeMs(file)) > ABANDONED_EMPTY_LOCK_MS) {
      // An older version's holder died between creating the file and writing its name into it.
      recoveredFrom = { pid: 0, host: "unknown", operation, startedAt: "unknown" };
      await rm(file, { force: true });
      continue;
    }
    if (holder === "unreadable" || holder.host !== os.hostname() || processIsAlive(holder.pid) || attempt > 0) {
      throw new StackLockedError(stack, holder === "unreadable" ? `an unreadable lock file ${file}` : describeHolder(holder));
    }
    recoveredFrom = holder;
    await rm(file, { force: true });
  }
  throw new StackLockedError(stack, `another process (lock file ${file})`);
}

async function releaseIfMine(file: string, me: LockHolder): Promise<void> {
  const holder = await readLockFile(file);
  if (holder !== "gone" && holder !== "unreadable" && holder.pid === me.pid && holder.host === me.host && holder.startedAt === me.startedAt) {
    await rm(file, { force: true });
  }
}
