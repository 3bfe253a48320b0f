import { expect } from "chai";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { folderDigest, tempDir, type CliRun } from "../../cli-harness.js";
import {
  actions,
  envFor,
  hostsOf,
  image,
  lockFile,
  placeOf,
  promotedPlace,
  releasedPlace,
  runCli,
  runStreaming,
  scenarioPool,
  stateViolations,
  StreamChecker,
  summaryOf,
  withR1,
  worldWithR1,
  type StreamedRun,
} from "./release-harness.js";

/**
 * Issue 13, "one writer per environment", raced for real: two `contoso` processes spawned as two
 * shells (or two pipelines) would be, on prod with release r1 live. The second writer starts while
 * the first holds the environment (in the middle of a bake, which lasts modelled minutes: seconds
 * here) and must get exit 4 naming the holder with nothing changed; the first must end exactly
 * where it would have alone.
 */

const ENV = "prod";
/**
 * Release waits as a fraction of Azure's (prod bakes 15 min). A refused second writer must start,
 * be refused and exit inside the first bake (its before/after digests): 18 s bakes, about ten times
 * what a refused CLI takes beside two CPU burners. An abort must reach the run inside the bake it
 * cuts short and the run must turn back: 27 s bakes. (With 27 s bakes everywhere a race scenario
 * took 108 s idle and 121 s beside two burners, the three bakes most of it.)
 */
const LOCK_RACE_TIME_SCALE = "0.02";
const ABORT_RACE_TIME_SCALE = "0.03";
// --auto-promote: these races are about the lock, not approvals (prod pauses before 100 %).
const startR2 = (timeScale = LOCK_RACE_TIME_SCALE) => ["release", "start", "--env", ENV, "--release", "r2", "--image", image("r2"), "--auto-promote", "--time-scale", timeScale];
const stacksDigest = (dir: string) => folderDigest(path.join(dir, "stacks"));

/** Runs `second` once the release is baking at its first step, recording the stacks before and after it. */
async function raceDuringBake(dir: string, second: () => Promise<CliRun>, timeScale = LOCK_RACE_TIME_SCALE) {
  let raced: Promise<{ run: CliRun; before: string; after: string }> | undefined;
  const first = await runStreaming(startR2(timeScale), envFor(dir), (e) => {
    if (e.type === "action" && e.action?.kind === "bake" && !raced) {
      raced = (async () => {
        const before = stacksDigest(dir);
        const run = await second();
        return { run, before, after: stacksDigest(dir) };
      })();
    }
  });
  expect(raced, "the second writer ran during the first one's bake").to.not.equal(undefined);
  return { first, ...(await raced!) };
}

function expectRefusedBy(run: CliRun, holder: StreamedRun): void {
  expect(run.code, run.stderr).to.equal(4);
  const problems = run.errLines.filter((l) => !l.startsWith("engine: "));
  expect(problems, "one line").to.have.length(1);
  expect(problems[0]).to.match(new RegExp(`^error: another run is changing ${ENV} \\(pid ${holder.pid} on .* \\(release since .*\\), lease until .*\\); wait for it`));
}

function expectReleasedR2(first: StreamedRun, dir: string): void {
  expect(first.code, first.stderr).to.equal(0);
  expect(summaryOf(first)).to.include({ outcome: "released", liveRelease: "r2" });
  expect(placeOf(dir, ENV)).to.deep.equal(promotedPlace("r2", "r1", ENV));
  expect(stateViolations(dir, ENV)).to.deep.equal([]);
  expect(existsSync(lockFile(dir, ENV)), "lock released").to.equal(false);
}

