import { expect } from "chai";
import { existsSync, readFileSync } from "node:fs";
import { processIsAlive } from "../../../../automation/lock/file-lock.js";
import {
  actions,
  envFor,
  image,
  lockFile,
  placeOf,
  promotedPlace,
  releasedPlace,
  runStreaming,
  scenarioPool,
  stateViolations,
  StreamChecker,
  summaryOf,
  hostsOf,
  startAfterBaselines,
  worldWithR1,
  writeFaults,
  type EnvName,
  type JsonEvent,
  type StreamedRun,
} from "./release-harness.js";

/**
 * Issue 6, "crash (process killed) at every phase followed by resume and by abort": release r2 is
 * killed with SIGKILL at a driver checkpoint, then a new process runs `release resume` (or
 * `release abort`). It must recover the dead process's lock and end exactly where an uninterrupted
 * run ends. Every checkpoint (before and after every kind of action a release takes) runs on dev,
 * whose single region and single step make a release cheap and still take every kind of action;
 * the later occurrences of the stepped actions run on prod (10 → 50 → 100 %).
 */

interface CrashPoint {
  env: EnvName;
  at: string;
  /** Which occurrence of the checkpoint in the run (prod shifts and bakes three times). */
  occurrence: number;
}

const KINDS = ["deploy-green", "expose", "gate", "shift", "bake", "promote", "destroy-stamps", "finish"];
const RESUME_POINTS: CrashPoint[] = [
  ...KINDS.flatMap((kind) => ["before", "after"].map((when): CrashPoint => ({ env: "dev", at: `${when}:${kind}`, occurrence: 1 }))),
  { env: "prod", at: "before:shift", occurrence: 2 },
  { env: "prod", at: "after:bake", occurrence: 2 },
  { env: "prod", at: "after:shift", occurrence: 3 },
  // Promoted, blue retained for release undo (prod's blueRetention) but the window not recorded yet.
  { env: "prod", at: "before:retain-blue", occurrence: 1 },
];

/** Before promotion only: once green is live, abort refuses (release the previous version again). */
const ABORT_POINTS: CrashPoint[] = [
  { env: "dev", at: "after:deploy-green", occurrence: 1 },
  { env: "dev", at: "after:expose", occurrence: 1 },
  { env: "dev", at: "after:gate", occurrence: 1 },
  { env: "dev", at: "before:promote", occurrence: 1 },
  { env: "prod", at: "after:shift", occurrence: 1 },
  { env: "prod", at: "after:bake", occurrence: 2 },
];

const label = (p: CrashPoint) => `${p.env} ${p.at}${p.occurrence > 1 ? ` #${p.occurrence}` : ""}`;
const slug = (p: CrashPoint) => `${p.env}-${p.at.replace(":", "-")}-${p.occurrence}`;

/**
 * Crashes during a rollback: green fails its gate (the decision to roll back is an action with
 * checkpoints) or a bake (blue must get its weight back: restore-blue).
 */
const ROLLBACK_POINTS: (CrashPoint & { failing: "gate" | "bake" })[] = [
  { env: "dev", at: "after:begin-rollback", occurrence: 1, failing: "gate" },
  { env: "dev", at: "before:restore-blue", occurrence: 1, failing: "bake" },
  { env: "dev", at: "after:restore-blue", occurrence: 1, failing: "bake" },
];

/** Starts r2 with a crash planned at the checkpoint (through the environment: only this process crashes). */
async function crashRun(stateDir: string, p: CrashPoint, extraArgs: string[] = [], onEvent?: (e: JsonEvent) => void): Promise<StreamedRun> {
  const run = await runStreaming(
    ["release", "start", "--env", p.env, "--release", "r2", "--image", image("r2", p.env), "--auto-promote", ...extraArgs],
    envFor(stateDir, { CONTOSO_OFFLINE_FAULTS: JSON.stringify({ crash: { at: p.at, occurrence: p.occurrence } }) }),
    onEvent,
  );
  expect(run.signal, `the run should have been killed at ${label(p)}; exit ${run.code}: ${run.stderr}`).to.equal("SIGKILL");
  expect(run.stderr).to.include(`crashing at checkpoint ${p.at} (occurrence ${p.occurrence})`);
  // Killed right there: the action was announced (before:) or had just finished (after:).
  const [when, kind] = p.at.split(":");
  const last = run.events.at(-1);
  expect([last?.type, last?.action?.kind]).to.deep.equal([when === "before" ? "action" : "action-done", kind]);
  expect(run.events.filter((e) => e.type === "action" && e.action?.kind === kind)).to.have.length(p.occurrence);
  // The lock stays behind, naming a process that is gone.
  expect(existsSync(lockFile(stateDir, p.env)), "the killed run leaves its lock").to.equal(true);
  const holder = JSON.parse(readFileSync(lockFile(stateDir, p.env), "utf8")) as { pid: number };
  expect(holder.pid).to.equal(run.pid);
  expect(processIsAlive(holder.pid)).to.equal(false);
  expect(stateViolations(stateDir, p.env), "invariants right after the crash").to.deep.equal([]);
  return run;
}

