import { readFileSync } from "node:fs";
import { readdir, readFile, rm } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";

/**
 * Stack locks of a self-managed (`file://`) backend, and which of them a dead process left.
 *
 * The CLI writes one file per update at `.pulumi/locks/<org>/<project>/<stack>/<uuid>.json` holding
 * `{pid, username, hostname, timestamp}` (pulumi/pulumi pkg/backend/diy/lock.go: lockContent,
 * stackLockDir, lockPath; "organization" is the DIY backend's org) and deletes it when the update
 * ends; a killed CLI leaves it, and every later update then fails with "the stack is currently
 * locked by". A lock is provably stale only when it was written on THIS machine by a process that
 * no longer exists (signal 0 answers ESRCH). A lock from another machine, an unreadable one, or one
 * whose pid is alive (even a reused pid) is treated as live and never removed: waiting is safe,
 * breaking a live update is not. Removal deletes those files by name, never the whole folder the
 * way `pulumi cancel` does (diy/backend.go CancelCurrentUpdate deletes every lock file).
 */

export interface LockInfo {
  file: string;
  pid?: number;
  username?: string;
  hostname?: string;
  timestamp?: string;
  state: "dead" | "alive" | "elsewhere" | "unreadable";
}

export function lockDir(backendPath: string, project: string, stack: string): string {
  return path.join(backendPath, ".pulumi", "locks", "organization", project, stack);
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists, we may not signal it.
    return (err as NodeJS.ErrnoException).code !== "ESRCH";
  }
  // A zombie (killed, not yet reaped: state Z in /proc/<pid>/stat, proc(5)) answers signal 0 but runs nothing.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true;
  }
}

export async function readLocks(backendPath: string, project: string, stack: string, host = os.hostname(), alive = processAlive): Promise<LockInfo[]> {
  const dir = lockDir(backendPath, project, stack);
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith(".json"));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  const locks: LockInfo[] = [];
  for (const f of files.sort()) {
    const file = path.join(dir, f);
    let content: { pid?: unknown; username?: unknown; hostname?: unknown; timestamp?: unknown };
    try {
      content = JSON.parse(await readFile(file, "utf8"));
    } catch (err) {
      // Gone meanwhile: its holder finished. Unreadable: someone is writing it or it is damaged; hands off.
      if ((err as NodeJS.ErrnoException).code === "ENOENT") continue;
      locks.push({ file, state: "unreadable" });
      continue;
    }
    const pid = typeof content.pid === "number" && Number.isInteger(content.pid) && content.pid > 0 ? content.pid : undefined;
    const info: LockInfo = {
      file,
      ...(pid !== undefined ? { pid } : {}),
      ...(typeof content.username === "string" ? { username: content.username } : {}),
      ...(typeof content.hostname === "string" ? { hostname: content.hostname } : {}),
      ...(typeof content.timestamp === "string" ? { timestamp: content.timestamp } : {}),
      state: "unreadable",
    };
    if (pid === undefined || info.hostname === undefined) info.state = "unreadable";
    else if (info.hostname !== host) info.state = "elsewhere";
    else info.state = alive(pid) ? "alive" : "dead";
    locks.push(info);
  }
  return locks;
}

/** Removes the stack's lock files iff every one of them is dead; says what it found. */
export async function clearDeadLocks(
  backendPath: string,
  project: string,
  stack: string,
  host = os.hostname(),
  alive = processAlive,
): Promise<{ locks: LockInfo[]; allDead: boolean; removed: LockInfo[] }> {
  const locks = await readLocks(backendPath, project, stack, host, alive);
  const allDead = locks.length > 0 && locks.every((l) => l.state === "dead");
  if (!allDead) return { locks, allDead, removed: [] };
  for (const l of locks) await rm(l.file, { force: true });
  return { locks, allDead, removed: locks };
}

/** Who holds the stack, for StackLockedError: each lock with its holder and why it is left alone. */
export function describeLocks(locks: LockInfo[]): string {
  if (locks.length === 0) return "another update (the lock is in the backend; `pulumi cancel` releases a dead one after you have checked it is dead)";
  return locks
    .map((l) => {
      const who = l.pid !== undefined ? `${l.username ?? "?"}@${l.hostname ?? "?"} (pid ${l.pid}) since ${l.timestamp ?? "?"}` : path.basename(l.file);
      const why = { alive: "still running", elsewhere: "on another machine, so its liveness cannot be checked from here", unreadable: "lock file unreadable", dead: "dead" }[l.state];
      return `${who}, ${why}`;
    })
    .join("; ");
}
