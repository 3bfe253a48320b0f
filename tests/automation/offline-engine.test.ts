import { expect } from "chai";
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as resources from "@pulumi/azure-native/resources/index.js";
import { OperationError, StackLockedError, type EngineEvent, type StackProgram } from "../../automation/engine/port.js";
import { faultPlanPath } from "../../automation/offline/fault-plan.js";
import { OfflineEngine } from "../../automation/offline/offline-engine.js";
import { REPO, tempDir } from "./cli-harness.js";
import { programs } from "./engine/fixtures/programs.js";

/** Small inline programs, so the engine is tested apart from the real global and stamp programs. */
function groupProgram(stack: string, groups: string[], tags: Record<string, string> = {}): StackProgram {
  return {
    stack,
    config: { "azure-native:location": "northeurope" },
    tags,
    program: async () => {
      const location = new pulumi.Config("azure-native").require("location");
      const created = groups.map((g) => new resources.ResourceGroup(g, { resourceGroupName: `rg-${g}`, location }));
      return { ids: created.map((rg) => rg.id), location, stack: pulumi.getStack() };
    },
  };
}

describe("offline engine", function () {
  this.timeout(20_000);
  let engine: OfflineEngine;
  let stateDir: string;
  beforeEach(() => {
    stateDir = tempDir("engine");
    engine = new OfflineEngine({ stateDir, timeScale: 0.00001, env: {} });
  });

  it("runs programs side by side with their own config and stack, records resources and outputs, and reports steps", async () => {
    const events: EngineEvent[] = [];
    const [a, b] = await Promise.all([
      engine.up(groupProgram("dev-a-global", ["one", "two"], { owner: "a" }), { onEvent: (e) => events.push(e) }),
      engine.up({ ...groupProgram("dev-b-global", ["three"]), config: { "azure-native:location": "westeurope" } }),
    ]);
    expect(a.outputs).to.include({ location: "northeurope", stack: "dev-a-global" });
    expect(b.outputs).to.include({ location: "westeurope", stack: "dev-b-global" });
    expect(a.changes).to.include({ create: 2 });
    const record = await engine.readRecord("dev-a-global");
    expect(record!.resources.map((r) => [r.type, r.name, r.inputs["resourceGroupName"]])).to.deep.equal([
      ["azure-native:resources:ResourceGroup", "one", "rg-one"],
      ["azure-native:resources:ResourceGroup", "two", "rg-two"],
    ]);
    expect(record!.tags).to.deep.equal({ owner: "a" });
    expect(events.map((e) => e.type)).to.deep.equal(["started", "resource", "resource", "finished"]);

    const again = await engine.up(groupProgram("dev-a-global", ["one", "four"]));
    expect(again.changes).to.include({ create: 1, same: 1, delete: 1 });
  });

  it("survives a new engine (a new process reads the same folder)", async () => {
    await engine.up(groupProgram("dev-a-global", ["one"], { "contoso:env": "dev-a" }));
    const fresh = new OfflineEngine({ stateDir, timeScale: 0, env: {} });
    expect(await fresh.outputs("dev-a-global")).to.include({ location: "northeurope" });
    expect((await fresh.listStacks({ tags: { "contoso:env": "dev-a" } })).map((s) => s.name)).to.deep.equal(["dev-a-global"]);
    expect(await fresh.listStacks({ tags: { "contoso:env": "other" } })).to.deep.equal([]);
  });

  it("refuses a second concurrent up of the same stack with StackLockedError naming this process", async () => {
    const slow = new OfflineEngine({ stateDir, timeScale: 0.0005, env: {} });
    const first = slow.up(groupProgram("dev-a-weu-r1", ["one"]));
    await new Promise((r) => setTimeout(r, 50));
    let error: unknown;
    await slow.up(groupProgram("dev-a-weu-r1", ["one"])).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(StackLockedError);
    expect((error as Error).message).to.include(`pid ${process.pid}`);
    await first;
    await slow.up(groupProgram("dev-a-weu-r1", ["one"]));
  });

  it("destroy empties resources and outputs but keeps the stack and its tags; remove refuses a stack with resources", async () => {
    await engine.up(groupProgram("dev-a-weu-r1", ["one"], { "contoso:kind": "stamp" }));
    let error: unknown;
    await engine.remove("dev-a-weu-r1").catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(OperationError).with.property("message").that.match(/still has 1 resources; destroy it first/);
    await engine.destroy("dev-a-weu-r1");
    const record = await engine.readRecord("dev-a-weu-r1");
    expect(record).to.include.keys("tags");
    expect(record!.resources).to.deep.equal([]);
    expect(record!.outputs).to.deep.equal({});
    expect(record!.tags).to.deep.equal({ "contoso:kind": "stamp" });
    await engine.remove("dev-a-weu-r1");
    expect(await engine.readRecord("dev-a-weu-r1")).to.equal(undefined);
  });

  it("sets tags by merging and fails for a missing stack", async () => {
    await engine.up(groupProgram("dev-a-global", ["one"], { a: "1" }));
    await engine.setTags("dev-a-global", { b: "2" });
    expect((await engine.readRecord("dev-a-global"))!.tags).to.deep.equal({ a: "1", b: "2" });
    let error: unknown;
    await engine.setTags("nope-global", { b: "2" }).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(OperationError);
  });

  it("fails an operation from the fault plan file, counting `times` in the state folder", async () => {
    writeFileSync(faultPlanPath(stateDir), JSON.stringify({ operations: [{ stack: "dev-a-*-r2", operation: "up", times: 2 }] }));
    const spec = groupProgram("dev-a-weu-r2", ["one"]);
    const failWith = async () => {
      let error: unknown;
      await new OfflineEngine({ stateDir, timeScale: 0, env: {} }).up(spec).catch((e: unknown) => (error = e));
      return error;
    };
    expect(await failWith()).to.be.instanceOf(OperationError).with.property("message", "up of dev-a-weu-r2 failed: injected fault (fault plan)");
    expect(await failWith()).to.be.instanceOf(OperationError);
    expect(await failWith()).to.equal(undefined);
    // An unrelated stack is untouched by the pattern (its own resource group: one subscription for all stacks).
    await engine.up(groupProgram("dev-a-weu-r3", ["three"]));
  });

  it("the environment's fault plan wins over the file", async () => {
    writeFileSync(faultPlanPath(stateDir), JSON.stringify({ operations: [] }));
    const env = { CONTOSO_OFFLINE_FAULTS: JSON.stringify({ operations: [{ stack: "dev-a-global", operation: "preview", message: "nope" }] }) };
    const faulty = new OfflineEngine({ stateDir, timeScale: 0, env });
    let error: unknown;
    await faulty.preview(groupProgram("dev-a-global", ["one"])).catch((e: unknown) => (error = e));
    expect((error as Error).message).to.equal("preview of dev-a-global failed: nope");
  });

  it("a program that throws fails the operation with its message, and the stack exists with its tags", async () => {
    let error: unknown;
    await engine
      .up({ stack: "dev-a-weu-r4", tags: { t: "1" }, program: async () => { throw new Error("bad input\nstack trace"); } })
      .catch((e: unknown) => (error = e));
    expect((error as Error).message).to.equal("up of dev-a-weu-r4 failed: bad input");
    expect((await engine.readRecord("dev-a-weu-r4"))!.tags).to.deep.equal({ t: "1" });
  });

  it("cancels on abort and releases the lock", async () => {
    const slow = new OfflineEngine({ stateDir, timeScale: 0.01, env: {} });
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 100);
    let error: unknown;
    await slow.up(groupProgram("dev-a-weu-r5", ["one"]), { signal: controller.signal }).catch((e: unknown) => (error = e));
    expect((error as Error).message).to.equal("up of dev-a-weu-r5 failed: cancelled");
    expect(Date.now() - started).to.be.lessThan(5_000);
    await engine.up(groupProgram("dev-a-weu-r5", ["one"]));
  });

  it("preview returns the planned resources and outputs and writes no stack", async () => {
    const preview = await engine.preview(groupProgram("dev-a-global", ["one", "two"]));
    expect(preview.resources.map((r) => r.type)).to.deep.equal(["azure-native:resources:ResourceGroup", "azure-native:resources:ResourceGroup"]);
    expect(preview.outputs).to.include({ location: "northeurope" });
    expect(await engine.listStacks()).to.deep.equal([]);
  });

  it("checkpoint() kills the process with SIGKILL at the planned occurrence", async () => {
    const fixture = path.join(REPO, "tests", "automation", "fixtures", "crash-at-checkpoint.ts");
    const result = await new Promise<{ stdout: string; signal: NodeJS.Signals | null }>((resolve, reject) => {
      const child = spawn(process.execPath, ["--import", "tsx", fixture], {
        cwd: REPO,
        env: { ...process.env, CONTOSO_STATE_DIR: stateDir, CONTOSO_OFFLINE_FAULTS: JSON.stringify({ crash: { at: "between-steps", occurrence: 2 } }) },
        stdio: ["ignore", "pipe", "ignore"],
      });
      let stdout = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.on("error", reject);
      child.on("close", (_code, signal) => resolve({ stdout, signal }));
    });
    expect(result.signal).to.equal("SIGKILL");
    expect(result.stdout).to.equal("before first\nbefore second\n");
  });
});

describe("offline engine: a stray rejection inside one program", () => {
  it("fails that stack's up with its message; the stack deployed beside it succeeds", async () => {
    const engine = new OfflineEngine({ env: { CONTOSO_STATE_DIR: tempDir("stray"), CONTOSO_OFFLINE_TIME_SCALE: "0" } });
    const [bad, good] = await Promise.allSettled([
      engine.up({ stack: "dev-a-weu-r1", program: programs.stray("dev-a-weu-r1") }),
      engine.up({ stack: "dev-a-neu-r1", program: programs.rg("dev-a-neu-r1") }),
    ]);
    expect(bad.status).to.equal("rejected");
    expect(((bad as PromiseRejectedResult).reason as Error).message).to.match(/boom in rg-dev-a-weu-r1/);
    expect(good.status).to.equal("fulfilled");
  });
});
