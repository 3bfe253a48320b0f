import { expect } from "chai";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { StackLockedError } from "../../../automation/engine/port.js";
import { acquireFileLease } from "../../../automation/lock/file-lease-lock.js";
import { acquireStackLock, stackLockPath } from "../../../automation/lock/file-lock.js";
import { createLockFile, readLockFile, type LockFileStep } from "../../../automation/lock/lock-file.js";
import { tempDir } from "../cli-harness.js";

/**
 * Every lock file is created whole (automation/lock/lock-file.ts): another process never sees a
 * lock without its holder, whatever step its creator was killed at. A kill is modelled by a hook
 * that never returns: the creator runs nothing after that point, not even its `finally` blocks,
 * exactly as a killed process runs nothing more.
 */

/** Above Linux's largest pid (pid_max is at most 2^22): a process that cannot be running. */
const DEAD_PID = 2 ** 22 + 17;

function deadHolder(extra: object = {}) {
  return { pid: DEAD_PID, host: os.hostname(), operation: "up", startedAt: "2030-01-01T00:00:00.000Z", ...extra };
}

/** The steps a creation goes through, as the creator reports them. */
async function stepsOfACreation(): Promise<LockFileStep[]> {
  const steps: LockFileStep[] = [];
  const file = path.join(tempDir("lock-file-steps"), "probe.lock");
  expect(await createLockFile(file, "{}", { afterStep: async (step) => void steps.push(step) })).to.equal(true);
  return steps;
}

/** Starts creating `file` and freezes the creator for good right after `step` (a kill there). */
async function creatorKilledAfter(file: string, content: string, step: LockFileStep): Promise<void> {
  let reached!: () => void;
  const atStep = new Promise<void>((resolve) => (reached = resolve));
  void createLockFile(file, content, {
    afterStep: (s) => {
      if (s !== step) return Promise.resolve();
      reached();
      return new Promise<void>(() => undefined);
    },
  });
  await atStep;
}

describe("lock files (automation/lock/lock-file.ts)", () => {
  it("a creator killed after any of its steps leaves no lock file or a whole one, never an empty or partial one", async () => {
    const steps = await stepsOfACreation();
    expect(steps, "the creator reports its steps").to.not.be.empty;
    for (const step of steps) {
      const file = path.join(tempDir("lock-file-kill"), "locks", "stack.lock");
      mkdirSync(path.dirname(file), { recursive: true });
      const content = JSON.stringify(deadHolder());
      await creatorKilledAfter(file, content, step);
      if (existsSync(file)) {
        expect(readFileSync(file, "utf8"), `killed after "${step}"`).to.equal(content);
        expect(await readLockFile(file), `killed after "${step}"`).to.include({ pid: DEAD_PID });
      }
    }
  });

  it("a stack lock whose creator was killed mid-creation is recovered at once, never refused as an unreadable lock", async () => {
    for (const step of await stepsOfACreation()) {
      const stateDir = tempDir("lock-file-stack");
      const file = stackLockPath(stateDir, "dev-weu-r1");
      mkdirSync(path.dirname(file), { recursive: true });
      await creatorKilledAfter(file, JSON.stringify(deadHolder()), step);
      let lock;
      try {
        lock = await acquireStackLock(stateDir, "dev-weu-r1", "up");
      } catch (err) {
        expect.fail(`killed after "${step}": ${(err as Error).message}`);
      }
      // Either the lock never appeared (nothing to recover) or it names its dead creator.
      if (lock.recoveredFrom) expect(lock.recoveredFrom.pid, step).to.equal(DEAD_PID);
      await lock.release();
      expect(existsSync(file)).to.equal(false);
    }
  });

  it("an environment lease whose creator was killed mid-creation is taken over at once", async () => {
    for (const step of await stepsOfACreation()) {
      const file = path.join(tempDir("lock-file-lease"), "locks", "release-dev.lock");
      mkdirSync(path.dirname(file), { recursive: true });
      const content = JSON.stringify(deadHolder({ operation: "release", token: "t", leaseMs: 60_000, expiresAt: "2999-01-01T00:00:00.000Z" }));
      await creatorKilledAfter(file, content, step);
      let lease;
      try {
        lease = await acquireFileLease(file, { purpose: "release" });
      } catch (err) {
        expect.fail(`killed after "${step}": ${(err as Error).message}`);
      }
      if (lease.recoveredFrom) expect(lease.recoveredFrom.pid, step).to.equal(DEAD_PID);
      await lease.release();
    }
  });

  it("of creators racing for one name exactly one wins, its content is the lock's, and no temporary file stays", async () => {
    const dir = tempDir("lock-file-race");
    const file = path.join(dir, "race.lock");
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => createLockFile(file, JSON.stringify({ pid: i, host: "h" }))));
    expect(results.filter(Boolean)).to.have.length(1);
    expect(JSON.parse(readFileSync(file, "utf8")).pid).to.equal(results.indexOf(true));
    expect(readdirSync(dir)).to.deep.equal(["race.lock"]);
    expect(await createLockFile(file, "{}"), "an existing lock is never replaced").to.equal(false);
    expect(JSON.parse(readFileSync(file, "utf8")).pid).to.equal(results.indexOf(true));
  });

  it("makes the lock's folder again when a releasing holder removed it", async () => {
    const dir = path.join(tempDir("lock-file-folder"), "locks");
    rmSync(dir, { recursive: true, force: true });
    expect(await createLockFile(path.join(dir, "a.lock"), "{}")).to.equal(true);
    expect(readdirSync(dir)).to.deep.equal(["a.lock"]);
  });

  describe("the one reader of every lock file", () => {
    const file = () => path.join(tempDir("lock-file-read"), "x.lock");

    it("names the holder, keeps the fields a kind of lock adds, and says so when the file is gone", async () => {
      const f = file();
      expect(await readLockFile(f)).to.equal("gone");
      writeFileSync(f, JSON.stringify({ pid: 7, host: "h", operation: "release", startedAt: "then", token: "t1", expiresAt: "later" }));
      expect(await readLockFile<{ token: string; expiresAt: string }>(f)).to.deep.equal({ pid: 7, host: "h", operation: "release", startedAt: "then", token: "t1", expiresAt: "later" });
      writeFileSync(f, JSON.stringify({ pid: 7, host: "h" }));
      expect(await readLockFile(f)).to.deep.equal({ pid: 7, host: "h", operation: "unknown", startedAt: "an unknown time" });
    });

    for (const [what, text] of [
      ["empty", ""],
      ["cut short", '{"pid": 7, "ho'],
      ["null", "null"],
      ["a list", "[7]"],
      ["without a pid", '{"host": "h"}'],
      ["with a pid that is not a number", '{"pid": "7", "host": "h"}'],
      ["without a host", '{"pid": 7}'],
    ] as const) {
      it(`calls a lock file ${what} unreadable`, async () => {
        const f = file();
        writeFileSync(f, text);
        expect(await readLockFile(f)).to.equal("unreadable");
      });
    }
  });

  it("an unreadable stack lock that is not old is refused, naming the file (not stolen)", async () => {
    const stateDir = tempDir("lock-file-unreadable");
    const file = stackLockPath(stateDir, "dev-weu-r1");
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, "");
    try {
      await acquireStackLock(stateDir, "dev-weu-r1", "up");
      expect.fail("acquired an unreadable lock");
    } catch (err) {
      expect(err).to.be.instanceOf(StackLockedError);
      expect((err as Error).message).to.include(`an unreadable lock file ${file}`);
    }
    expect(readFileSync(file, "utf8")).to.equal("");
  });
});
