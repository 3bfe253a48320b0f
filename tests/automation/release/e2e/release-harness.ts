import { expect } from "chai";
import { spawn } from "node:child_process";
import { cpSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { createInterface } from "node:readline";
import pLimit from "p-limit";
import { globalStackName, TAG } from "../../../../environments/stacks.js";
import { loadEnvironment } from "../../../../environments/index.js";
import type { OriginSpec } from "../../../../global/contract.js";
import type { FaultPlan } from "../../../../automation/offline/faults.js";
import { stackLockPath } from "../../../../automation/lock/file-lock.js";
import { GATE_TAG, intentFromTags } from "../../../../automation/release/intent-tags.js";
import { cleanEnv, cliCommand, REPO, runCli, tempDir, type CliRun } from "../../cli-harness.js";
import { hashOf } from "../../../../automation/offline/azure-mocks.js";
import { OfflineImageRegistry } from "../../../../automation/images/offline-image-registry.js";
import { resourceName, SUFFIX_LENGTH } from "../../../../environments/naming.js";
import { sharedFixture, sharedFixturesRoot } from "../../../setup/shared-fixture.js";

/**
 * End-to-end release scenarios: the `contoso` CLI spawned as a user would, on the offline engine,
 * with the offline stamps answering the health contract over loopback HTTP. Each scenario works in
 * its own copy of a prepared state folder (prod's global stack with release r1 live), so scenarios
 * run side by side without sharing anything but the CPU.
 */

/** prod: three regions, steps 10 → 50 → 100 (what multi-step scenarios need); dev: one region, one step (cheap). */
export type EnvName = "prod" | "dev";
export const ENV: EnvName = "prod";
const REGIONS: Record<EnvName, string[]> = { prod: ["weu", "neu", "sdc"], dev: ["weu"] };
/**
 * The environment's offline registry (its global stack's `registryLoginServer`): the offline mocks
 * derive the name's random suffix from the stack and resource names, so it is known before the
 * stack is deployed; `withR1` checks it against the deployed output.
 */
export function loginServer(env: EnvName): string {
  const suffix = hashOf(globalStackName(env), "global-suffix").replace(/[^a-z0-9]/g, "").slice(0, SUFFIX_LENGTH);
  return `${resourceName("containerRegistry", { env, suffix })}.azurecr.io`;
}
/** An image the baseline built into the environment's registry (r1-r9): what a release ships. */
export const image = (release: string, env: EnvName = ENV) => `${loginServer(env)}/shop-api:${release}`;
function readGlobalLoginServer(dir: string, env: EnvName): unknown {
  const record = JSON.parse(readFileSync(path.join(dir, "stacks", `${globalStackName(env)}.json`), "utf8")) as { outputs: Record<string, unknown> };
  return record.outputs["registryLoginServer"];
}
/** The releases whose images every prepared world has in its registry. */
const BUILT = ["r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9"];
export const stampsOf = (release: string, env: EnvName = ENV) => REGIONS[env].map((r) => `${env}-${r}-${release}`).sort();

/**
 * Release waits (bake, probe interval, gate deadline) as a fraction of Azure time. The default one
 * (from cleanEnv's CONTOSO_OFFLINE_TIME_SCALE, which also makes engine latency negligible) bakes
 * 300 ms per step; scenarios that act in the middle of a bake pass a longer one.
 */
export const BAKE_TIME_SCALE = "0.003"; // prod bakes 15 min → 2.7 s per step

export interface JsonEvent {
  type: string;
  action?: { kind: string; step?: number; percent?: number; origins?: OriginSpec[]; stacks?: string[]; reason?: string; outcome?: string; liveRelease?: string | null };
  result?: { ok: boolean; unhealthy?: string };
  verdict?: { stack: string; passed: boolean; reason?: string };
  stack?: string;
  error?: string;
  attempt?: number;
  willRetry?: boolean;
  from?: string;
  message?: string;
  outcome?: string;
  release?: string | null;
  liveRelease?: string | null;
  reason?: string;
}

export interface StreamedRun extends CliRun {
  pid: number;
  events: JsonEvent[];
  /** stderr lines other than the engine's one-line notice of which engine runs. */
  problemLines: string[];
}

export function envFor(stateDir: string, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return cleanEnv({ CONTOSO_STATE_DIR: stateDir, ...extra });
}

/**
 * Runs the CLI with `--json` and hands each event (and the process id) to `onEvent` as soon as its
 * line arrives, so a test can act in the middle of a release (write a fault, start a second
 * release, send a signal).
 */
export function runStreaming(args: string[], env: NodeJS.ProcessEnv, onEvent?: (event: JsonEvent, pid: number) => void | Promise<void>): Promise<StreamedRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...cliCommand(), "--json", ...args], { cwd: REPO, env, stdio: ["ignore", "pipe", "pipe"] });
    const events: JsonEvent[] = [];
    let stdout = "";
    let stderr = "";
    let handlers: Promise<unknown> = Promise.resolve();
    createInterface({ input: child.stdout }).on("line", (line) => {
      stdout += `${line}\n`;
      let event: JsonEvent;
      try {
        event = JSON.parse(line) as JsonEvent;
      } catch {
        return;
      }
      events.push(event);
      if (onEvent) handlers = handlers.then(() => onEvent(event, child.pid!));
    });
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      const errLines = stderr.split("\n").filter((l) => l.trim() !== "");
      handlers.then(
        () => resolve({ code, signal, stdout, stderr, errLines, pid: child.pid!, events, problemLines: errLines.filter((l) => !l.startsWith("engine: ")) }),
        reject,
      );
    });
  });
}

