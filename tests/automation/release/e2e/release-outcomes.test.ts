import { expect } from "chai";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { TAG } from "../../../../environments/stacks.js";
import { intentFromTags, RELEASE_RECORD_TAG } from "../../../../automation/release/intent-tags.js";
import type { ReleaseStatus } from "../../../../automation/release/status.js";
import { folderDigest } from "../../cli-harness.js";
import {
  actions,
  BAKE_TIME_SCALE,
  clearFaults,
  ENV,
  envFor,
  globalOf,
  image,
  lockFile,
  placeOf,
  readStack,
  hostsOf,
  startAfterBaselines,
  withR1,
  promotedPlace,
  releasedPlace,
  runCli,
  runStreaming,
  scenarioPool,
  stampStacks,
  stampsOf,
  stateViolations,
  StreamChecker,
  summaryOf,
  worldWithR1,
  writeFaults,
  type EnvName,
  type StreamedRun,
} from "./release-harness.js";

/**
 * Issue 6's "Done when", end to end: the `contoso release` CLI spawned as a user would, the offline
 * engine, the offline stamps answering `/health/stamp` over loopback HTTP. Each scenario runs in its
 * own copy of an environment with release r1 live: prod where its three regions and three steps
 * matter, dev (one region, one step, cheaper) where they do not.
 */

const start = (release: string, ...extra: string[]) => startIn(ENV, release, ...extra);
// --auto-promote: these scenarios are about failures, not approvals (prod pauses before 100 %; see approval.test.ts).
const startIn = (env: EnvName, release: string, ...extra: string[]) => ["release", "start", "--env", env, "--release", release, "--image", image(release, env), "--auto-promote", ...extra];

/** Blue (r1) is back exactly as it was: the same stamps, the same origins, nothing of r2 left. */
function expectBackOnR1(dir: string, r1Hosts: Record<string, string>, env: EnvName = ENV): void {
  expect(placeOf(dir, env)).to.deep.equal(releasedPlace("r1", env));
  expect(hostsOf(dir, env)).to.deep.equal(r1Hosts);
  expect(stateViolations(dir, env)).to.deep.equal([]);
  expect(existsSync(lockFile(dir, env)), "lock released").to.equal(false);
}

function expectRolledBack(run: StreamedRun, unhealthy: string | RegExp, env: EnvName = ENV): void {
  expect(run.code, run.stderr).to.equal(3);
  expect(run.problemLines, "one error line").to.have.length(1);
  expect(run.problemLines[0]).to.match(new RegExp(`^error: ${env}: release r2 failed and was rolled back; live release r1 \\(`));
  if (typeof unhealthy === "string") expect(run.problemLines[0]).to.include(unhealthy);
  else expect(run.problemLines[0]).to.match(unhealthy);
  expect(summaryOf(run)).to.include({ outcome: "rolled-back", release: "r2", liveRelease: "r1" });
}

