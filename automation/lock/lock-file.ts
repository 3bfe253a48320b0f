import { readFile, stat } from "node:fs/promises";
import type { LockHolder, LockPurpose } from "./file-lock.js";

/** How every file lock of this project (a stack's lock, the environment lease, its guard) is read. */

/**
 * An unreadable (empty) lock file older than this was abandoned: its holder died between creating
 * and writing it, and a live holder writes its name within milliseconds.
 */
export const ABANDONED_EMPTY_LOCK_MS = 60_000;

/** What a lock file says about its holder; fields a kind of lock adds (a lease's token and expiry) are kept. */
export type LockFileHolder<Extra extends object = object> = LockHolder & Partial<Extra>;

/**
 * Reads a lock file: its holder, "gone" when there is no file, "unreadable" when it names no
 * holder (written by hand, or by an older version that could leave it empty).
 */
export async function readLockFile<Extra extends object = object>(file: string): Promise<LockFileHolder<Extra> | "gone" | "unreadable"> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return "gone";
    throw err;
  }
  let parsed: Partial<LockHolder> & Partial<Extra>;
  try {
    parsed = JSON.parse(text) as Partial<LockHolder> & Partial<Extra>;
  } catch {
    return "unreadable";
  }
  if (typeof parsed !== "object" || parsed === null || typeof parsed.pid !== "number" || typeof parsed.host !== "string") return "unreadable";
  return {
    ...parsed,
    pid: parsed.pid,
    host: parsed.host,
    operation: String(parsed.operation ?? "unknown") as LockPurpose,
    startedAt: String(parsed.startedAt ?? "an unknown time"),
  } as LockFileHolder<Extra>;
}

/** A file's age by the file system's clock (modification times are wall-clock times, whatever clock a lease uses); 0 when it is gone. */
export async function lockFileAgeMs(file: string): Promise<number> {
  try {
    return Date.now() - (await stat(file)).mtimeMs;
  } catch {
    return 0;
  }
}