export { runCli };

/** Writes the fault plan the way an operator would edit it: atomically, while a release runs. */
export function writeFaults(stateDir: string, plan: FaultPlan): void {
  const file = path.join(stateDir, "faults.json");
  writeFileSync(`${file}.tmp`, JSON.stringify(plan));
  renameSync(`${file}.tmp`, file);
}

export function clearFaults(stateDir: string): void {
  rmSync(path.join(stateDir, "faults.json"), { force: true });
}

// ---------------------------------------------------------------------------------------------
// The prepared world: an environment's global stack, release r1 released by the CLI. Built once
// per environment and test run.

export interface Baseline {
  dir: string;
  r1: StreamedRun;
}

const baselines = new Map<EnvName, Promise<Baseline>>();
const created: string[] = [];
process.on("exit", () => {
  for (const dir of created) rmSync(dir, { recursive: true, force: true });
});

/**
 * The prepared world of `envName`, built once per test run (shared by mocha's workers, see
 * tests/setup/shared-fixture.ts) and only ever copied, never changed.
 */
export function withR1(envName: EnvName = ENV): Promise<Baseline> {
  let baseline = baselines.get(envName);
  if (!baseline) {
    const root = sharedFixturesRoot() ?? tempDir("e2e-fixtures");
    if (!sharedFixturesRoot()) created.push(root);
    baseline = sharedFixture(root, `e2e-base-${envName}`, (dir) => buildR1World(dir, envName)).then(({ dir, value }) => ({ dir, r1: value }));
    baselines.set(envName, baseline);
  }
  return baseline;
}

async function buildR1World(dir: string, envName: EnvName): Promise<StreamedRun> {
  const env = envFor(dir);
  const up = await runCli(["global", "up", "--env", envName], env);
  expect(up.code, up.stderr).to.equal(0);
  // A release ships an image already in the environment's registry: built straight into the
  // offline registry, as `contoso image build` does (tests/automation/images/ runs that command;
  // here a spawn per image would only slow every scenario's baseline down).
  const registry = new OfflineImageRegistry(dir);
  for (const release of BUILT) {
    const built = await registry.build({ registryName: loginServer(envName).split(".")[0]!, loginServer: loginServer(envName), repository: "shop-api", tag: release });
    expect(built.image).to.equal(image(release, envName));
  }
  // The login server this harness predicts is the one the deployed global stack reports.
  expect(readGlobalLoginServer(dir, envName)).to.equal(loginServer(envName));
  const r1 = await runStreaming(["release", "start", "--env", envName, "--release", "r1", "--image", image("r1", envName)], env);
  expect(r1.code, r1.stderr).to.equal(0);
  return r1;
}

/** A private copy of the prepared world for one scenario. */
export async function worldWithR1(name: string, envName: EnvName = ENV): Promise<string> {
  const { dir } = await withR1(envName);
  const copy = tempDir(`e2e-${name}`);
  created.push(copy);
  cpSync(dir, copy, { recursive: true });
  return copy;
}

