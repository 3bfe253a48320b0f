import { expect } from "chai";
import { existsSync } from "node:fs";
import {
  actions,
  envFor,
  hostsOf,
  image,
  lockFile,
  placeOf,
  promotedPlace,
  releasedPlace,
  runStreaming,
  scenarioPool,
  stampStacks,
  stateViolations,
  StreamChecker,
  summaryOf,
  withR1,
  worldWithR1,
  type StreamedRun,
} from "./release-harness.js";
import { GATE_TAG } from "../../../../automation/release/intent-tags.js";

/**
 * Issue 13, "a cancel is an interruption, not a failure": a prod release (three regions, 10 → 50 →
 * 100 %) gets SIGTERM, as a pipeline sends on cancel or time-out, at every phase: the moment the
 * phase's action starts. The run must exit 5 with nothing recorded as passed, the release record
 * where it was and the lock released; `release resume` then ends released, `release abort` on blue.
 * Azure latency is modelled slow enough (CONTOSO_OFFLINE_TIME_SCALE) that each action is still
 * running when the signal lands, and bakes last modelled minutes (--time-scale).
 */

const ENV = "prod";
const PHASES = ["deploy-green", "gate", "shift", "bake", "promote", "destroy-stamps"] as const;
type Phase = (typeof PHASES)[number];
/** Before promotion only: after it, abort refuses (release the previous version again). */
const ABORT_PHASES: Phase[] = ["deploy-green", "gate", "shift", "bake"];
const slowAzure = (dir: string) => envFor(dir, { CONTOSO_OFFLINE_TIME_SCALE: "0.0005" });
/**
 * The interrupted run's release waits: up to the first bake, slow enough (probes every 100 ms, a
 * 9 s bake) that the gate and the bake are still running when the signal lands on a busy machine;
 * after the bakes, the default (fast) ones, and modelled Azure latency keeps promote and destroy running.
 */
const interruptedScale = (phase: Phase) => (["promote", "destroy-stamps"].includes(phase) ? [] : ["--time-scale", "0.01"]);

async function interruptAt(dir: string, phase: Phase, release = "r2"): Promise<StreamedRun> {
  let sent = false;
  // --auto-promote: interruptions, not approvals, are under test here (prod pauses before 100 %).
  const run = await runStreaming(["release", "start", "--env", ENV, "--release", release, "--image", image(release), "--auto-promote", ...interruptedScale(phase)], slowAzure(dir), (e, pid) => {
    if (e.type === "action" && e.action?.kind === phase && !sent) {
      sent = true;
      process.kill(pid, "SIGTERM");
    }
  });
  expect(sent, `the release reached ${phase}`).to.equal(true);
  expect(run.code, run.stderr).to.equal(5);
  expect(run.problemLines.filter((l) => !l.startsWith("SIGTERM:"))).to.deep.equal([
    'interrupted by SIGTERM: nothing more was recorded: run the command again to continue (a release: "contoso release resume", or "release abort")',
  ]);
  // Interrupted in that very action: it never finished, no later action started.
  const kinds = actions(run).map((a) => a!.kind);
  expect(kinds[kinds.length - 1], `interrupted in ${phase}`).to.equal(phase);
  const lastStart = run.events.map((e) => e.type).lastIndexOf("action");
  expect(run.events.slice(lastStart).some((e) => e.type === "action-done"), `${phase} did not complete`).to.equal(false);
  expect(run.events.some((e) => e.type === "action-failed"), "an interruption is no failure").to.equal(false);
  expect(actions(run).some((a) => a!.kind === "begin-rollback"), "and no rollback").to.equal(false);
  expect(existsSync(lockFile(dir, ENV)), "the lock is released").to.equal(false);
  expect(placeOf(dir, ENV).releaseRecord, "the release stays recorded where it was").to.equal(release);
  expect(stateViolations(dir, ENV)).to.deep.equal([]);
  if (phase === "gate") {
    expect(stampStacks(dir).filter((s) => s.name.endsWith(`-${release}`)).map((s) => s.tags[GATE_TAG]), "no gate verdict recorded").to.deep.equal(["pending", "pending", "pending"]);
  }
  return run;
}

describe("release e2e: SIGTERM at every phase of a prod release, then resume or abort", function () {
  this.timeout(900_000);
  const pool = scenarioPool(2);

  for (const phase of PHASES) {
    pool.define(`SIGTERM in ${phase}, then release resume: released`, async () => {
      const dir = await worldWithR1(`sigterm-${phase}-resume`, ENV);
      // prod retains blue after promotion (blueRetention): the stamps a prod release destroys are
      // the previous window's, dropped when the next release starts. So that phase is r3's, after r2.
      const [release, blue] = phase === "destroy-stamps" ? ["r3", "r2"] : ["r2", "r1"];
      if (release === "r3") {
        const r2 = await runStreaming(["release", "start", "--env", ENV, "--release", "r2", "--image", image("r2"), "--auto-promote"], envFor(dir));
        expect(r2.code, r2.stderr).to.equal(0);
      }
      const checker = new StreamChecker(dir, ENV);
      const interrupted = await interruptAt(dir, phase, release);
      if (phase === "destroy-stamps") {
        expect(actions(interrupted).at(-1), "interrupted dropping r1's undo window").to.deep.include({ kind: "destroy-stamps", why: "retained-blue" });
      }
      const resumed = await runStreaming(["release", "resume", "--env", ENV], envFor(dir));
      expect(resumed.code, resumed.stderr).to.equal(0);
      expect(summaryOf(resumed)).to.include({ outcome: "released", release, liveRelease: release });
      if (phase === "bake") {
        // The interrupted bake was not counted: the resumed run bakes the same step again.
        const bakeBefore = actions(interrupted).filter((a) => a!.kind === "bake").pop()!;
        expect(actions(resumed).find((a) => a!.kind === "bake")?.step).to.equal(bakeBefore.step);
      }
      expect(checker.feed(interrupted.events).feed(resumed.events).violations).to.deep.equal([]);
      expect(placeOf(dir, ENV)).to.deep.equal(promotedPlace(release, blue, ENV));
      expect(stateViolations(dir, ENV)).to.deep.equal([]);
    });
  }

  for (const phase of ABORT_PHASES) {
    pool.define(`SIGTERM in ${phase}, then release abort: back on blue`, async () => {
      const dir = await worldWithR1(`sigterm-${phase}-abort`, ENV);
      const r1Hosts = hostsOf(dir, ENV);
      await interruptAt(dir, phase);
      const aborted = await runStreaming(["release", "abort", "--env", ENV], envFor(dir));
      expect(aborted.code, aborted.stderr).to.equal(0);
      expect(summaryOf(aborted)).to.include({ outcome: "aborted", release: "r2", liveRelease: "r1" });
      expect(placeOf(dir, ENV)).to.deep.equal(releasedPlace("r1", ENV));
      expect(hostsOf(dir, ENV)).to.deep.equal(r1Hosts);
      expect(stateViolations(dir, ENV)).to.deep.equal([]);
    });
  }

  before(async function () {
    this.timeout(300_000);
    await withR1(ENV);
    pool.startAll();
  });

  for (const name of pool.names()) it(name, () => pool.result(name));
});
