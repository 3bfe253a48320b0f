import { expect } from "chai";
import type { ReleaseStatus } from "../../../../automation/release/status.js";
import {
  actions,
  envFor,
  image,
  placeOf,
  promotedPlace,
  releasedPlace,
  runCli,
  runStreaming,
  stateViolations,
  StreamChecker,
  summaryOf,
  worldWithR1,
  writeFaults,
  type JsonEvent,
} from "./release-harness.js";

/**
 * Issue 17's approval steps end to end: prod pauses before 100 % (environments/prod.ts). The run
 * holds its weights and keeps watching green; `release promote` from a second process is a request
 * the running release picks up within one probe window; green turning unhealthy while paused rolls
 * back on its own. Waits are modelled (the offline time scale), not wall-clock guesses.
 */
describe("release e2e: pause before 100 %, promote from a second command", function () {
  this.timeout(300_000);
  const start = ["release", "start", "--env", "prod", "--release", "r2", "--image", image("r2")];

  it("a paused prod release, promoted by a second command, ends released (and status says paused meanwhile)", async () => {
    const dir = await worldWithR1("approval-promote");
    const env = envFor(dir);
    const checker = new StreamChecker(dir);
    let promote: Promise<{ code: number | null; stdout: string; stderr: string }> | undefined;
    let pausedStatus: ReleaseStatus | undefined;
    // A third engineer follows the release with status --watch (read-only: it never takes the lock).
    let watch: ReturnType<typeof runCli> | undefined;
    const run = await runStreaming(start, env, async (e: JsonEvent) => {
      if (e.type === "action" && e.action?.kind === "shift" && !watch) watch = runCli(["--json", "release", "status", "--env", "prod", "--watch"], env);
      if (e.type === "action" && e.action?.kind === "pause" && !promote) {
        // While paused: the weights hold at 50 %, and another engineer reads and approves.
        const status = await runCli(["--json", "release", "status", "--env", "prod"], env);
        pausedStatus = JSON.parse(status.stdout) as ReleaseStatus;
        promote = runCli(["release", "promote", "--env", "prod"], env);
      }
    });
    const promoted = await promote!;
    expect(promoted.code, promoted.stderr).to.equal(0);
    expect(promoted.stdout).to.contain("prod: approved the pause before 100% of release r2");
    expect(pausedStatus?.phase).to.equal("paused (waiting for release promote)");
    expect(pausedStatus?.greenPercent).to.equal(50);
    expect(run.code, run.stderr).to.equal(0);
    expect(summaryOf(run)).to.deep.include({ outcome: "released", liveRelease: "r2" });
    const kinds = actions(run).map((a) => `${a!.kind}${a!.percent !== undefined ? `@${a!.percent}` : ""}`);
    const firstPause = kinds.indexOf("pause@50");
    expect(firstPause, kinds.join(" ")).to.be.greaterThan(kinds.indexOf("bake@50"));
    expect(kinds.indexOf("shift@100")).to.be.greaterThan(firstPause);
    expect(kinds.slice(0, firstPause)).not.to.include("shift@100");
    expect(checker.feed(run.events).violations).to.deep.equal([]);
    expect(placeOf(dir)).to.deep.equal(promotedPlace("r2", "r1"));
    expect(stateViolations(dir)).to.deep.equal([]);
    // The watcher saw the pause and the shift to 100 %, and ended when the release did.
    const watched = await watch!;
    expect(watched.code, watched.stderr).to.equal(0);
    const records = watched.stdout.trim().split("\n").map((l) => JSON.parse(l) as ReleaseStatus & { schemaVersion: number; time: string; type: string });
    for (const r of records) expect([r.schemaVersion, r.type, Number.isNaN(Date.parse(r.time))]).to.deep.equal([1, "status", false]);
    const phases = records.map((r) => `${r.phase} ${r.greenPercent ?? ""}`.trim());
    expect(phases, phases.join(" / ")).to.include("paused (waiting for release promote) 50");
    expect(records.some((r) => r.greenPercent === 100 && r.release === "r2"), phases.join(" / ")).to.equal(true);
    expect(records.at(-1)).to.deep.include({ release: null, liveRelease: "r2", phase: "idle" });
    // Every event of the run carries the schema version and a timestamp; probes come summarised.
    expect(run.events.every((e) => (e as { schemaVersion?: number }).schemaVersion === 1 && typeof (e as { time?: string }).time === "string")).to.equal(true);
    expect(run.events.filter((e) => e.type === "probe")).to.deep.equal([]);
    expect(run.events.filter((e) => e.type === "probes").length).to.be.greaterThan(0);
  });

  it("while paused, green turning unhealthy rolls back on its own (exit 3, back on r1)", async () => {
    const dir = await worldWithR1("approval-sick");
    const env = envFor(dir);
    let faulted = false;
    const run = await runStreaming(start, env, (e: JsonEvent) => {
      if (e.type === "action" && e.action?.kind === "pause" && !faulted) {
        faulted = true;
        writeFaults(dir, { stamps: [{ stack: "prod-neu-r2", component: "cosmos" }] });
      }
    });
    expect(faulted).to.equal(true);
    expect(run.code, run.stderr).to.equal(3);
    expect(summaryOf(run)).to.deep.include({ outcome: "rolled-back", liveRelease: "r1" });
    expect(placeOf(dir)).to.deep.equal(releasedPlace("r1"));
  });

  it("a paused release whose process died continues with release resume once promoted --full", async () => {
    const dir = await worldWithR1("approval-resume");
    const env = envFor(dir);
    // The process dies (SIGKILL, as a lost VM) at its second pause round: paused, lock left behind.
    const run = await runStreaming(start, envFor(dir, { CONTOSO_OFFLINE_FAULTS: JSON.stringify({ crash: { at: "after:pause", occurrence: 2 } }) }));
    expect(run.signal, run.stderr).to.equal("SIGKILL");
    expect(actions(run).map((a) => a!.kind)).to.include("pause");
    const promoted = await runCli(["release", "promote", "--env", "prod", "--full"], env);
    expect(promoted.code, promoted.stderr).to.equal(0);
    expect(promoted.stdout).to.contain("approved every remaining step");
    const resumed = await runStreaming(["release", "resume", "--env", "prod"], env);
    expect(resumed.code, resumed.stderr).to.equal(0);
    expect(actions(resumed).map((a) => a!.kind)).not.to.include("pause");
    expect(placeOf(dir)).to.deep.equal(promotedPlace("r2", "r1"));
  });

  it("release abort while paused reaches the running release: it turns back to r1 (exit 3), abort exits 0", async () => {
    const dir = await worldWithR1("approval-abort");
    const env = envFor(dir);
    let abort: ReturnType<typeof runCli> | undefined;
    const run = await runStreaming(start, env, (e: JsonEvent) => {
      if (e.type === "action" && e.action?.kind === "pause" && !abort) abort = runCli(["release", "abort", "--env", "prod"], env);
    });
    const aborted = await abort!;
    expect(aborted.code, aborted.stderr).to.equal(0);
    expect(run.code, run.stderr).to.equal(3);
    expect(summaryOf(run)).to.deep.include({ outcome: "aborted", liveRelease: "r1" });
    expect(actions(run).map((a) => a!.kind)).not.to.include("promote");
    expect(placeOf(dir)).to.deep.equal(releasedPlace("r1"));
  });

  it("promote with nothing paused ahead is bad input: exit 2, one line", async () => {
    const dir = await worldWithR1("approval-bad");
    const run = await runCli(["release", "promote", "--env", "prod"], envFor(dir));
    expect(run.code, run.stderr).to.equal(2);
    expect(run.errLines.filter((l) => l.startsWith("error:"))).to.deep.equal(["error: no release in progress in prod: nothing to promote (live release r1)"]);
  });
});