// ---------------------------------------------------------------------------------------------
// Reading the world from the outside: the offline engine's stack files.

export interface StackFile {
  name: string;
  tags: Record<string, string>;
  outputs: Record<string, unknown>;
  resources: unknown[];
}

export function readStack(stateDir: string, name: string): StackFile | undefined {
  const file = path.join(stateDir, "stacks", `${name}.json`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as StackFile) : undefined;
}

export function stampStacks(stateDir: string): StackFile[] {
  const dir = path.join(stateDir, "stacks");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => JSON.parse(readFileSync(path.join(dir, f), "utf8")) as StackFile)
    .filter((s) => s.tags[TAG.kind] === "stamp");
}

export function globalOf(stateDir: string, env: EnvName = ENV): { origins: OriginSpec[]; liveRelease: string | null; tags: Record<string, string> } {
  const g = readStack(stateDir, globalStackName(env));
  if (!g) throw new Error(`no ${globalStackName(env)} in ${stateDir}`);
  const live = g.outputs["liveRelease"];
  return { origins: (g.outputs["origins"] ?? []) as OriginSpec[], liveRelease: typeof live === "string" ? live : null, tags: g.tags };
}

export function lockFile(stateDir: string, env: EnvName = ENV): string {
  return stackLockPath(stateDir, `release-${env}`);
}

/** Where an environment is, in the terms an uninterrupted run is compared by (host names are per stamp and random). */
export interface Place {
  liveRelease: string | null;
  origins: string[];
  stamps: string[];
  releaseRecord: string;
}

export function placeOf(stateDir: string, env: EnvName = ENV): Place {
  const g = globalOf(stateDir, env);
  return {
    liveRelease: g.liveRelease,
    origins: g.origins.map((o) => `${o.stamp} ${o.release} ${o.enabled ? o.weight : "off"} p${o.priority}`).sort(),
    stamps: stampStacks(stateDir).map((s) => s.name).sort(),
    releaseRecord: intentFromTags(g.tags)?.release ?? "none",
  };
}

/** Where a finished release of `release` leaves prod: only its stamps, each at full weight, nothing in progress. */
export function releasedPlace(release: string, env: EnvName = ENV): Place {
  return {
    liveRelease: release,
    origins: stampsOf(release, env).map((s) => `${s} ${release} 1000 p1`).sort(),
    stamps: stampsOf(release, env),
    releaseRecord: "none",
  };
}

/**
 * Where a release of `release` that replaced `blue` leaves the environment once it finished: with
 * the environment's blueRetention (prod, staging), blue's stamps stay for `release undo` with their
 * origins disabled at full weight; without (dev), exactly `releasedPlace`.
 */
export function promotedPlace(release: string, blue: string, env: EnvName = ENV): Place {
  if (loadEnvironment(env).release.blueRetention === 0) return releasedPlace(release, env);
  return {
    liveRelease: release,
    origins: [...stampsOf(release, env).map((s) => `${s} ${release} 1000 p1`), ...stampsOf(blue, env).map((s) => `${s} ${blue} off p1`)].sort(),
    stamps: [...stampsOf(release, env), ...stampsOf(blue, env)].sort(),
    releaseRecord: "none",
  };
}

/**
 * DESIGN.md's invariants as far as the files show them: every enabled origin points to a deployed
 * stamp that passed its gate (its host name, not a stale one), and an environment that served keeps
 * at least one enabled origin. Returns the violations.
 */
export function stateViolations(stateDir: string, env: EnvName = ENV): string[] {
  const violations: string[] = [];
  const g = globalOf(stateDir, env);
  const stamps = new Map(stampStacks(stateDir).map((s) => [s.name, s]));
  // A green that passed its gate and then failed a bake keeps its weight until the rollback's
  // restore-blue step: "failed" on an enabled origin is legitimate only while a rollback is recorded.
  const rollingBack = ["rollback", "abort"].includes(intentFromTags(g.tags)?.mode ?? "");
  for (const o of g.origins.filter((x) => x.enabled)) {
    const stamp = stamps.get(o.stamp);
    if (!stamp) violations.push(`enabled origin ${o.stamp} points to a stamp that does not exist`);
    else if (stamp.outputs["webAppHostName"] !== o.hostName) violations.push(`enabled origin ${o.stamp} points to ${o.hostName}, the stamp serves ${String(stamp.outputs["webAppHostName"])}`);
    else if (stamp.tags[GATE_TAG] === "failed" ? !rollingBack : stamp.tags[GATE_TAG] !== "passed") {
      violations.push(`enabled origin ${o.stamp} has gate "${stamp.tags[GATE_TAG]}"${rollingBack ? "" : " outside a rollback"}`);
    }
  }
  if ((g.liveRelease !== null || g.origins.length > 0) && !g.origins.some((o) => o.enabled)) {
    violations.push("no enabled origin although the environment served before");
  }
  return violations;
}