describe("release e2e: one writer per environment, raced with a second process", function () {
  this.timeout(600_000);
  const pool = scenarioPool(2);

  pool.define("global up during a running release: exit 4 naming the release, nothing changed; the release ends released, its weights intact", async () => {
    const dir = await worldWithR1("race-global-up", ENV);
    const checker = new StreamChecker(dir, ENV);
    const { first, run, before, after } = await raceDuringBake(dir, () => runCli(["global", "up", "--env", ENV], envFor(dir)));
    expectRefusedBy(run, first);
    expect(after, "the refused global up changed no stack").to.equal(before);
    expectReleasedR2(first, dir);
    expect(checker.feed(first.events).violations).to.deep.equal([]);
    // Every step of the release took effect: 10 → 50 → 100, nothing undone in between.
    expect(actions(first).filter((a) => a!.kind === "shift").map((a) => a!.percent)).to.deep.equal([10, 50, 100]);
  });

  pool.define("stamp destroy of a green stamp during a running release: exit 4, the stamp lives; the release ends released", async () => {
    const dir = await worldWithR1("race-stamp-destroy", ENV);
    const { first, run, before, after } = await raceDuringBake(dir, () =>
      runCli(["stamp", "destroy", "--env", ENV, "--region", "weu", "--release", "r2", "--confirm", ENV], envFor(dir)));
    expectRefusedBy(run, first);
    expect(after, "the refused destroy changed no stack").to.equal(before);
    expectReleasedR2(first, dir);
  });

  pool.define("abort --wait from another shell during a bake: the bake is cut short, abort returns once blue is restored (exit 0), the release exits 3", async () => {
    const dir = await worldWithR1("race-abort-wait", ENV);
    const r1Hosts = hostsOf(dir, ENV);
    let placeWhenAbortReturned: ReturnType<typeof placeOf> | undefined;
    const { first, run } = await raceDuringBake(dir, async () => {
      const aborted = await runCli(["release", "abort", "--env", ENV, "--wait"], envFor(dir));
      placeWhenAbortReturned = placeOf(dir, ENV);
      return aborted;
    }, ABORT_RACE_TIME_SCALE);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.include(`${ENV}: release r2 aborted; live release r1`);
    expect(placeWhenAbortReturned, "blue was whole when abort --wait returned").to.deep.equal(releasedPlace("r1", ENV));
    expect(first.code, first.stderr).to.equal(3);
    expect(first.events.filter((e) => e.type === "action-done" && e.action?.kind === "bake"), "the bake was cut short").to.have.length(0);
    expect(actions(first).map((a) => a!.kind).slice(-4)).to.deep.equal(["bake", "restore-blue", "destroy-stamps", "finish"]);
    expect(hostsOf(dir, ENV)).to.deep.equal(r1Hosts);
    expect(stateViolations(dir, ENV)).to.deep.equal([]);
  });

  pool.define("two runners on one file:// lock, the first killed: a holder of another host is waited for until its lease expires, then taken over and reported; the release ends released", async () => {
    const dir = await worldWithR1("race-file-lock", ENV);
    const shared = tempDir("shared-lock");
    const env = envFor(dir, { CONTOSO_RELEASE_LOCK: pathToFileURL(shared).href });
    const lock = path.join(shared, "locks", "release-prod.lock");
    let killedAtBake = false;
    const killed = await runStreaming(startR2(), env, (e) => {
      if (e.type === "action" && e.action?.kind === "bake" && !killedAtBake) {
        killedAtBake = true;
        process.kill(holderPid(), "SIGKILL");
      }
    });
    expect(killed.signal).to.equal("SIGKILL");
    expect(existsSync(lock), "the killed runner leaves its lock in the shared folder").to.equal(true);
    // Model a runner of another machine: its pid cannot be checked from here; only its lease counts.
    const holder = JSON.parse(readFileSync(lock, "utf8")) as Record<string, unknown>;
    const modelled = (expiresInMs: number) =>
      writeFileSync(lock, JSON.stringify({ ...holder, host: "runner-b", expiresAt: new Date(Date.now() + expiresInMs).toISOString() }));
    modelled(10 * 60_000);
    const before = stacksDigest(dir);
    const refused = await runCli(["release", "resume", "--env", ENV], env);
    expect(refused.code, refused.stderr).to.equal(4);
    expect(refused.errLines.filter((l) => !l.startsWith("engine: "))[0]).to.match(/^error: another run is changing prod \(pid \d+ on runner-b .*lock file in .*shared-lock.*\); wait for it/);
    expect(stacksDigest(dir), "the refused runner changed nothing").to.equal(before);

    modelled(-1); // its lease has run out
    const resumed = await runStreaming(["release", "resume", "--env", ENV], env);
    expect(resumed.code, resumed.stderr).to.equal(0);
    const recovered = resumed.events.filter((e) => e.type === "lock-recovered");
    expect(recovered, "the takeover is reported").to.have.length(1);
    expect(recovered[0]!.from).to.match(/ on runner-b /);
    expect(placeOf(dir, ENV)).to.deep.equal(promotedPlace("r2", "r1", ENV));
    expect(stateViolations(dir, ENV)).to.deep.equal([]);
    expect(existsSync(lock), "released at the end").to.equal(false);

    /** The runner holding the lock: the CLI process itself. */
    function holderPid(): number {
      return (JSON.parse(readFileSync(lock, "utf8")) as { pid: number }).pid;
    }
  });

  before(async function () {
    this.timeout(300_000);
    await withR1(ENV);
    pool.startAll();
  });

  for (const name of pool.names()) it(name, () => pool.result(name));
});
