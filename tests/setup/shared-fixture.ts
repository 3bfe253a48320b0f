import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CLI_BUILD_ENV } from "./cli-build.js";

/**
 * A read-only fixture folder built once per test run and shared by mocha's parallel workers (each a
 * process of its own). The e2e release scenarios each start from a copy of a prepared world (a
 * global stack with release r1 live): built per worker, that world cost 47 s of CPU a run (prod
 * about 10 s and dev about 9 s per worker that needed it), most of it building the same thing again.
 *
 * The folder lives in the run's own build folder (`dist/cli-<pid>/fixtures/<key>`, see
 * cli-build.ts), so it goes when the run ends. One worker builds it: `mkdir` of a lock folder is
 * atomic, the winner builds into a temporary folder, writes the value beside it and renames the
 * whole into place, so a reader sees a finished fixture or none. The others wait for it; when the
 * builder fails or dies (its pid in the lock folder is gone), one of them builds it again. Outside
 * a run with the global set-up (a test file run on its own by other means), the fixture is built in
 * a temporary folder of this process.
 */
export interface SharedFixture<T> {
  dir: string;
  value: T;
}

const VALUE_FILE = "fixture-value.json";
const POLL_MS = 100;
const ORPHAN_LOCK_MS = 30_000;

export function sharedFixturesRoot(): string | undefined {
  const built = process.env[CLI_BUILD_ENV];
  return built ? path.join(path.dirname(built), "fixtures") : undefined;
}

/**
 * The fixture `key`, built by `build(dir)` (which fills the empty folder `dir` and returns a
 * JSON-serialisable value) at most once per run while it succeeds. `root` is where fixtures live.
 */
export async function sharedFixture<T>(root: string, key: string, build: (dir: string) => Promise<T>): Promise<SharedFixture<T>> {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(key)) throw new Error(`shared fixture key "${key}": lower-case letters, digits and hyphens only`);
  mkdirSync(root, { recursive: true });
  const dir = path.join(root, key);
  const lock = path.join(root, `${key}.building`);
  for (;;) {
    const done = readDone<T>(dir);
    if (done) return done;
    if (takeLock(lock)) {
      try {
        // Another builder may have finished between our read and our lock.
        const again = readDone<T>(dir);
        if (again) return again;
        // Only a lock holder builds, so any staging folder here is a dead builder's.
        for (const name of readdirSync(root)) if (name.startsWith(`${key}.tmp-`)) rmSync(path.join(root, name), { recursive: true, force: true });
        const staging = path.join(root, `${key}.tmp-${process.pid}`);
        mkdirSync(staging);
        const value = await build(staging);
        writeFileSync(path.join(staging, VALUE_FILE), JSON.stringify({ value }));
        renameSync(staging, dir);
        return { dir, value };
      } finally {
        rmSync(lock, { recursive: true, force: true });
      }
    }
    if (holderIsGone(lock)) {
      rmSync(lock, { recursive: true, force: true });
      continue;
    }
    await sleep(POLL_MS);
  }
}

function readDone<T>(dir: string): SharedFixture<T> | undefined {
  const file = path.join(dir, VALUE_FILE);
  if (!existsSync(file)) return undefined;
  return { dir, value: (JSON.parse(readFileSync(file, "utf8")) as { value: T }).value };
}

function takeLock(lock: string): boolean {
  try {
    mkdirSync(lock);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  }
  writeFileSync(path.join(lock, "pid"), String(process.pid));
  return true;
}

/**
 * The lock's holder has exited. A lock without a pid is a holder between its `mkdir` and its pid
 * write, unless that folder is older than a holder could take for it (then it died in between).
 */
function holderIsGone(lock: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(path.join(lock, "pid"), "utf8"));
  } catch {
    try {
      return Date.now() - statSync(lock).mtimeMs > ORPHAN_LOCK_MS;
    } catch {
      return false;
    }
  }
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== "EPERM";
  }
}
