import { expect } from "chai";
import { cpSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { RETENTION_TAG, retentionFromTags } from "../../../../automation/release/retention-tag.js";
import { acquireEnvironmentLock } from "../../../../automation/lock/environment-lock.js";
import { tempDir } from "../../cli-harness.js";
import {
  actions,
  envFor,
  globalOf,
  image,
  placeOf,
  promotedPlace,
  readStack,
  releasedPlace,
  runCli,
  runStreaming,
  stateViolations,
  stampsOf,
  StreamChecker,
  summaryOf,
  worldWithR1,
} from "./release-harness.js";

/**
 * Issue 17's undo window end to end, the CLI spawned as a user would on the offline engine: prod
 * keeps blue for its blueRetention (1 h) after promotion; `release undo` inside the window puts r1
 * back in one global update with no redeploy and removes r2; outside the window it is refused with
 * nothing changed. Time is judged with `--now` (the clock the command reasons with), never by
 * waiting: the window's end is read from the record the release wrote.
 */

/** Every stack file's bytes: "nothing changed" means exactly this is equal. */
function snapshot(dir: string): Record<string, string> {
  const stacks = path.join(dir, "stacks");
  return Object.fromEntries(readdirSync(stacks).sort().map((f) => [f, readFileSync(path.join(stacks, f), "utf8")]));
}

describe("release e2e: undo within the retention window (prod)", function () {
  this.timeout(300_000);

  it("r2 keeps r1 retained; undo after the window is refused (nothing changed), inside it r1 serves again with no redeploy and r2 is gone", async () => {
    const dir = await worldWithR1("undo");
    const env = envFor(dir);
    const checker = new StreamChecker(dir);
    // --auto-promote: the undo, not the approval, is under test (prod pauses before 100 %).
    const released = await runStreaming(["release", "start", "--env", "prod", "--release", "r2", "--image", image("r2"), "--auto-promote"], env);
    expect(released.code, released.stderr).to.equal(0);
    checker.feed(released.events);
    expect(placeOf(dir)).to.deep.equal(promotedPlace("r2", "r1"));
    expect(actions(released).map((a) => a!.kind).slice(-3)).to.deep.equal(["promote", "retain-blue", "finish"]);
    const retention = retentionFromTags(globalOf(dir).tags)!;
    expect({ release: retention.release, from: retention.from }).to.deep.equal({ release: "r1", from: "r2" });
    const startedAt = Date.parse((released.events[0] as unknown as { time: string }).time);
    // The window is prod's blueRetention (1 h) from the promotion, on the system clock the run used.
    expect(Date.parse(retention.until) - startedAt).to.be.within(3_600_000 - 1, 3_600_000 + 600_000);
    const r1Stacks = Object.fromEntries(stampsOf("r1").map((s) => [s, readStack(dir, s)!]));

    // After the window (judged at its end + 1 s): refused, one line, exit 2, not a byte changed.
    const after = new Date(Date.parse(retention.until) + 1000).toISOString();
    const before = snapshot(dir);
    const late = await runCli(["release", "undo", "--env", "prod", "--now", after], env);
    expect(late.code, late.stderr).to.equal(2);
    expect(late.errLines.filter((l) => l.startsWith("error:"))).to.deep.equal([
      `error: cannot undo in prod: the undo window of r1 ended at ${retention.until} (now ${after}); release r1 again instead; nothing was changed`,
    ]);
    expect(snapshot(dir)).to.deep.equal(before);
    // The reaper agrees at that moment: r1's stamps are due, in prod, and nothing else (a dry run).
    const reap = await runCli(["--json", "reap", "--dry-run", "--env", "prod", "--now", after], env);
    expect(reap.code, reap.stderr).to.equal(0);
    const due = (JSON.parse(reap.stdout) as { stacks: { stack: string; result: string }[] }).stacks.filter((s) => s.result === "would-destroy").map((s) => s.stack);
    expect(due.sort()).to.deep.equal(stampsOf("r1"));

    // On a copy of this world, the reaper does it: r1's disabled origins leave Front Door first (one
    // global update; Front Door probes every configured origin, so one left pointing at a destroyed
    // stamp would fail its probes), then r1's stamps go, then the retention record is cleared.
    const reaped = tempDir("undo-reaped");
    cpSync(dir, reaped, { recursive: true });
    const reapRun = await runCli(["--json", "reap", "--env", "prod", "--now", after], envFor(reaped));
    expect(reapRun.code, reapRun.stderr).to.equal(0);
    const results = (JSON.parse(reapRun.stdout) as { stacks: { stack: string; result: string }[] }).stacks;
    expect(results.filter((s) => s.result === "destroyed").map((s) => s.stack).sort()).to.deep.equal(stampsOf("r1"));
    expect(placeOf(reaped), "r2 alone, its origins untouched; r1's origins gone with its stamps").to.deep.equal(releasedPlace("r2"));
    expect(globalOf(reaped).tags[RETENTION_TAG]).to.equal("none");
    expect(reapRun.stderr).to.include("prod: removed the 3 disabled origins of retained release r1 from Front Door before destroying its stamps");
    expect(reapRun.stderr).to.include("prod: the undo window of r1 is closed (its retention record cleared)");
    expect(stateViolations(reaped)).to.deep.equal([]);
    for (const s of stampsOf("r2")) expect(readStack(reaped, s), s).to.deep.equal(readStack(dir, s));

    // Inside the window: r1 back in one global update, r2 removed, nothing deployed.
    const undo = await runStreaming(["release", "undo", "--env", "prod"], env);
    expect(undo.code, undo.stderr).to.equal(0);
    expect(summaryOf(undo)).to.deep.include({ outcome: "undone", release: "r2", liveRelease: "r1" });
    const kinds = actions(undo).map((a) => a!.kind);
    expect(kinds).to.deep.equal(["restore-blue", "destroy-stamps", "finish"]);
    expect(actions(undo)[0]!.origins!.map((o) => `${o.stamp} ${o.enabled ? o.weight : "off"}`).sort()).to.deep.equal(stampsOf("r1").map((s) => `${s} 1000`));
    expect(undo.events.filter((e) => e.type === "stamp-deployed"), "no stamp up").to.deep.equal([]);
    expect(undo.events.filter((e) => e.type === "gate-verdict").map((e) => [e.verdict!.stack, e.verdict!.passed]).sort()).to.deep.equal(stampsOf("r1").map((s) => [s, true]));
    // r1's stamps are the very stacks that were retained: never updated since (same resources, same last update).
    for (const [name, was] of Object.entries(r1Stacks)) {
      const now = readStack(dir, name)!;
      expect([now.resources, (now as unknown as { lastUpdate?: string }).lastUpdate], name).to.deep.equal([was.resources, (was as unknown as { lastUpdate?: string }).lastUpdate]);
    }
    expect(placeOf(dir)).to.deep.equal(releasedPlace("r1"));
    expect(globalOf(dir).tags[RETENTION_TAG]).to.equal("none");
    expect(checker.feed(undo.events).violations).to.deep.equal([]);
    expect(stateViolations(dir)).to.deep.equal([]);

    // Nothing is retained any more: a second undo is refused.
    const again = await runCli(["release", "undo", "--env", "prod"], env);
    expect(again.code, again.stderr).to.equal(2);
    expect(again.errLines.filter((l) => l.startsWith("error:"))).to.deep.equal([
      "error: cannot undo in prod: no previous release is retained (live release r1; the environment's blueRetention keeps one after each promotion); nothing was changed",
    ]);
  });

  it("is a writer: while another run holds prod's lock it exits 4 naming the holder, and changes nothing", async () => {
    const dir = tempDir("undo-locked");
    const lock = await acquireEnvironmentLock({ kind: "offline", stateDir: dir }, "prod", { purpose: "release", env: envFor(dir) });
    try {
      const run = await runCli(["release", "undo", "--env", "prod"], envFor(dir));
      expect(run.code, run.stderr).to.equal(4);
      expect(run.errLines.filter((l) => l.startsWith("error:"))[0]).to.match(new RegExp(`^error: another run is changing prod \\(pid ${process.pid} on `));
    } finally {
      await lock.release();
    }
  });

  it("bad input is refused before anything is read: exit 2, one line", async () => {
    const dir = await worldWithR1("undo-bad");
    const bad = await runCli(["release", "undo", "--env", "prod", "--now", "yesterday"], envFor(dir));
    expect(bad.code, bad.stderr).to.equal(2);
    expect(bad.errLines.filter((l) => l.startsWith("error:"))).to.deep.equal(['error: --now "yesterday" must be an ISO 8601 date and time (e.g. 2026-01-31T22:00:00Z)']);
  });
});
