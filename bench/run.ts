import { spawnSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import * as v8 from "node:v8";
import * as vm from "node:vm";
import { loadEnvironment, type Environment } from "../environments/index.js";
import { detectionWindowMs, idealReapMs, releaseCriticalPath, stampTeardownMs } from "./critical-path.js";
import { figure, formatTable, ratio, type Figure } from "./figures.js";
import { measuredCriticalPath } from "./measured-path.js";
import { BLUE_RELEASE, benchRoot, worldWithBlue } from "./offline-world.js";
import { reapStateDir, staleStamps, timeReap } from "./reaper-throughput.js";
import { durationsByKind, timeRelease, type TimedRelease } from "./release-timing.js";
import { timeRollback } from "./rollback-timing.js";
import { REPO, timeCli, timeProgramEvaluation } from "./startup.js";

/**
 * `npm run bench` (issue 9): what a release costs, how fast it rolls back, how the driver scales.
 * Every figure is a ratio of two times taken in this run (or a start-up cost), against the offline
 * engine's latency model scaled down so the whole benchmark takes minutes. `--check` exits 1 when a
 * figure misses its target. Results: the printed table and bench/results/latest.json.
 */

/**
 * Time scales. The offline engine evaluates Pulumi programs in this process; that CPU is real and
 * adds to wall time on top of the modelled Azure time. The scales are chosen so that modelled time
 * dominates (prod's 82-minute critical path becomes ~2.5 minutes) while the run stays under ten
 * minutes on two cores; the CPU share is reported beside the overhead so nobody has to guess.
 */
const SCALE = {
  /** Full prod release: 81.7 modelled minutes → ~147 s. */
  overhead: 0.03,
  /** Region scaling releases (one step, 1-minute bake: 29.7 modelled minutes → ~53 s each). */
  scaling: 0.03,
  /** Rollback: the driver's waits (probe interval 10 s → 500 ms); the engine runs faster to reach the bake. */
  rollbackDriver: 0.05,
  rollbackEngine: 0.002,
};
/** Reaper: each teardown at least this long, each run's ideal at least this long, so fixed per-run costs stay small. */
const REAP = { stacks: 100, concurrencies: [1, 8, 16], minTeardownMs: 300, minIdealMs: 12_000 };
const SCALING_REGIONS = ["westeurope", "northeurope", "swedencentral", "germanywestcentral", "francecentral", "uksouth"];
const STARTUP_RUNS = 3;

const check = process.argv.includes("--check");
const log = (line: string) => process.stderr.write(`${line}\n`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

// A full collection before each timed run, so garbage from setting up is not collected on the clock.
v8.setFlagsFromString("--expose-gc");
const collectGarbage = vm.runInNewContext("gc") as () => void;

async function releaseOverhead(root: string): Promise<{ figures: Figure[]; raw: unknown }> {
  const env = loadEnvironment("prod");
  log(`[1/5] release overhead: prod, ${env.regions.length} regions, steps ${env.release.steps.join("/")}, time scale ${SCALE.overhead}`);
  const stateDir = await worldWithBlue(root, "overhead", env);
  collectGarbage();
  const run = await timeRelease({ stateDir, env, timeScale: SCALE.overhead, release: "r2" });
  if (run.outcome !== "released") throw new Error(`the measured prod release ended ${run.outcome}`);
  const critical = releaseCriticalPath(env, SCALE.overhead);
  const measured = measuredCriticalPath(run, { green: "r2", blue: BLUE_RELEASE });
  const azurePath = releaseCriticalPath(env, 1).totalMs;
  const extra = run.wallMs - critical.totalMs;
  const cpuShare = run.cpuMs / run.wallMs;
  log(`      wall ${seconds(run.wallMs)}, critical path ${seconds(critical.totalMs)} modelled, ${seconds(measured.totalMs)} measured, CPU ${seconds(run.cpuMs)}`);
  return {
    figures: [
      figure(
        "release.overhead",
        "Release overhead: prod wall ÷ critical path",
        ratio(run.wallMs, critical.totalMs),
        "ratio",
        { max: 1.05, source: "issue 9" },
        `wall ${seconds(run.wallMs)} ÷ critical path ${seconds(critical.totalMs)} (latency model and prod's settings × ${SCALE.overhead}); ` +
          `the ${seconds(extra)} above it would be ${((100 * extra) / azurePath).toFixed(2)} % of the ${(azurePath / 60_000).toFixed(1)}-minute path at Azure's own pace`,
      ),
      figure(
        "release.overhead-measured",
        "Release overhead: prod wall ÷ measured critical path",
        ratio(run.wallMs, measured.totalMs),
        "ratio",
        { max: 1.05, source: "issue 9" },
        `wall ${seconds(run.wallMs)} ÷ ${seconds(measured.totalMs)}, what the critical operations took in this run ` +
          `(slowest green stamp ${seconds(measured.parts[0]!.ms)}, ${run.operations.filter((o) => o.operation === "up" && o.stack.endsWith("-global")).length} global updates, gate, bakes, slowest blue teardown)`,
      ),
      figure(
        "release.cpu-share",
        "Release: driver CPU ÷ wall",
        cpuShare,
        "ratio",
        null,
        `${seconds(run.cpuMs)} of CPU in this process (programs under mocks, loopback probes, state files) during ${seconds(run.wallMs)}`,
      ),
    ],
    raw: { timeScale: SCALE.overhead, criticalPath: critical, measuredCriticalPath: measured, measured: summarise(run) },
  };
}

function deployGreen(run: TimedRelease): number {
  return durationsByKind(run.actions)["deploy-green"] ?? 0;
}

function summarise(run: TimedRelease) {
  return { outcome: run.outcome, wallMs: run.wallMs, cpuMs: run.cpuMs, byKind: durationsByKind(run.actions), actions: run.actions, operations: run.operations };
}

async function regionScaling(root: string): Promise<{ figures: Figure[]; raw: unknown }> {
  const counts = [1, 3, 6];
  log(`[2/5] region scaling: staging with ${counts.join(", ")} regions, one step, 1-minute bake, time scale ${SCALE.scaling}`);
  const runs: { regions: number; env: Environment; run: TimedRelease; criticalPathMs: number }[] = [];
  for (const n of counts) {
    const env = loadEnvironment("staging", { regions: SCALING_REGIONS.slice(0, n), release: { steps: [100], bakeTime: "1m" } });
    const stateDir = await worldWithBlue(root, `scaling-${n}`, env);
    collectGarbage();
    const run = await timeRelease({ stateDir, env, timeScale: SCALE.scaling, release: "r2" });
    if (run.outcome !== "released") throw new Error(`the ${n}-region release ended ${run.outcome}`);
    const criticalPathMs = releaseCriticalPath(env, SCALE.scaling).totalMs;
    log(`      ${n} region${n === 1 ? "" : "s"}: ${seconds(run.wallMs)} (critical path ${seconds(criticalPathMs)}, CPU ${seconds(run.cpuMs)})`);
    runs.push({ regions: n, env, run, criticalPathMs });
  }
  const one = runs[0]!;
  const figures = runs.slice(1).map((r) =>
    figure(
      `scaling.${r.regions}-regions`,
      `Region scaling: ${r.regions} regions ÷ 1 region`,
      ratio(r.run.wallMs, one.run.wallMs),
      "ratio",
      r.regions === 6 ? { max: 1.1, source: "issue 9" } : null,
      `${seconds(r.run.wallMs)} ÷ ${seconds(one.run.wallMs)} (same critical path, ${seconds(r.criticalPathMs)}; deploying green took ` +
        `${seconds(deployGreen(r.run))} vs ${seconds(deployGreen(one.run))}; CPU ${seconds(r.run.cpuMs)} vs ${seconds(one.run.cpuMs)})`,
    ),
  );
  return { figures, raw: { timeScale: SCALE.scaling, runs: runs.map((r) => ({ regions: r.regions, criticalPathMs: r.criticalPathMs, measured: summarise(r.run) })) } };
}

async function rollback(root: string): Promise<{ figures: Figure[]; raw: unknown }> {
  const env = loadEnvironment("prod");
  const windowMs = detectionWindowMs(env, SCALE.rollbackDriver);
  log(`[3/5] rollback: prod, a green stamp breaks during the first bake; detection window ${windowMs} ms (time scale ${SCALE.rollbackDriver})`);
  const stateDir = await worldWithBlue(root, "rollback", env);
  collectGarbage();
  const timing = await timeRollback({
    stateDir,
    env,
    release: "r2",
    timeScale: SCALE.rollbackDriver,
    engineTimeScale: SCALE.rollbackEngine,
    // Two probe intervals into the bake: the gate's window already holds healthy samples.
    faultAfterMs: (2 * windowMs) / env.healthGate.sampleSize,
  });
  if (timing.outcome !== "rolled-back") throw new Error(`the broken release ended ${timing.outcome}, not rolled back`);
  log(`      ${timing.stack} broke; blue restore issued ${Math.round(timing.rollbackMs)} ms later`);
  const g = env.healthGate;
  return {
    figures: [
      figure(
        "rollback.time",
        "Rollback: fault → blue restore issued ÷ detection window",
        ratio(timing.rollbackMs, windowMs),
        "ratio",
        { max: 1.2, source: "issue 9" },
        `${Math.round(timing.rollbackMs)} ms ÷ ${windowMs} ms (${g.sampleSize} samples × ${g.interval / 1000} s × ${SCALE.rollbackDriver})`,
      ),
    ],
    raw: { timeScale: SCALE.rollbackDriver, engineTimeScale: SCALE.rollbackEngine, windowMs, ...timing },
  };
}

async function reaperThroughput(root: string): Promise<{ figures: Figure[]; raw: unknown }> {
  log(`[4/5] reaper: ${REAP.stacks} stale stamps at concurrency ${REAP.concurrencies.join(", ")}`);
  const now = new Date();
  const figures: Figure[] = [];
  const raw: unknown[] = [];
  const modelledTeardown = stampTeardownMs(1);
  for (const c of REAP.concurrencies) {
    const waves = Math.ceil(REAP.stacks / c);
    const timeScale = Math.max(REAP.minTeardownMs / modelledTeardown, REAP.minIdealMs / (waves * modelledTeardown));
    const stateDir = reapStateDir(root, c);
    await staleStamps(stateDir, REAP.stacks, now);
    collectGarbage();
    const timing = await timeReap(stateDir, { stacks: REAP.stacks, concurrency: c, timeScale, now });
    const ideal = idealReapMs(REAP.stacks, c, timeScale);
    log(`      concurrency ${c}: ${seconds(timing.wallMs)} (ideal ${seconds(ideal)}, time scale ${timeScale.toPrecision(3)})`);
    figures.push(
      figure(
        `reaper.c${c}`,
        `Reaper: ${REAP.stacks} stacks at concurrency ${c} ÷ ideal`,
        ratio(timing.wallMs, ideal),
        "ratio",
        { max: 1.1, source: "issue 9" },
        `${seconds(timing.wallMs)} ÷ ${waves} × ${Math.round(stampTeardownMs(timeScale))} ms teardown (destroy + remove × ${timeScale.toPrecision(3)})`,
      ),
    );
    raw.push({ ...timing, timeScale, idealMs: ideal });
  }
  return { figures, raw };
}

async function startup(root: string): Promise<{ figures: Figure[]; raw: unknown }> {
  log(`[5/5] start-up: contoso --help, --version, release status, stacks ls (${STARTUP_RUNS} runs each), prod programs under mocks`);
  // `stacks ls` and `release status` read a real state folder: the prod world of the overhead run.
  const stateDir = path.join(root, "overhead");
  // What `npm install` leaves behind: bin/contoso.js runs the precompiled dist/ while it is fresh.
  const built = spawnSync(process.execPath, [path.join(REPO, "scripts", "build.mjs")], { cwd: REPO, encoding: "utf8" });
  if (built.status !== 0) throw new Error(`npm run build failed: ${built.stderr.trim()}`);
  const help = await timeCli(["--help"], stateDir, STARTUP_RUNS);
  const version = await timeCli(["--version"], stateDir, STARTUP_RUNS);
  const status = await timeCli(["release", "status", "--env", "prod"], stateDir, STARTUP_RUNS);
  const ls = await timeCli(["stacks", "ls"], stateDir, STARTUP_RUNS);
  // Issue 17: the commands a developer types most answer within 300 ms on an idle 2-core machine
  // (bin/contoso.js runs the precompiled dist/ when it is fresh: run `npm run build` after editing).
  const quick = { max: 300, source: "issue 17" } as const;
  const evaluation = await timeProgramEvaluation();
  const cliTime = { max: 1500, source: "bench budget" } as const;
  // Loading @pulumi/azure-native takes hundreds of MB: a CLI command under this budget loaded no program.
  const cliMemory = { max: 150, source: "bench budget" } as const;
  const runs = (r: number[]) => `median of ${r.map((x) => Math.round(x)).join(", ")} ms`;
  return {
    figures: [
      figure("startup.help.ms", "Start-up: contoso --help", help.wallMs, "ms", quick, runs(help.runs)),
      figure("startup.version.ms", "Start-up: contoso --version", version.wallMs, "ms", quick, runs(version.runs)),
      figure("startup.status.ms", "Start-up: contoso release status (prod, 3 stamps)", status.wallMs, "ms", quick, runs(status.runs)),
      figure("startup.help.mb", "Start-up: contoso --help peak memory", help.maxRssMb, "MB", cliMemory, "maxRSS of the process"),
      figure("startup.ls.ms", "Start-up: contoso stacks ls", ls.wallMs, "ms", cliTime, runs(ls.runs)),
      figure("startup.ls.mb", "Start-up: contoso stacks ls peak memory", ls.maxRssMb, "MB", cliMemory, "maxRSS of the process"),
      figure(
        "startup.programs.ms",
        `Prod programs under mocks (global + ${evaluation.stacks - 1} stamps)`,
        evaluation.evaluateMs,
        "ms",
        null,
        `${evaluation.resources} resources; loading the programs' modules included; whole process ${Math.round(evaluation.wallMs)} ms`,
      ),
      figure("startup.programs.mb", "Prod programs under mocks: peak memory", evaluation.maxRssMb, "MB", null, "maxRSS of the process"),
    ],
    raw: { help, version, status, ls, evaluation },
  };
}

/**
 * Other work on the machine competes for the same cores and inflates every wall time; the bench asks
 * for a higher scheduling priority (it needs privileges, so it may be refused) and says which it got.
 */
function raisePriority(): string {
  try {
    os.setPriority(0, BENCH_NICE);
    return `nice ${BENCH_NICE}`;
  } catch {
    return `nice ${os.getPriority(0)} (raising it was not permitted)`;
  }
}
const BENCH_NICE = -10;

async function main(): Promise<number> {
  const started = performance.now();
  const priority = raisePriority();
  // The benchmark injects its own faults; one from the caller's environment would skew every figure.
  delete process.env["CONTOSO_OFFLINE_FAULTS"];
  const cores = os.availableParallelism();
  const machine = { cores, cpu: os.cpus()[0]?.model ?? "unknown", node: process.version, platform: `${os.platform()} ${os.arch()}`, priority, loadAverageAtStart: os.loadavg() };
  log(`contoso bench: ${cores} cores (${machine.cpu}), node ${machine.node}, ${priority}, load average ${machine.loadAverageAtStart.map((l) => l.toFixed(2)).join(" ")}`);

  const root = await benchRoot();
  const sections: Record<string, unknown> = {};
  const figures: Figure[] = [];
  try {
    for (const [name, run] of [
      ["releaseOverhead", releaseOverhead],
      ["regionScaling", regionScaling],
      ["rollback", rollback],
      ["reaper", reaperThroughput],
      ["startup", startup],
    ] as const) {
      const result = await run(root.dir);
      figures.push(...result.figures);
      sections[name] = result.raw;
    }
  } finally {
    await root.cleanup();
  }

  const durationMs = performance.now() - started;
  const loadAverageAtEnd = os.loadavg();
  console.log(`\nMachine: ${cores} cores (${machine.cpu}), node ${machine.node}, bench at ${priority}; load average at start ${machine.loadAverageAtStart.map((l) => l.toFixed(2)).join(" ")}, at end ${loadAverageAtEnd.map((l) => l.toFixed(2)).join(" ")}`);
  console.log(formatTable(figures));
  console.log("");
  for (const f of figures) console.log(`  ${f.label}: ${f.detail}`);
  const failed = figures.filter((f) => f.pass === false);
  console.log(`\n${figures.filter((f) => f.pass === true).length} passed, ${failed.length} failed, ${figures.filter((f) => f.pass === null).length} reported; bench took ${seconds(durationMs)}`);

  const resultsDir = path.join(REPO, "bench", "results");
  await mkdir(resultsDir, { recursive: true });
  const file = path.join(resultsDir, "latest.json");
  await writeFile(
    file,
    `${JSON.stringify({ finishedAt: new Date().toISOString(), durationMs, machine: { ...machine, loadAverageAtEnd }, scales: { ...SCALE, reaper: REAP }, figures, sections }, null, 2)}\n`,
  );
  console.log(`written ${path.relative(REPO, file)}`);
  return check && failed.length > 0 ? 1 : 0;
}

process.exitCode = await main();
