import { expect } from "chai";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { TAG } from "../../environments/stacks.js";
import { stackLockPath } from "../../automation/lock/file-lock.js";
import { cleanEnv, folderDigest, runCli, tempDir } from "./cli-harness.js";

describe("contoso CLI (offline engine, spawned as a user would)", function () {
  // Each test spawns several CLIs; on a loaded 2-core machine one spawn can take 20 s.
  this.timeout(180_000);
  const stateDir = tempDir("cli");
  const env = cleanEnv({ CONTOSO_STATE_DIR: stateDir });

  before(async () => {
    const global = await runCli(["global", "up", "--env", "dev-alice"], env);
    expect(global.code, global.stderr).to.equal(0);
    const stamp = await runCli(["stamp", "up", "--env", "dev-alice", "--region", "weu", "--release", "r1", "--json"], env);
    expect(stamp.code, stamp.stderr).to.equal(0);
    expect(JSON.parse(stamp.stdout).stacks[0].stack).to.equal("dev-alice-weu-r1");
  });
  after(() => rmSync(stateDir, { recursive: true, force: true }));

  it("global up then stamp up: stacks ls --json (a new process) shows both with their tags", async () => {
    const ls = await runCli(["stacks", "ls", "--json"], env);
    expect(ls.code, ls.stderr).to.equal(0);
    const stacks = JSON.parse(ls.stdout).stacks as { name: string; tags: Record<string, string>; resourceCount: number }[];
    const byName = Object.fromEntries(stacks.map((s) => [s.name, s]));
    expect(Object.keys(byName)).to.have.members(["dev-alice-global", "dev-alice-weu-r1"]);
    expect(byName["dev-alice-global"]!.tags).to.include({ [TAG.env]: "dev-alice", [TAG.kind]: "global", [TAG.region]: "global", [TAG.owner]: "alice" });
    expect(byName["dev-alice-weu-r1"]!.tags).to.include({ [TAG.kind]: "stamp", [TAG.region]: "westeurope", [TAG.release]: "r1" });
    for (const s of stacks) {
      expect(Date.parse(s.tags[TAG.createdAt]!)).to.be.a("number").and.not.NaN;
      expect(Date.parse(s.tags[TAG.expiresAt]!), "dev-* is ephemeral").to.be.greaterThan(Date.parse(s.tags[TAG.createdAt]!));
      expect(s.resourceCount).to.be.greaterThan(0);
    }
    expect(ls.errLines[0]).to.match(/^engine: offline \(state in .*; no Azure credentials found\)$/);
  });

  it("filters stacks by kind and prints a table", async () => {
    const ls = await runCli(["stacks", "ls", "--kind", "stamp", "--env", "dev-alice"], env);
    expect(ls.code, ls.stderr).to.equal(0);
    const lines = ls.stdout.trim().split("\n");
    expect(lines[0]).to.match(/^STACK\s+KIND\s+ENV/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).to.deep.equal(["dev-alice-weu-r1"]);
  });

  it("keeps created-at and the deployed state across updates; global outputs come from the stack", async () => {
    const before = JSON.parse(readFileSync(path.join(stateDir, "stacks", "dev-alice-global.json"), "utf8"));
    const again = await runCli(["--json", "global", "up", "--env", "dev-alice"], env);
    expect(again.code, again.stderr).to.equal(0);
    expect(JSON.parse(again.stdout).changes).to.include({ create: 0, delete: 0 });
    const after = JSON.parse(readFileSync(path.join(stateDir, "stacks", "dev-alice-global.json"), "utf8"));
    expect(after.tags[TAG.createdAt]).to.equal(before.tags[TAG.createdAt]);
    const outputs = await runCli(["global", "outputs", "--env", "dev-alice"], env);
    expect(JSON.parse(outputs.stdout)).to.deep.equal(after.outputs);
  });

  it("refuses a second up of a locked stack, naming the holder, and leaves the lock alone", async () => {
    const lock = stackLockPath(stateDir, "dev-alice-global");
    mkdirSync(path.dirname(lock), { recursive: true });
    const holder = { pid: process.pid, host: os.hostname(), operation: "up", startedAt: "2030-01-01T00:00:00.000Z" };
    writeFileSync(lock, JSON.stringify(holder));
    try {
      const run = await runCli(["global", "up", "--env", "dev-alice"], env);
      expect(run.code).to.equal(1);
      expect(run.stderr).to.include(`stack dev-alice-global is locked by pid ${process.pid} on ${os.hostname()}`);
      expect(JSON.parse(readFileSync(lock, "utf8"))).to.deep.equal(holder);
    } finally {
      rmSync(lock, { force: true });
    }
  });

  const badInputs: [string, string[], RegExp][] = [
    ["a bad environment name", ["global", "up", "--env", "Prod!"], /environment name "Prod!"/],
    ["an unknown environment", ["stamp", "up", "--env", "qa", "--region", "weu", "--release", "r2"], /unknown environment "qa"/],
    ["an unknown region", ["stamp", "up", "--env", "dev-alice", "--region", "moon", "--release", "r2"], /unknown Azure region "moon"/],
    ["a region outside the environment", ["stamp", "up", "--env", "dev-alice", "--region", "eastus", "--release", "r2"], /not a region of dev-alice/],
    ["a bad release id", ["stamp", "up", "--env", "dev-alice", "--region", "weu", "--release", "R_2"], /release "R_2"/],
    ["a bad image", ["stamp", "up", "--env", "dev-alice", "--region", "weu", "--release", "r2", "--image", "Not An Image"], /image "Not An Image"/],
    ["a missing --env", ["global", "up"], /required option '--env <name>'/],
    ["a bad --kind", ["stacks", "ls", "--kind", "vm"], /--kind "vm"/],
    ["an unknown engine", ["--engine", "terraform", "stacks", "ls"], /--engine "terraform"/],
    ["destroying prod without --confirm", ["global", "destroy", "--env", "prod"], /protected environment: .* --confirm prod/],
    ["a wrong --confirm", ["stamp", "destroy", "--env", "staging", "--region", "weu", "--release", "r1", "--confirm", "prod"], /--confirm "prod" does not match/],
  ];
  it("exits 2 with one line and an unchanged state folder for bad names, unknown environments and regions, and missing confirmations", async () => {
    const before = folderDigest(stateDir);
    const runs = await Promise.all(badInputs.map(([, args]) => runCli(args, env)));
    runs.forEach((run, i) => {
      const [what, , message] = badInputs[i]!;
      expect(run.code, `${what}: ${run.stderr}`).to.equal(2);
      expect(run.errLines, what).to.have.length(1);
      expect(run.errLines[0], what).to.match(/^error: /).and.match(message);
    });
    expect(folderDigest(stateDir)).to.equal(before);
  });

  it("stamp up before the global stack exists tells the user to deploy it first (exit 2, nothing written)", async () => {
    const empty = tempDir("noglobal");
    const run = await runCli(["stamp", "up", "--env", "dev-bob", "--region", "weu", "--release", "r1"], cleanEnv({ CONTOSO_STATE_DIR: empty }));
    expect(run.code).to.equal(2);
    expect(run.errLines.at(-1)).to.equal(
      "error: the global stack dev-bob-global is not deployed: deploy the global stack first: contoso global up --env dev-bob",
    );
    expect(folderDigest(empty)).to.equal(folderDigest(tempDir("empty")));
  });

  it("an injected fault makes up fail with exit 1; with times: 1 the retry (recovering a dead holder's lock) succeeds", async () => {
    const faults = JSON.stringify({ operations: [{ stack: "dev-alice-weu-r2", operation: "up", times: 1, message: "Conflict: quota exceeded" }] });
    const failing = cleanEnv({ CONTOSO_STATE_DIR: stateDir, CONTOSO_OFFLINE_FAULTS: faults });
    const first = await runCli(["stamp", "up", "--env", "dev-alice", "--region", "weu", "--release", "r2"], failing);
    expect(first.code).to.equal(1);
    expect(first.errLines.at(-1)).to.equal("error: up of dev-alice-weu-r2 failed: Conflict: quota exceeded");
    // The failed run's process is gone; plant a lock as if it had died holding it: the retry recovers it.
    const lock = stackLockPath(stateDir, "dev-alice-weu-r2");
    mkdirSync(path.dirname(lock), { recursive: true });
    writeFileSync(lock, JSON.stringify({ pid: 2 ** 22 + 17, host: os.hostname(), operation: "up", startedAt: "2030-01-01T00:00:00.000Z" }));
    const retry = await runCli(["stamp", "up", "--env", "dev-alice", "--region", "westeurope", "--release", "r2"], failing);
    expect(retry.code, retry.stderr).to.equal(0);
    expect(retry.stderr).to.match(/recovered the lock of dev-alice-weu-r2 left by pid 4194321 on .*, which is no longer running/);
    const destroy = await runCli(["stamp", "destroy", "--env", "dev-alice", "--region", "weu", "--release", "r2"], env);
    expect(destroy.code, destroy.stderr).to.equal(0);
    const ls = JSON.parse((await runCli(["stacks", "ls", "--json"], env)).stdout);
    expect(ls.stacks.map((s: { name: string }) => s.name)).to.not.include("dev-alice-weu-r2");
  });

  it("refuses to destroy the global stack while stamps exist", async () => {
    const run = await runCli(["global", "destroy", "--env", "dev-alice"], env);
    expect(run.code).to.equal(2);
    expect(run.errLines.at(-1)).to.match(/still has stamps \(dev-alice-weu-r1\)/);
  });

  it("preview --json on an empty state lists every resource with its type token, and writes nothing", async () => {
    const empty = path.join(tempDir("preview"), "state");
    const run = await runCli(["preview", "--env", "dev-carol", "--release", "r7", "--json"], cleanEnv({ CONTOSO_STATE_DIR: empty }));
    expect(run.code, run.stderr).to.equal(0);
    const { stacks } = JSON.parse(run.stdout) as { stacks: { name: string; kind: string; resources: { type: string; name: string; inputs: object }[] }[] };
    expect(stacks.map((s) => [s.name, s.kind])).to.deep.equal([["dev-carol-global", "global"], ["dev-carol-weu-r7", "stamp"]]);
    const types = (i: number) => stacks[i]!.resources.map((r) => r.type);
    expect(types(0)).to.include.members(["azure-native:cdn:Profile", "azure-native:resources:ResourceGroup"]);
    expect(types(1)).to.include("azure-native:web:WebApp");
    for (const r of stacks.flatMap((s) => s.resources)) {
      expect(r.type).to.match(/^[a-z-]+:[A-Za-z0-9/]+:[A-Za-z0-9]+$/);
      expect(r.inputs).to.be.an("object");
    }
    expect(folderDigest(empty)).to.equal("absent");
  });
});

describe("contoso CLI with the Pulumi engine", function () {
  this.timeout(30_000);

  it("without the pulumi CLI: one clear error line saying what to install, exit 2", async () => {
    const home = tempDir("home");
    const run = await runCli(["--engine", "pulumi", "global", "up", "--env", "dev-alice"], cleanEnv({ PATH: path.join(home, "bin"), HOME: home }));
    expect(run.code).to.equal(2);
    const errors = run.errLines.filter((l) => l.startsWith("error:"));
    expect(errors).to.have.length(1);
    expect(errors[0]).to.match(/pulumi CLI is not installed .* install it from https:\/\/www\.pulumi\.com\/docs\/install\//);
    expect(run.errLines[0]).to.match(/^engine: pulumi \(backend file:\/\/.*\.pulumi-state; --engine pulumi\)$/);
  });
});
