import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import * as pulumi from "@pulumi/pulumi";
import { runProgram } from "../../harness/pulumi.js";

/**
 * automation/offline/promise-traces.ts: under the offline engine's mocks, Pulumi's
 * `debuggablePromise` keeps no stack trace (it is read only by PULUMI_DEBUG_PROMISE_LEAKS's
 * report), every other error keeps its stack, and with that variable set nothing changes.
 */

const require = createRequire(import.meta.url);
type Debuggable = { debuggablePromise<T>(p: Promise<T>, ctx: unknown): Promise<T> };
const traceOf = (p: Promise<unknown>) => (p as unknown as { _debugStackTrace?: string })._debugStackTrace;
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

describe("offline engine: Pulumi's promise traces", () => {
  it("are skipped once a program has run under the mocks; other errors keep their stacks, and the limit is restored", async () => {
    await runProgram(async () => {
      new pulumi.ComponentResource("test:index:Thing", "thing");
      return {};
    });
    const debuggable = require("@pulumi/pulumi/runtime/debuggable.js") as Debuggable;
    const limit = Error.stackTraceLimit;
    const tracked = Promise.resolve(1);
    const wrapped = debuggable.debuggablePromise(tracked, "test");
    expect(traceOf(tracked), "no frames in the stored trace").to.equal("Error");
    expect(Error.stackTraceLimit).to.equal(limit);
    expect(new Error("elsewhere").stack!.split("\n").length, "an ordinary error keeps its frames").to.be.greaterThan(1);
    expect(await wrapped).to.equal(1);
  });

  it("still tag a rejection with the promise it came from, as Pulumi does", async () => {
    await runProgram(async () => ({}));
    const debuggable = require("@pulumi/pulumi/runtime/debuggable.js") as Debuggable;
    const failing = Promise.reject(new Error("boom"));
    const err = await debuggable.debuggablePromise(failing, "failing").then(
      () => undefined,
      (e: unknown) => e as Error & { promise?: unknown },
    );
    expect(err?.message).to.equal("boom");
    expect(err?.promise).to.equal(failing);
  });

  it("are kept, as Pulumi makes them, when PULUMI_DEBUG_PROMISE_LEAKS is set", () => {
    // A new process: Pulumi reads the variable when its module loads.
    const script = [
      `const { runProgram } = await import(${JSON.stringify(path.join(REPO, "tests/harness/pulumi.ts"))});`,
      `const { createRequire } = await import("node:module");`,
      `await runProgram(async () => ({}));`,
      `const d = createRequire(${JSON.stringify(path.join(REPO, "package.json"))})("@pulumi/pulumi/runtime/debuggable.js");`,
      `const p = Promise.resolve(1); await d.debuggablePromise(p, "x");`,
      `console.log(JSON.stringify(p._debugStackTrace));`,
    ].join("\n");
    const run = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: REPO,
      env: { ...process.env, PULUMI_DEBUG_PROMISE_LEAKS: "1" },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(run.status, run.stderr).to.equal(0);
    const trace = JSON.parse(run.stdout.trim().split("\n").pop()!) as string;
    expect(trace.split("\n").length, trace).to.be.greaterThan(1);
    expect(trace).to.include("debuggablePromise");
  });
});
