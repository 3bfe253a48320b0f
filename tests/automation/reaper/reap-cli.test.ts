import { expect } from "chai";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { OfflineImageRegistry } from "../../../automation/images/offline-image-registry.js";
import { cleanEnv, folderDigest, runCli, tempDir, type CliRun } from "../cli-harness.js";

/**
 * The reaper end to end, as an operator runs it: the `contoso` CLI in its own process against the
 * offline engine (a temporary state folder, a tiny time scale). Three personal environments with
 * different TTLs, prod and staging beside them, an orphan stamp; the clock moves with --now.
 */

const HOUR = 3_600_000;

describe("contoso reap (offline, as a user runs it)", function () {
  this.timeout(120_000);
  const stateDir = tempDir("reap");
  const env = cleanEnv({ CONTOSO_STATE_DIR: stateDir });
  const contoso = (...args: string[]) => runCli(["--offline", ...args], env);
  const stackFile = (stack: string) => path.join(stateDir, "stacks", `${stack}.json`);
  const exists = (stack: string) => existsSync(stackFile(stack));
  const ok = (run: CliRun, what: string) => expect(run.code, `${what}\n${run.stderr}`).to.equal(0);
  let protectedStacks: string[] = [];
  const protectedDigest = () => protectedStacks.map((s) => (exists(s) ? readFileSync(stackFile(s), "utf8") : "missing")).join("\n");
  let start: number;
  const later = (hours: number) => new Date(start + hours * HOUR).toISOString();
  let protectedBefore: string;

  before(async function () {
    // Five environments made through the CLI, three of them in three steps each (registry, image, stamp).
    this.timeout(300_000);
    start = Date.now();
    const protectedEnv = async (name: string) => {
      ok(await contoso("global", "up", "--env", name), `global up ${name}`);
      ok(await contoso("stamp", "up", "--env", name, "--region", "all", "--release", "r1"), `stamp up ${name}`);
    };
    // A personal environment as a pipeline makes one: its registry first, then its image, then its stamp.
    const devEnv = async (name: string, ttl: string): Promise<CliRun> => {
      const global = await contoso("--json", "env", "up", "--name", name, "--ttl", ttl, "--global-only");
      if (global.code !== 0) return global;
      // The image straight into the offline registry (what `contoso image build` does), one spawn fewer.
      const registry = (JSON.parse(global.stdout) as { registry: string }).registry;
      await new OfflineImageRegistry(stateDir).build({ registryName: registry.split(".")[0]!, loginServer: registry, repository: "shop-api", tag: "r1" });
      return contoso("env", "up", "--name", name, "--ttl", ttl);
    };
    const runs = await Promise.all([
      devEnv("short", "1h"),
      devEnv("mid", "4h"),
      (async () => {
        const up = await devEnv("long", "2d");
        if (up.code !== 0) return up;
        // A second stamp nobody routes to: the orphan.
        return contoso("stamp", "up", "--env", "dev-long", "--region", "weu", "--release", "r2");
      })(),
      protectedEnv("prod").then(() => protectedEnv("staging")),
    ]);
    runs.forEach((r, i) => r && ok(r, `setup step ${i}`));
    protectedStacks = readdirSync(path.join(stateDir, "stacks"))
      .filter((f) => /^(prod|staging)-/.test(f))
      .map((f) => f.slice(0, -".json".length));
    // Each has its global stack and one stamp per region (prod and staging have several regions).
    expect(protectedStacks.filter((s) => s.endsWith("-global"))).to.have.members(["prod-global", "staging-global"]);
    expect(protectedStacks.length).to.be.at.least(6);
    protectedBefore = protectedDigest();
  });

  it("env ls shows the three environments with their owner and expiry", async () => {
    const run = await contoso("--json", "env", "ls");
    ok(run, "env ls");
    const rows = JSON.parse(run.stdout).environments as { env: string; owner: string; expiresAt: string; createdAt: string; status: string }[];
    expect(rows.map((r) => r.env)).to.deep.equal(["dev-long", "dev-mid", "dev-short"]);
    const ttl = Object.fromEntries(rows.map((r) => [r.env, (Date.parse(r.expiresAt) - Date.parse(r.createdAt)) / HOUR]));
    expect(ttl).to.deep.equal({ "dev-long": 48, "dev-mid": 4, "dev-short": 1 });
    expect(rows.every((r) => r.owner === "tester" && r.status === "serving r1")).to.equal(true);
  });

  it("--dry-run reports what would go and changes nothing (state folder byte-identical)", async () => {
    const before = folderDigest(stateDir);
    const run = await contoso("--json", "reap", "--dry-run", "--now", later(5));
    ok(run, "reap --dry-run");
    expect(folderDigest(stateDir)).to.equal(before);
    const report = JSON.parse(run.stdout) as { dryRun: boolean; stacks: { stack: string; result: string; reason: string }[] };
    expect(report.dryRun).to.equal(true);
    const doomed = report.stacks.filter((s) => s.result === "would-destroy").map((s) => s.stack);
    expect(doomed).to.deep.equal(["dev-long-weu-r2", "dev-mid-weu-r1", "dev-mid-global", "dev-short-weu-r1", "dev-short-global"]);
    const young = await contoso("--json", "reap", "--dry-run", "--now", later(1.5));
    const r2 = (JSON.parse(young.stdout).stacks as { stack: string; result: string; reason: string }[]).find((s) => s.stack === "dev-long-weu-r2")!;
    expect(r2.result).to.equal("kept");
    expect(r2.reason).to.contain("within the grace period of 2h");
    expect(folderDigest(stateDir)).to.equal(before);
  });

  it("prod and staging survive the reaper whatever the flags", async () => {
    for (const args of [
      ["--env", "prod", "--older-than", "0s", "--now", later(24 * 3650)],
      ["--env", "staging", "--older-than", "0s", "--concurrency", "32", "--now", later(24 * 3650)],
    ]) {
      const run = await contoso("reap", ...args);
      ok(run, `reap ${args.join(" ")}`);
      expect(run.stdout).to.match(/protected environment: the reaper never destroys its stacks/);
      expect(run.stdout).to.match(/0 destroyed/);
    }
    expect(protectedDigest()).to.equal(protectedBefore);
  });

  it("reaps only the expired environments, stamps before their global stack, and the orphan stamp; keeps the serving one", async () => {
    const run = await contoso("reap", "--now", later(5), "--concurrency", "2");
    ok(run, "reap");
    for (const gone of ["dev-short-global", "dev-short-weu-r1", "dev-mid-global", "dev-mid-weu-r1", "dev-long-weu-r2"]) expect(exists(gone), gone).to.equal(false);
    for (const kept of ["dev-long-global", "dev-long-weu-r1"]) expect(exists(kept), kept).to.equal(true);
    expect(protectedDigest()).to.equal(protectedBefore);
    for (const env of ["dev-short", "dev-mid"]) {
      const stampDone = run.errLines.findIndex((l) => l.startsWith(`${env}-weu-r1: destroy done`));
      const globalStarted = run.errLines.findIndex((l) => l.startsWith(`${env}-global: destroy started`));
      expect(stampDone, `${env} stamp destroyed\n${run.stderr}`).to.be.at.least(0);
      expect(globalStarted, `${env} global destroyed after its stamp\n${run.stderr}`).to.be.greaterThan(stampDone);
    }
    expect(run.stdout).to.match(/dev-long-weu-r1\s+dev-long\s+stamp\s+kept\s+serving: enabled Front Door origin/);
    expect(run.stdout).to.match(/dev-long-weu-r2\s+dev-long\s+stamp\s+destroyed\s+orphan: no origin in dev-long-global/);
    expect(run.stdout).to.match(/dev-long-global\s+dev-long\s+global\s+kept\s+dev-long is active until/);
  });

  it("a stack that fails to destroy stays listed, the run exits 1, and the next run finishes the job", async () => {
    writeFileSync(path.join(stateDir, "faults.json"), JSON.stringify({ operations: [{ stack: "dev-long-weu-r1", operation: "destroy", times: 1 }] }));
    const failed = await contoso("--json", "reap", "--now", later(72));
    expect(failed.code, failed.stderr).to.equal(1);
    expect(failed.errLines.at(-1)).to.match(/^error: reap incomplete .*dev-long-weu-r1 failed to destroy; they stay listed and the next run retries them$/);
    const report = JSON.parse(failed.stdout) as { stacks: { stack: string; result: string; detail?: string }[] };
    const result = Object.fromEntries(report.stacks.map((s) => [s.stack, s]));
    expect(result["dev-long-weu-r1"]!.result).to.equal("failed");
    expect(result["dev-long-global"]!.result).to.equal("skipped");
    expect(result["dev-long-global"]!.detail).to.contain("dev-long-weu-r1 were not destroyed");
    expect(exists("dev-long-weu-r1") && exists("dev-long-global")).to.equal(true);

    const listed = await contoso("--json", "reap", "--dry-run", "--now", later(72));
    expect((JSON.parse(listed.stdout).stacks as { stack: string; result: string }[]).filter((s) => s.result === "would-destroy").map((s) => s.stack)).to.deep.equal([
      "dev-long-weu-r1",
      "dev-long-global",
    ]);

    const retry = await contoso("reap", "--now", later(72));
    ok(retry, "second reap");
    expect(exists("dev-long-weu-r1") || exists("dev-long-global")).to.equal(false);
  });

  it("after everything else is gone, prod and staging are still there, byte for byte", async () => {
    const run = await contoso("reap", "--older-than", "0s", "--concurrency", "1", "--now", later(24 * 3650));
    ok(run, "reap far in the future");
    expect(run.stdout).to.contain(`${protectedStacks.length} found, 0 destroyed, ${protectedStacks.length} kept`);
    expect(protectedDigest()).to.equal(protectedBefore);
  });
});
