import { randomUUID } from "node:crypto";
import { link, mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import * as path from "node:path";
import type { LockHolder, LockPurpose } from "./file-lock.js";

/**
 * A lock file on disk, the one way every file lock of this project (a stack's lock, the environment
 * lease, its guard) is created and read.
 *
 * Created whole: the content is written to a temporary file beside the lock, which is then
 * hard-linked to the lock's name. link(2) fails with EEXIST when the name exists, as O_EXCL does,
 * so exactly one creator wins; and the lock appears with its content already complete. A creator
 * killed at any step leaves either no lock or a whole one naming a dead holder (recovered at once
 * on this host), never the empty file `open(O_EXCL)` + `write` leaves when killed between the two
 * (which could only be judged by its age). The Linux open(2) man page recommends this very pattern
 * for lock files on NFS, where O_EXCL was long unreliable: "create a unique file on the same
 * filesystem (e.g., incorporating hostname and PID), and use link(2) to make a link to the
 * lockfile" — which matters for a `file://` backend shared by several machines.
 */

/**
 * An unreadable (empty) lock file older than this was abandoned. Files created here are never
 * empty; an empty one was left by an older version whose holder died between creating and writing
 * it, and a live holder of those versions wrote its name within milliseconds.
 */
export const ABANDONED_EMPTY_LOCK_MS = 60_000;

/** The points between the steps of creating a lock file, in order (tests stop a creator at each). */
export type LockFileStep = "temp-written" | "linked";

export interface CreateLockFileOptions {
  /**
   * Called after each step. Tests pass a hook that never resolves, which freezes the creator at that
   * point exactly as a kill would (nothing after it runs, not even `finally`), to show what another
   * process sees then.
   */
  afterStep?: (step: LockFileStep) => Promise<void>;
}

/**
 * Creates `file` holding `content` unless it exists. True when this call created it, false when
 * the file was there already. A missing folder (removed by a holder releasing the last lock in it)
 * is made again.
 */
export async function createLockFile(file: string, content: string, options: CreateLockFileOptions = {}): Promise<boolean> {
  const tmp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  for (let attempt = 0; ; attempt++) {
    try {
      await writeFile(tmp, content, { flag: "wx" });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT" || attempt >= 3) throw err;
      await mkdir(path.dirname(file), { recursive: true });
    }
  }
  try {
    await options.afterStep?.("temp-written");
    try {
      // The folder cannot vanish under the link: it holds the temporary file (rmdir refuses a non-empty folder).
      await link(tmp, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
      throw err;
    }
    await options.afterStep?.("linked");
    return true;
  } finally {
    await rm(tmp, { force: true });
  }
}

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
