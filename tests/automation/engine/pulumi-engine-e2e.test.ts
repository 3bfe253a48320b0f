import { expect } from "chai";
import { spawnSync, spawn } from "node:child_process";
import { cpSync, existsSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { OperationError, PrerequisiteError, StackLockedError, type EngineEvent } from "../../../automation/engine/port.js";
import { LIST_CONCURRENCY } from "../../../automation/engine/pulumi-engine.js";
import { processAlive } from "../../../automation/engine/stale-locks.js";
import { intentFromTags, intentToTags } from "../../../automation/release/intent-tags.js";
import type { ReleaseIntent } from "../../../automation/release/model.js";
import { programs } from "./fixtures/programs.js";
import { FakePulumiWorld } from "./fake-pulumi-world.js";

/**
 * The Pulumi engine end to end: PulumiEngine → Automation API LocalWorkspace → a stand-in `pulumi`
 * (./fake-pulumi) that answers as the real CLI does and keeps a file backend laid out as Pulumi's.
 * Crashes are real: the stand-in SIGKILLs the driver process (a child here) between two CLI calls.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const DRIVER = path.join(here, "fixtures", "engine-driver.ts");
const REPO = path.resolve(here, "../../..");

function drive(world: FakePulumiWorld, steps: unknown[]): { status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", DRIVER, JSON.stringify(steps)], {
    env: { ...process.env, ...world.env, FAKE_REPO_ROOT: world.repo },
    cwd: REPO,
    encoding: "utf8",
    timeout: 120_000,
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Resolves once `pid` no longer runs (a killed process may take a moment to be reaped). */
async function waitForExit(pid: number): Promise<void> {
  for (let i = 0; i < 200 && processAlive(pid); i++) await new Promise((r) => setTimeout(r, 25));
  expect(processAlive(pid), `pid ${pid} still runs`).to.equal(false);
}

describe("Pulumi engine end to end (LocalWorkspace against a stand-in pulumi CLI)", function () {
  this.timeout(180_000);
  let world: FakePulumiWorld;
  beforeEach(() => {
    world = new FakePulumiWorld();
    world.install();
  });
  afterEach(() => world.uninstall());

  it("runs up, outputs, tags, list, destroy and remove through the CLI's commands", async () => {
    const engine = world.engine();
    const events: EngineEvent[] = [];
    const listeners = () => [process.listenerCount("uncaughtException"), process.listenerCount("unhandledRejection")];
    const before = listeners();
    const up = await engine.up({ stack: "dev-a-global", program: programs.rg("dev-a-global"), tags: { "contoso:env": "dev-a" } }, { onEvent: (e) => events.push(e) });
    // Pulumi's per-run process handlers (scoped to their run here) are all gone once the run ends.
    expect(listeners()).to.deep.equal(before);
    expect(up.outputs).to.include({ resourceGroup: "rg-dev-a-global", stack: "dev-a-global" });
    expect(up.changes).to.deep.equal({ create: 2 });
    expect(events.filter((e) => e.type === "resource").map((e) => (e as { name: string }).name)).to.deep.equal(["rg", "sa"]);
    expect(await engine.outputs("dev-a-global")).to.deep.equal(up.outputs);
    expect(await engine.outputs("dev-a-nope")).to.equal(undefined);
    const listed = await engine.listStacks({ tags: { "contoso:env": "dev-a" } });
    expect(listed.map((s) => [s.name, s.tags["contoso:env"], s.resourceCount])).to.deep.equal([["dev-a-global", "dev-a", 3]]);
    // Pulumi refuses to remove a stack with resources (stack_remove.go); the engine says so.
    const refused = await engine.remove("dev-a-global").catch((e: unknown) => e);
    expect(refused).to.be.instanceOf(OperationError).with.property("message").that.matches(/still has resources; removal rejected/);
    await engine.destroy("dev-a-global");
    expect(world.deployment("dev-a-global").resources).to.deep.equal([]);
    await engine.remove("dev-a-global");
    expect(await engine.listStacks()).to.deep.equal([]);
    const argv = world.calls().map((c) => c.join(" "));
    expect(argv).to.include("stack init dev-a-global --secrets-provider passphrase");
    expect(argv.some((a) => /^up --yes --skip-preview --client=127\.0\.0\.1:\d+ --exec-kind auto\.inline --event-log tcp:\/\/127\.0\.0\.1:\d+ --stack dev-a-global$/.test(a))).to.equal(true);
    expect(argv).to.include("stack rm --yes dev-a-global");
  });

  it("writes the release record so that a kill between ANY two CLI calls leaves the old record or the new one, never a mix", async () => {
    // Why: the record used to be seven tags, one `stack tag set` each, the mode before the blue release;
    // a kill between them left {mode: rollout, blueRelease: null} and a rollback restored no origins.
    const engine = world.engine();
    await engine.up({ stack: "dev-a-global", program: programs.rg("dev-a-global") });
    await engine.setTags("dev-a-global", intentToTags(null));
    const snapshot = path.join(world.repo, "snapshot");
    cpSync(world.backend, snapshot, { recursive: true });
    const intent: ReleaseIntent = { release: "r2", image: "crx.azurecr.io/shop:r2", mode: "rollout", blueRelease: "r1", keepFailed: false, startedAt: "2026-01-01T00:00:00.000Z" };
    const seen = new Set<string>();
    let crashes = 0;
    for (let k = 1; ; k++) {
      rmSync(world.backend, { recursive: true, force: true });
      cpSync(snapshot, world.backend, { recursive: true });
      rmSync(path.join(world.backend, ".fake-pulumi"), { recursive: true, force: true });
      world.control({ crashAtCall: k });
      const run = drive(world, [{ op: "setTags", stack: "dev-a-global", tags: intentToTags(intent) }]);
      world.control({});
      const observed = intentFromTags((await engine.listStacks()).find((s) => s.name === "dev-a-global")!.tags);
      seen.add(JSON.stringify(observed));
      expect([null, intent].map((x) => JSON.stringify(x)), `after a kill at call ${k}`).to.include(JSON.stringify(observed));
      if (run.signal !== "SIGKILL") {
        expect(run.status, run.stderr).to.equal(0);
        break;
      }
      crashes++;
    }
    expect(crashes, "the record is one CLI call").to.equal(1);
    expect(seen.size).to.equal(2);
  });

  it("a killed up leaves pending operations and a dead holder's lock: the next up removes that lock, refreshes with --clear-pending-creates, and succeeds", async () => {
    // Why: the engine never repaired an interrupted update, and a dead CLI's lock blocked the stack for good.
    const engine = world.engine();
    await engine.up({ stack: "dev-a-weu-r1", program: programs.rg("dev-a-weu-r1") });
    const before = world.calls().length;
    // The next `up` (select, export, up: the third call after this point) dies after its first registration.
    world.control({ crashMidwayAt: before + 3 });
    const killed = drive(world, [{ op: "up", stack: "dev-a-weu-r1", program: "rg" }]);
    world.control({});
    expect(killed.signal, killed.stderr).to.equal("SIGKILL");
    expect(world.deployment("dev-a-weu-r1").pending_operations?.map((p) => p.type)).to.deep.equal(["updating"]);
    const locks = world.lockFiles("dev-a-weu-r1");
    expect(locks).to.have.length(1);
    // The next run comes after the crash: the killed CLI is gone by then.
    const holder = (JSON.parse(readFileSync(locks[0]!, "utf8")) as { pid: number }).pid;
    await waitForExit(holder);
    const events: EngineEvent[] = [];
    const up = await engine.up({ stack: "dev-a-weu-r1", program: programs.rg("dev-a-weu-r1") }, { onEvent: (e) => events.push(e) });
    expect(up.outputs).to.include({ stack: "dev-a-weu-r1" });
    expect(world.lockFiles("dev-a-weu-r1")).to.deep.equal([]);
    expect(world.deployment("dev-a-weu-r1").pending_operations ?? []).to.deep.equal([]);
    const warnings = events.filter((e) => e.type === "log" && e.level === "warning").map((e) => (e as { message: string }).message);
    expect(warnings.some((w) => /removed the lock of a dead update/.test(w)), warnings.join("\n")).to.equal(true);
    expect(warnings.some((w) => /did not finish \(1 pending: updating rg\)/.test(w)), warnings.join("\n")).to.equal(true);
    const refresh = world.calls().map((c) => c.join(" ")).filter((c) => c.startsWith("refresh"));
    // The first attempt meets the dead holder's lock; the second, after that lock is gone, repairs.
    expect(refresh, refresh.join("\n")).to.have.length(2);
    for (const r of refresh) expect(r).to.match(/^refresh --skip-preview --yes --clear-pending-creates .*--stack dev-a-weu-r1$/);
  });

  it("clears pending CREATEs, which a finished up keeps in the state (Pulumi retains them until a refresh)", async () => {
    const engine = world.engine();
    await engine.up({ stack: "dev-a-weu-r1", program: programs.rg("dev-a-weu-r1") });
    // A first deployment killed midway: the storage account's CREATE is pending.
    const file = path.join(world.backend, ".pulumi", "stacks", "contoso-shoes", "dev-a-weu-r1.json");
    const cp = JSON.parse(readFileSync(file, "utf8"));
    const sa = cp.checkpoint.latest.resources.find((r: { type: string }) => r.type === "azure-native:storage:StorageAccount");
    cp.checkpoint.latest.pending_operations = [{ resource: sa, type: "creating" }];
    writeFileSync(file, JSON.stringify(cp));
    await engine.up({ stack: "dev-a-weu-r1", program: programs.rg("dev-a-weu-r1") });
    expect(world.deployment("dev-a-weu-r1").pending_operations ?? []).to.deep.equal([]);
  });

  it("never breaks a lock whose holder lives, or whose holder is on another machine: the stack is reported locked, the lock file stays", async () => {
    const engine = world.engine();
    await engine.up({ stack: "dev-a-global", program: programs.rg("dev-a-global") });
    const dir = path.join(world.backend, ".pulumi", "locks", "organization", "contoso-shoes", "dev-a-global");
    mkdirSync(dir, { recursive: true });
    const cases = [
      { pid: process.pid, hostname: os.hostname(), holder: /\(pid \d+\) since .*, still running/ },
      { pid: 999_999_999, hostname: "build-agent-7", holder: /build-agent-7 \(pid 999999999\).*another machine/ },
    ];
    for (const c of cases) {
      const lock = path.join(dir, "11111111-2222-3333-4444-555555555555.json");
      writeFileSync(lock, JSON.stringify({ pid: c.pid, username: "ci", hostname: c.hostname, timestamp: "2026-01-01T00:00:00Z" }));
      const err = await engine.up({ stack: "dev-a-global", program: programs.rg("dev-a-global") }).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(StackLockedError).with.property("message").that.matches(c.holder);
      expect(existsSync(lock), "the lock file is left alone").to.equal(true);
      rmSync(lock);
    }
    expect(world.calls().some((c) => c[0] === "cancel")).to.equal(false);
  });

  it("cancelling waits for the CLI to stop by itself and never runs `pulumi cancel` while the update runs", async () => {
    // Why: `pulumi cancel` on a self-managed backend deletes the lock while the CLI still finishes its in-flight steps.
    const engine = world.engine();
    await engine.up({ stack: "dev-a-global", program: programs.rg("dev-a-global") });
    world.control({ upHoldMs: 4000, sigintGraceMs: 1500 });
    const controller = new AbortController();
    const running = engine.up({ stack: "dev-a-global", program: programs.rg("dev-a-global") }, { signal: controller.signal });
    // Abort once the update holds its lock.
    const deadline = Date.now() + 60_000;
    while (world.lockFiles("dev-a-global").length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(world.lockFiles("dev-a-global")).to.have.length(1);
    controller.abort();
    const err = await running.catch((e: unknown) => e);
    expect(err).to.be.instanceOf(OperationError).with.property("message").that.matches(/cancelled/);
    // The CLI released its own lock before the operation settled: the update had ended.
    expect(world.lockDirEntries("dev-a-global"), "no lock and no half-written lock left").to.deep.equal([]);
    await new Promise((r) => setTimeout(r, 500));
    expect(world.calls().filter((c) => c[0] === "cancel")).to.deep.equal([]);
  });

  it("refuses a pulumi CLI older than 3.211 in one line with exit 2, naming the version needed", async () => {
    world.uninstall();
    world = new FakePulumiWorld({ FAKE_PULUMI_VERSION: "v3.210.1" });
    world.install();
    const err = await world.engine().listStacks().catch((e: unknown) => e);
    expect(err).to.be.instanceOf(PrerequisiteError);
    expect((err as PrerequisiteError).exitCode).to.equal(2);
    expect((err as Error).message).to.match(/^the pulumi CLI at .*fake-pulumi\/pulumi is version 3\.210\.1; this driver needs pulumi 3\.211\.0 or later \(stack tags on self-managed backends\)/);
    expect((err as Error).message.split("\n")).to.have.length(1);
    // Nothing was asked of the backend.
    expect(world.calls()).to.deep.equal([]);
  });

  it("a new stack whose up was killed between two of its tag writes is still listed with the facts its name carries", async () => {
    // Why: `up` writes a new stack's tags one `stack tag set` at a time after `stack init`; killed after
    // `contoso:env` and before `contoso:kind`, the green stamp was listed with no kind, so neither
    // `release abort` nor the reaper saw it, and it stayed for good (the crash property's counterexample:
    // a kill at the green stamp's `contoso:kind` tag, then `release abort`; pulumi-release.test.ts).
    const engine = world.engine();
    const tags = { "contoso:env": "dev-a", "contoso:kind": "stamp", "contoso:region": "westeurope", "contoso:release": "r2" };
    const before = world.calls().length;
    const killed = drive(world, [{ op: "up", stack: "dev-a-weu-r2", program: "rg", tags }]);
    expect(killed.status, killed.stderr).to.equal(0);
    // The same up again, killed at its `contoso:kind` write: found in the first run's calls.
    const kindAt = world.calls().slice(before).findIndex((c) => c.join(" ").startsWith("stack tag set contoso:kind "));
    expect(kindAt).to.be.greaterThan(0);
    await engine.destroy("dev-a-weu-r2");
    await engine.remove("dev-a-weu-r2");
    const from = world.calls().length;
    world.control({ crashAtCall: from + kindAt + 1 });
    const run = drive(world, [{ op: "up", stack: "dev-a-weu-r2", program: "rg", tags }]);
    world.control({});
    expect(run.signal, run.stderr).to.equal("SIGKILL");
    expect(world.tags("dev-a-weu-r2"), "killed between its tag writes").to.deep.equal({ "contoso:env": "dev-a" });
    const listed = (await engine.listStacks({ tags: { "contoso:env": "dev-a", "contoso:kind": "stamp" } })).map((s) => [s.name, s.tags["contoso:kind"], s.tags["contoso:release"], s.tags["contoso:region"]]);
    expect(listed).to.deep.equal([["dev-a-weu-r2", "stamp", "r2", "westeurope"]]);
  });

  it("makes organisation-qualified stack names bare, and lists many stacks with a bounded number of CLIs at once", async () => {
    const engine = world.engine();
    for (const s of ["dev-a-global", "dev-a-weu-r1"]) await engine.up({ stack: s, program: programs.rg(s), tags: { "contoso:env": "dev-a" } });
    // More stacks straight into the backend (as other projects' runs would leave them).
    for (let i = 0; i < 18; i++) {
      const name = `dev-b${i}-global`;
      const dir = path.join(world.backend, ".pulumi", "stacks", "contoso-shoes");
      writeFileSync(path.join(dir, `${name}.json`), JSON.stringify({ version: 3, checkpoint: { stack: `organization/contoso-shoes/${name}`, latest: { resources: [] } } }));
    }
    world.uninstall();
    const qualified = new FakePulumiWorld({ FAKE_PULUMI_QUALIFIED_NAMES: "1" });
    Object.assign(qualified, { repo: world.repo, backend: world.backend });
    (qualified as { env: NodeJS.ProcessEnv }).env = { ...world.env, FAKE_PULUMI_QUALIFIED_NAMES: "1" };
    qualified.install();
    try {
      writeFileSync(world.controlFile, JSON.stringify({ slowMs: 300 }));
      const q = qualified.engine();
      const callsBefore = world.calls().length;
      const all = await q.listStacks();
      expect(all.map((s) => s.name).sort()).to.include.members(["dev-a-global", "dev-a-weu-r1", "dev-b0-global"]);
      expect(all.every((s) => !s.name.includes("/"))).to.equal(true);
      expect(all.find((s) => s.name === "dev-a-weu-r1")!.tags["contoso:env"]).to.equal("dev-a");
      // Tag look-ups overlap, never more than LIST_CONCURRENCY at a time.
      const dir = path.join(world.backend, ".fake-pulumi", "calls");
      const spans = readdirSync(dir)
        .map(Number)
        .filter((n) => n > callsBefore)
        .filter((n) => JSON.parse(readFileSync(path.join(dir, String(n), "argv.json"), "utf8"))[1] === "tag")
        .map((n) => [Number(readFileSync(path.join(dir, String(n), "start"), "utf8")), Number(readFileSync(path.join(dir, String(n), "end"), "utf8"))] as const);
      expect(spans).to.have.length(20);
      const overlap = Math.max(...spans.map(([s]) => spans.filter(([a, b]) => a <= s && s < b).length));
      expect(overlap).to.be.greaterThan(1);
      expect(overlap).to.be.at.most(LIST_CONCURRENCY);
      writeFileSync(world.controlFile, "{}");
      expect(await q.outputs("organization/contoso-shoes/dev-a-global")).to.include({ stack: "dev-a-global" });
    } finally {
      qualified.uninstall();
      world.install();
    }
  });

  it("a stray rejection inside one stack's inline program fails that stack's up with its message; the driver lives and the other stack's up finishes", () => {
    // Why: `unhandledRejection` → process.exit(1) killed every parallel deploy mid-flight.
    const run = drive(world, [
      { op: "parallel-up", stacks: [{ stack: "dev-a-weu-r1", program: "stray" }, { stack: "dev-a-neu-r1", program: "rg" }] },
    ]);
    expect(run.status, run.stderr).to.equal(0);
    const results = JSON.parse(run.stdout.trim().split("\n").pop()!) as { ok: boolean; error?: string }[];
    expect(results[0]!.ok).to.equal(false);
    expect(results[0]!.error).to.match(/^up of dev-a-weu-r1 failed: .*boom in rg-dev-a-weu-r1/);
    expect(results[1], "the other stack's up is not failed by it").to.deep.include({ ok: true });
    expect(world.lockFiles("dev-a-weu-r1")).to.deep.equal([]);
    expect(world.lockFiles("dev-a-neu-r1")).to.deep.equal([]);
    expect(world.deployment("dev-a-neu-r1").resources.length).to.be.greaterThan(0);
  });
});