describe("release e2e: outcomes of a release (offline engine, loopback HTTP)", function () {
  this.timeout(120_000); // a scenario waits its turn in the pool; none needs more than 2 minutes
  const pool = scenarioPool(3);
  const r1Hosts: Partial<Record<EnvName, Record<string, string>>> = {};

  pool.define("a clean release: r1 then r2 leaves r2 at full weight and r1 retained for undo; status shows idle, the weights and the retention", async () => {
    const { r1 } = await withR1();
    expect(summaryOf(r1)).to.include({ outcome: "released", release: "r1", liveRelease: "r1" });
    // The environment's first release: nothing to shift from, so green goes straight to the last step.
    expect(actions(r1).map((a) => a!.kind)).to.deep.equal(["deploy-green", "expose", "gate", "shift", "bake", "promote", "finish"]);

    const dir = await worldWithR1("clean");
    expect(placeOf(dir)).to.deep.equal(releasedPlace("r1"));
    const checker = new StreamChecker(dir);
    const r2 = await runStreaming(start("r2"), envFor(dir));
    expect(r2.code, r2.stderr).to.equal(0);
    expect(r2.problemLines).to.deep.equal([]);
    expect(summaryOf(r2)).to.include({ outcome: "released", release: "r2", liveRelease: "r2" });
    expect(actions(r2).map((a) => `${a!.kind}${a!.percent !== undefined ? ` ${a!.percent}` : ""}`)).to.deep.equal([
      // prod keeps r1 for release undo (blueRetention 1 h): retained, not destroyed.
      "deploy-green", "expose", "gate", "shift 10", "bake 10", "shift 50", "bake 50", "shift 100", "bake 100", "promote", "retain-blue", "finish",
    ]);
    expect(checker.feed(r2.events).violations).to.deep.equal([]);
    expect(placeOf(dir)).to.deep.equal(promotedPlace("r2", "r1"));
    expect(stateViolations(dir)).to.deep.equal([]);
    expect(globalOf(dir).tags[TAG.release]).to.equal("r2");

    const status = await runCli(["--json", "release", "status", "--env", ENV], envFor(dir));
    expect(status.code, status.stderr).to.equal(0);
    const s = JSON.parse(status.stdout) as ReleaseStatus;
    expect(s).to.include({ env: ENV, phase: "idle", liveRelease: "r2", release: null, mode: null });
    // r1 retained for release undo: its origins disabled, its stamps still answering through their stamp endpoints.
    expect(s.origins.map((o) => `${o.stamp} ${o.weight} ${o.enabled}`).sort()).to.deep.equal([...stampsOf("r1").map((x) => `${x} 1000 false`), ...stampsOf("r2").map((x) => `${x} 1000 true`)].sort());
    expect(s.stamps.map((st) => `${st.stack} ${st.gate} ${st.health}`).sort()).to.deep.equal([...stampsOf("r1"), ...stampsOf("r2")].map((x) => `${x} passed Healthy`).sort());
    expect(s.retained).to.deep.include({ release: "r1", from: "r2" });
  });

  pool.define("green failing the initial gate: exit 3, r1 untouched at full weight, green stamps destroyed", async () => {
    const dir = await worldWithR1("gate");
    writeFaults(dir, { stamps: [{ stack: "prod-neu-r2", component: "cosmos" }] });
    const checker = new StreamChecker(dir);
    const run = await runStreaming(start("r2"), envFor(dir));
    expectRolledBack(run, "health gate failed for prod-neu-r2");
    const kinds = actions(run).map((a) => a!.kind);
    expect(kinds).to.deep.equal(["deploy-green", "expose", "gate", "begin-rollback", "restore-blue", "destroy-stamps", "finish"]);
    const failed = run.events.filter((e) => e.type === "gate-verdict" && !e.verdict!.passed).map((e) => e.verdict!.stack);
    expect(failed).to.deep.equal(["prod-neu-r2"]);
    expect(checker.feed(run.events).violations).to.deep.equal([]);
    expectBackOnR1(dir, r1Hosts.prod!);
  });

  pool.define("dev: green failing the initial gate with --keep-failed: green stacks stay for debugging, with no origin", async () => {
    const dir = await worldWithR1("gate-keep", "dev");
    writeFaults(dir, { stamps: [{ stack: "dev-weu-r2", component: "keyvault" }] });
    const run = await runStreaming(startIn("dev", "r2", "--keep-failed"), envFor(dir));
    expectRolledBack(run, "health gate failed for dev-weu-r2", "dev");
    expect(actions(run).map((a) => a!.kind)).to.deep.equal(["deploy-green", "expose", "gate", "begin-rollback", "restore-blue", "finish"]);
    const g = globalOf(dir, "dev");
    expect(g.liveRelease).to.equal("r1");
    expect(g.origins.map((o) => `${o.stamp} ${o.weight} ${o.enabled}`)).to.deep.equal(["dev-weu-r1 1000 true"]);
    expect(hostsOf(dir, "dev")).to.deep.equal(r1Hosts.dev);
    const stamps = Object.fromEntries(stampStacks(dir).map((s) => [s.name, s.tags["contoso:gate"]]));
    expect(stamps, "the failed green stays, marked failed").to.deep.equal({ "dev-weu-r1": "passed", "dev-weu-r2": "failed" });
    expect(g.tags[RELEASE_RECORD_TAG], "the release record is closed").to.equal("none");
    expect(stateViolations(dir, "dev")).to.deep.equal([]);
  });

  for (const step of [0, 1, 2]) {
    pool.define(`green failing during the bake of step ${step}: exit 3, rolled back from that step`, async () => {
      const dir = await worldWithR1(`bake-${step}`);
      const checker = new StreamChecker(dir);
      let injectedAt: number | undefined;
      const run = await runStreaming(start("r2", "--time-scale", BAKE_TIME_SCALE), envFor(dir), (e) => {
        if (e.type === "action" && e.action?.kind === "bake" && e.action.step === step && injectedAt === undefined) {
          injectedAt = e.action.percent;
          writeFaults(dir, { stamps: [{ stack: "prod-weu-r2", component: "servicebus" }] });
        }
      });
      expect(injectedAt, "the bake of the step was reached").to.equal([10, 50, 100][step]);
      expectRolledBack(run, /prod-weu-r2: \d of the last \d probes succeeded \(needs 5\)/);
      const kinds = actions(run).map((a) => `${a!.kind}${a!.step !== undefined ? ` ${a!.step}` : ""}`);
      const bakeAt = kinds.indexOf(`bake ${step}`);
      expect(kinds.slice(bakeAt)).to.deep.equal([`bake ${step}`, "begin-rollback", "restore-blue", "destroy-stamps", "finish"]);
      const bakeDone = run.events.find((e) => e.type === "action-done" && e.action?.kind === "bake" && e.action.step === step);
      expect(bakeDone?.result?.ok, "the bake of that step saw green fail").to.equal(false);
      expect(checker.feed(run.events).violations).to.deep.equal([]);
      expectBackOnR1(dir, r1Hosts.prod!);
    });
  }

  pool.define("dev: a transient Front Door update failure is retried and the release succeeds", async () => {
    const dir = await worldWithR1("fd-transient", "dev");
    // From the first shift on (the expose step before the gate is a Front Door update too).
    const run = await runStreaming(startIn("dev", "r2"), envFor(dir), (e) => {
      if (e.type === "action" && e.action?.kind === "gate") writeFaults(dir, { operations: [{ stack: "dev-global", operation: "up", times: 1, message: "simulated Front Door conflict" }] });
    });
    expect(run.code, run.stderr).to.equal(0);
    const failures = run.events.filter((e) => e.type === "action-failed");
    expect(failures.map((e) => [e.action!.kind, e.attempt, e.willRetry])).to.deep.equal([["shift", 1, true]]);
    expect(failures[0]!.error).to.include("simulated Front Door conflict");
    expect(placeOf(dir, "dev")).to.deep.equal(releasedPlace("r2", "dev"));
    expect(stateViolations(dir, "dev")).to.deep.equal([]);
  });

  pool.define("dev: a persistent Front Door failure at the first shift: no traffic moved, but green's disabled origins cannot be removed either (exit 1); resume after the fix rolls back (exit 3)", async () => {
    const dir = await worldWithR1("fd-first", "dev");
    const checker = new StreamChecker(dir, "dev");
    // Front Door goes down once green is exposed (disabled origin) and gated.
    const run = await runStreaming(startIn("dev", "r2"), envFor(dir), (e) => {
      if (e.type === "action" && e.action?.kind === "gate") writeFaults(dir, { operations: [{ stack: "dev-global", operation: "up", times: 1000, message: "Front Door is down" }] });
    });
    expect(run.code, run.stderr).to.equal(1);
    expect(run.events.filter((e) => e.type === "action-failed").map((e) => `${e.action!.kind} ${e.attempt}`)).to.deep.equal([
      "shift 1", "shift 2", "shift 3", "restore-blue 1", "restore-blue 2", "restore-blue 3",
    ]);
    // Traffic never moved: blue serves alone, green's origin is still there, disabled.
    const g = globalOf(dir, "dev");
    expect(g.origins.map((o) => `${o.stamp} ${o.enabled ? o.weight : "off"}`)).to.deep.equal(["dev-weu-r1 1000", "dev-weu-r2 off"]);
    expect(checker.feed(run.events).violations).to.deep.equal([]);
    expect(stateViolations(dir, "dev")).to.deep.equal([]);

    clearFaults(dir);
    const resumed = await runStreaming(["release", "resume", "--env", "dev"], envFor(dir));
    expectRolledBack(resumed, "shift failed 3 times", "dev");
    expect(actions(resumed).map((a) => a!.kind)).to.deep.equal(["restore-blue", "destroy-stamps", "finish"]);
    expect(checker.feed(resumed.events).violations).to.deep.equal([]);
    expectBackOnR1(dir, r1Hosts.dev!, "dev");
  });

  pool.define("dev: a persistent Front Door failure after traffic moved: the rollback cannot restore blue either (exit 1); resume after the fix finishes it (exit 3)", async () => {
    const dir = await worldWithR1("fd-later", "dev");
    const checker = new StreamChecker(dir, "dev");
    // Green takes all traffic (blue disabled) and bakes; then Front Door stops taking updates, so
    // neither the promotion nor the way back can be applied.
    const run = await runStreaming(startIn("dev", "r2"), envFor(dir), (e) => {
      if (e.type === "action" && e.action?.kind === "bake") writeFaults(dir, { operations: [{ stack: "dev-global", operation: "up", times: 1000, message: "Front Door is down" }] });
    });
    expect(run.code, run.stderr).to.equal(1);
    expect(run.problemLines, "one error line").to.have.length(1);
    expect(run.problemLines[0]).to.match(/^error: .*Front Door is down/);
    const failed = run.events.filter((e) => e.type === "action-failed").map((e) => `${e.action!.kind} ${e.attempt} ${e.willRetry}`);
    expect(failed).to.deep.equal(["promote 1 true", "promote 2 true", "promote 3 false", "restore-blue 1 true", "restore-blue 2 true", "restore-blue 3 false"]);
    expect(checker.feed(run.events).violations).to.deep.equal([]);
    // Left serving from the gated green, the rollback recorded for whoever resumes, the lock free.
    const g = globalOf(dir, "dev");
    expect(intentFromTags(g.tags)?.mode).to.equal("rollback");
    expect(g.origins.map((o) => `${o.stamp} ${o.enabled ? o.weight : "off"}`)).to.deep.equal(["dev-weu-r1 off", "dev-weu-r2 1000"]);
    expect(stateViolations(dir, "dev")).to.deep.equal([]);
    expect(existsSync(lockFile(dir, "dev")), "a failed run releases its lock").to.equal(false);
    const status = await runCli(["--json", "release", "status", "--env", "dev"], envFor(dir));
    expect(status.code, status.stderr).to.equal(0);
    expect(JSON.parse(status.stdout)).to.include({ phase: "rollback: rolling back", release: "r2", mode: "rollback", greenPercent: 100 });

    clearFaults(dir);
    const resumed = await runStreaming(["release", "resume", "--env", "dev"], envFor(dir));
    expectRolledBack(resumed, "promote failed 3 times", "dev");
    expect(actions(resumed).map((a) => a!.kind)).to.deep.equal(["restore-blue", "destroy-stamps", "finish"]);
    expect(checker.feed(resumed.events).violations).to.deep.equal([]);
    expectBackOnR1(dir, r1Hosts.dev!, "dev");
  });

  pool.define("dev: after promotion, destroying blue keeps failing: green keeps serving (exit 1, no rollback); resume removes blue (exit 0)", async () => {
    const dir = await worldWithR1("blue-destroy", "dev");
    writeFaults(dir, { operations: [{ stack: "dev-weu-r1", operation: "destroy", times: 1000, message: "resource group is locked" }] });
    const run = await runStreaming(startIn("dev", "r2"), envFor(dir));
    expect(run.code, run.stderr).to.equal(1);
    expect(run.problemLines, "one error line").to.have.length(1);
    expect(run.problemLines[0]).to.match(/^error: .*resource group is locked/);
    const kinds = actions(run).map((a) => a!.kind);
    expect(kinds).to.not.include("begin-rollback");
    expect(kinds).to.not.include("restore-blue");
    expect(run.events.filter((e) => e.type === "action-failed").map((e) => `${e.action!.kind} ${e.attempt} ${e.willRetry}`)).to.deep.equal([
      "destroy-stamps 1 true", "destroy-stamps 2 true", "destroy-stamps 3 false",
    ]);
    // Green is live at full weight; blue's stack waits for the next run; the release stays open.
    const g = globalOf(dir, "dev");
    expect(g.liveRelease).to.equal("r2");
    expect(g.origins.map((o) => `${o.stamp} ${o.weight} ${o.enabled}`)).to.deep.equal(["dev-weu-r2 1000 true"]);
    expect(intentFromTags(g.tags)?.mode).to.equal("rollout");
    expect(stateViolations(dir, "dev")).to.deep.equal([]);
    expect(existsSync(lockFile(dir, "dev")), "a failed run releases its lock").to.equal(false);

    clearFaults(dir);
    const resumed = await runStreaming(["release", "resume", "--env", "dev"], envFor(dir));
    expect(resumed.code, resumed.stderr).to.equal(0);
    expect(actions(resumed).map((a) => a!.kind)).to.deep.equal(["destroy-stamps", "finish"]);
    expect(summaryOf(resumed)).to.include({ outcome: "released", release: "r2", liveRelease: "r2" });
    expect(placeOf(dir, "dev")).to.deep.equal(releasedPlace("r2", "dev"));
    expect(stateViolations(dir, "dev")).to.deep.equal([]);
  });

  pool.define("dev: two releases at once: the second exits 4 with one line and changes nothing; the first completes", async () => {
    const dir = await worldWithR1("concurrent", "dev");
    let second: Promise<{ run: Awaited<ReturnType<typeof runCli>>; before: string; after: string }> | undefined;
    // A long bake (dev bakes 1 min: 6 s at this scale) keeps the first release still, only probing, while the second one runs.
    const first = await runStreaming(startIn("dev", "r2", "--time-scale", "0.1"), envFor(dir), (e) => {
      if (e.type === "action" && e.action?.kind === "bake" && !second) {
        second = (async () => {
          const before = folderDigest(path.join(dir, "stacks"));
          const run = await runCli(startIn("dev", "r3"), envFor(dir));
          return { run, before, after: folderDigest(path.join(dir, "stacks")) };
        })();
      }
    });
    expect(second, "the second release was started during the first").to.not.equal(undefined);
    const { run, before, after } = await second!;
    expect(run.code, run.stderr).to.equal(4);
    const problems = run.errLines.filter((l) => !l.startsWith("engine: "));
    expect(problems).to.have.length(1);
    expect(problems[0]).to.match(/^error: another run is changing dev \(pid \d+ on .* \(release since .*\), lease until .*, lock file in .*\); wait for it, or run "contoso release abort --env dev" to turn a running release back$/);
    expect(problems[0]).to.include(`pid ${first.pid} `);
    expect(after, "the refused release changed no stack").to.equal(before);

    expect(first.code, first.stderr).to.equal(0);
    expect(placeOf(dir, "dev")).to.deep.equal(releasedPlace("r2", "dev"));
    expect(readFileSync(path.join(dir, "stacks", "dev-global.json"), "utf8")).to.not.include("r3");
    expect(stateViolations(dir, "dev")).to.deep.equal([]);
  });

  pool.define("dev: a release start while an unfinished release is recorded (after a crash): exit 4, resume or abort", async () => {
    const dir = await worldWithR1("unfinished", "dev");
    const crashed = await runStreaming(startIn("dev", "r2"), envFor(dir, { CONTOSO_OFFLINE_FAULTS: JSON.stringify({ crash: { at: "after:gate" } }) }));
    expect(crashed.signal).to.equal("SIGKILL");
    const stacksBefore = folderDigest(path.join(dir, "stacks"));
    const run = await runCli(startIn("dev", "r3"), envFor(dir));
    expect(run.code, run.stderr).to.equal(4);
    const problems = run.errLines.filter((l) => !l.startsWith("engine: ") && !l.includes("recovered the release lock"));
    expect(problems).to.deep.equal([
      'error: release r2 of dev is unfinished (rollout): run "contoso release resume --env dev" or "contoso release abort --env dev"',
    ]);
    expect(folderDigest(path.join(dir, "stacks")), "nothing changed").to.equal(stacksBefore);

    expect(stateViolations(dir, "dev")).to.deep.equal([]);

    const resumed = await runStreaming(["release", "resume", "--env", "dev"], envFor(dir));
    expect(resumed.code, resumed.stderr).to.equal(0);
    expect(placeOf(dir, "dev")).to.deep.equal(releasedPlace("r2", "dev"));
    expect(stateViolations(dir, "dev")).to.deep.equal([]);
  });

  pool.define("dev: release abort while the release runs: the running process cuts its bake short and turns back (exit 3), abort exits 0", async () => {
    const dir = await worldWithR1("abort-live", "dev");
    const checker = new StreamChecker(dir, "dev");
    let abort: Promise<StreamedRun> | undefined;
    // An 18 s bake (dev bakes 1 min): room for the abort process to start on a busy machine; it is cut short anyway.
    const run = await runStreaming(startIn("dev", "r2", "--time-scale", "0.3"), envFor(dir), (e) => {
      if (e.type === "action" && e.action?.kind === "bake" && !abort) abort = runStreaming(["release", "abort", "--env", "dev"], envFor(dir));
    });
    expect(abort, "abort was requested during the bake").to.not.equal(undefined);
    const aborted = await abort!;
    expect(aborted.code, aborted.stderr).to.equal(0);
    expect(summaryOf(aborted)).to.include({ outcome: "abort-requested", release: "r2" });
    expect(aborted.events.find((e) => e.type === "note")?.message).to.match(/another run is changing dev .*: asked it to turn back within one probe interval \(request in .*release-dev\.abort-request\.json\)/);

    expect(run.code, run.stderr).to.equal(3);
    expect(run.problemLines).to.deep.equal(["error: dev: release r2 aborted; live release r1"]);
    expect(actions(run).map((a) => a!.kind).slice(-4)).to.deep.equal(["bake", "restore-blue", "destroy-stamps", "finish"]);
    // The bake was cut short by the request (within one probe interval), not waited out: it never finished.
    expect(run.events.filter((e) => e.type === "action-done" && e.action?.kind === "bake"), "no bake completed").to.have.length(0);
    expect(run.events.find((e) => e.type === "note")?.message).to.match(/^abort of r2 requested by pid \d+ on .*: turning back to r1$/);
    expect(checker.feed(run.events).violations).to.deep.equal([]);
    expectBackOnR1(dir, r1Hosts.dev!, "dev");
  });

  before(async function () {
    this.timeout(120_000);
    await startAfterBaselines(pool, r1Hosts);
  });

  for (const name of pool.names()) it(name, () => pool.result(name));
});