function expectLockRecovered(run: StreamedRun, crashed: StreamedRun, stateDir: string, env: EnvName): void {
  const recovered = run.events.filter((e) => e.type === "lock-recovered");
  expect(recovered, "the dead run's lock is recovered (and reported)").to.have.length(1);
  expect(recovered[0]!.from).to.include(`pid ${crashed.pid}`);
  expect(existsSync(lockFile(stateDir, env)), "the lock is released at the end").to.equal(false);
}

describe("release e2e: crash at every checkpoint, then resume or abort (offline engine, loopback HTTP)", function () {
  this.timeout(120_000); // a scenario waits its turn in the pool; none needs more than 2 minutes
  const pool = scenarioPool(3);
  const r1Hosts: Partial<Record<EnvName, Record<string, string>>> = {};

  for (const p of RESUME_POINTS) {
    pool.define(`resume after a crash at ${label(p)}`, async () => {
      const dir = await worldWithR1(`crash-${slug(p)}`, p.env);
      const checker = new StreamChecker(dir, p.env);
      const crashed = await crashRun(dir, p);
      checker.feed(crashed.events);

      const resumed = await runStreaming(["release", "resume", "--env", p.env], envFor(dir));
      expect(resumed.code, resumed.stderr).to.equal(0);
      expect(resumed.problemLines, "no error lines").to.deep.equal([]);
      expectLockRecovered(resumed, crashed, dir, p.env);
      // A crash right after the final step leaves nothing to do; anywhere else resume finishes the release.
      expect(summaryOf(resumed)?.outcome).to.equal(p.at === "after:finish" ? "nothing-to-do" : "released");
      expect(placeOf(dir, p.env), "same place as an uninterrupted run").to.deep.equal(promotedPlace("r2", "r1", p.env));
      expect(checker.feed(resumed.events).violations).to.deep.equal([]);
      expect(stateViolations(dir, p.env)).to.deep.equal([]);
    });
  }

  for (const p of ABORT_POINTS) {
    pool.define(`abort after a crash at ${label(p)}`, async () => {
      const dir = await worldWithR1(`abort-${slug(p)}`, p.env);
      const checker = new StreamChecker(dir, p.env);
      const crashed = await crashRun(dir, p);
      checker.feed(crashed.events);

      const aborted = await runStreaming(["release", "abort", "--env", p.env], envFor(dir));
      expect(aborted.code, aborted.stderr).to.equal(0);
      expect(aborted.problemLines).to.deep.equal([]);
      expectLockRecovered(aborted, crashed, dir, p.env);
      expect(summaryOf(aborted)).to.include({ outcome: "aborted", release: "r2", liveRelease: "r1" });
      expect(placeOf(dir, p.env), "back to r1").to.deep.equal(releasedPlace("r1", p.env));
      // Blue is the very same stamps (not redeployed): the origins point to the original host names.
      expect(hostsOf(dir, p.env)).to.deep.equal(r1Hosts[p.env]);
      expect(checker.feed(aborted.events).violations).to.deep.equal([]);
      expect(stateViolations(dir, p.env)).to.deep.equal([]);
    });
  }

  for (const p of ROLLBACK_POINTS) {
    pool.define(`resume a rollback (green failed its ${p.failing}) after a crash at ${label(p)}`, async () => {
      const dir = await worldWithR1(`rollback-${slug(p)}`, p.env);
      const checker = new StreamChecker(dir, p.env);
      const broken = { stamps: [{ stack: `${p.env}-weu-r2`, component: "redis" }] };
      let crashed: StreamedRun;
      if (p.failing === "gate") {
        writeFaults(dir, broken);
        crashed = await crashRun(dir, p);
      } else {
        // dev bakes 1 min: 3 s at this scale, time for the broken stamp to be noticed.
        crashed = await crashRun(dir, p, ["--time-scale", "0.05"], (e) => {
          if (e.type === "action" && e.action?.kind === "bake") writeFaults(dir, broken);
        });
      }
      checker.feed(crashed.events);
      expect(actions(crashed).map((a) => a!.kind)).to.include("begin-rollback");

      const resumed = await runStreaming(["release", "resume", "--env", p.env], envFor(dir));
      expect(resumed.code, resumed.stderr).to.equal(3);
      expect(resumed.problemLines).to.have.length(1);
      expect(resumed.problemLines[0]).to.match(new RegExp(`^error: ${p.env}: release r2 failed and was rolled back; live release r1 \\(.*${p.env}-weu-r2`));
      expectLockRecovered(resumed, crashed, dir, p.env);
      expect(actions(resumed).map((a) => a!.kind)).to.not.include("shift");
      expect(placeOf(dir, p.env), "back to r1").to.deep.equal(releasedPlace("r1", p.env));
      expect(hostsOf(dir, p.env)).to.deep.equal(r1Hosts[p.env]);
      expect(checker.feed(resumed.events).violations).to.deep.equal([]);
      expect(stateViolations(dir, p.env)).to.deep.equal([]);
    });
  }

  before(async function () {
    this.timeout(120_000);
    await startAfterBaselines(pool, r1Hosts);
  });

  for (const name of pool.names()) it(name, () => pool.result(name));
});
