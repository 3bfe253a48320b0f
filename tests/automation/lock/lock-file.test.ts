import { expect } from "chai";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { StackLockedError } from "../../../automation/engine/port.js";
import { acquireStackLock, stackLockPath } from "../../../automation/lock/file-lock.js";
import { readLockFile } from "../../../automation/lock/lock-file.js";
import { tempDir } from "../cli-harness.js";

describe("lock files (automation/lock/lock-file.ts)", () => {
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