/**
 * The invariants checked along a `--json` event stream: every origin list the driver applies gives
 * weight only to stamps that passed their gate (or served before), never leaves zero enabled
 * origins, and no stamp is destroyed while its origin is enabled. `stateDir` seeds what was true
 * before the run (gate tags, current origins).
 */
export class StreamChecker {
  private readonly passed = new Set<string>();
  private origins: OriginSpec[];
  readonly violations: string[] = [];

  constructor(stateDir: string, env: EnvName = ENV) {
    for (const s of stampStacks(stateDir)) if (s.tags[GATE_TAG] === "passed") this.passed.add(s.name);
    this.origins = globalOf(stateDir, env).origins;
  }

  feed(events: JsonEvent[]): this {
    for (const e of events) {
      if (e.type === "stamp-deployed" && e.stack) this.passed.delete(e.stack);
      if (e.type === "gate-verdict" && e.verdict) {
        if (e.verdict.passed) this.passed.add(e.verdict.stack);
        else this.passed.delete(e.verdict.stack);
      }
      const a = e.action;
      if (!a) continue;
      if (e.type === "action" && a.origins) {
        const before = new Set(this.origins.filter((o) => o.enabled).map((o) => o.stamp));
        for (const o of a.origins.filter((x) => x.enabled)) {
          if (!before.has(o.stamp) && !this.passed.has(o.stamp)) this.violations.push(`${a.kind} gives weight ${o.weight} to ${o.stamp} before it passed its gate`);
        }
        if (before.size > 0 && !a.origins.some((o) => o.enabled)) this.violations.push(`${a.kind} would leave no enabled origin`);
      }
      if (e.type === "action" && a.kind === "destroy-stamps") {
        for (const s of a.stacks ?? []) if (this.origins.some((o) => o.stamp === s && o.enabled)) this.violations.push(`destroys ${s} while its origin is enabled`);
      }
      if (e.type === "action-done" && a.origins) this.origins = a.origins;
    }
    return this;
  }
}

export function actions(run: StreamedRun): JsonEvent["action"][] {
  return run.events.filter((e) => e.type === "action").map((e) => e.action);
}

export function summaryOf(run: StreamedRun): JsonEvent | undefined {
  return run.events.find((e) => e.type === "summary");
}

/** Scenarios of a file start together (bounded: the CPU is shared) and each `it` awaits its own. */
export function scenarioPool(concurrency: number) {
  const limit = pLimit(concurrency);
  const running = new Map<string, Promise<void>>();
  const defined = new Map<string, () => Promise<void>>();
  return {
    define(name: string, scenario: () => Promise<void>): void {
      defined.set(name, scenario);
    },
    startAll(): void {
      for (const [name, scenario] of defined) {
        const p = limit(scenario);
        p.catch(() => undefined);
        running.set(name, p);
      }
    },
    result(name: string): Promise<void> {
      const p = running.get(name);
      if (!p) throw new Error(`scenario ${name} was not started`);
      return p;
    },
    names: () => [...defined.keys()],
  };
}

/** Origin host names by stamp: what "back on r1" must restore exactly. */
export function hostsOf(dir: string, env: EnvName): Record<string, string> {
  return Object.fromEntries(globalOf(dir, env).origins.map((o) => [o.stamp, o.hostName]));
}

/** Prepares the dev and prod baselines (r1 live), records r1's origin hosts, then starts the pool's scenarios. */
export async function startAfterBaselines(pool: ReturnType<typeof scenarioPool>, r1Hosts: Partial<Record<EnvName, Record<string, string>>>): Promise<void> {
  const [dev, prod] = await Promise.all([withR1("dev"), withR1("prod")]);
  r1Hosts.dev = hostsOf(dev.dir, "dev");
  r1Hosts.prod = hostsOf(prod.dir, "prod");
  pool.startAll();
}
