import { expect } from "chai";
import { spawn } from "node:child_process";
import { once } from "node:events";

/** The process around both runnable services (stamp/health/run-service.ts), as a user's process sees it. */

const FIXTURE = "tests/stamp/health/fixtures/service-under-test.ts";

function run(mode: string) {
  const child = spawn(process.execPath, ["--import", "tsx", FIXTURE], { env: { PATH: process.env.PATH ?? "", SERVICE_TEST: mode }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  const exit = once(child, "exit").then(([code]) => code as number | null);
  const started = new Promise<void>((resolve, reject) => {
    child.stdout.on("data", () => stdout.includes("started") && resolve());
    void exit.then((code) => reject(new Error(`exited with ${code} before it started: ${stderr}`)));
  });
  // A run that is expected to fail never starts: nobody awaits `started` then.
  started.catch(() => undefined);
  return { child, exit, started, out: () => stdout, err: () => stderr };
}

describe("stamp health: the service process (run-service.ts)", function () {
  this.timeout(30_000);

  it("bad configuration: its one line on stderr, exit code 2", async () => {
    const r = run("bad-input");
    expect(await r.exit).to.equal(2);
    expect(r.err().trim().split("\n")).to.deep.equal(["service configuration: SETTING_X is not set"]);
  });

  it("any other start failure: exit code 1 with the error", async () => {
    const r = run("broken");
    expect(await r.exit).to.equal(1);
    expect(r.err()).to.include("cannot reach the thing");
  });

  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`${signal}: closes in the service's order, then exit code 0`, async () => {
      const r = run("ok");
      await r.started;
      r.child.kill(signal);
      expect(await r.exit, r.err()).to.equal(0);
      expect(r.out().trim().split("\n")).to.deep.equal(["started", "closing the server", "closing the clients"]);
    });
  }

  it("a SIGTERM while the service starts: stops it as soon as it has started, exit code 0 (not killed half-way)", async () => {
    const r = run("slow-start");
    await new Promise<void>((resolve) => r.child.stdout.on("data", () => r.out().includes("starting") && resolve()));
    r.child.kill("SIGTERM");
    expect(await r.exit, r.err()).to.equal(0);
    expect(r.out().trim().split("\n")).to.deep.equal(["starting", "started", "closing the server", "closing the clients"]);
  });

  it("a stop that fails: exit code 1 with its error, never a clean 0", async () => {
    const r = run("failing-stop");
    await r.started;
    r.child.kill("SIGTERM");
    expect(await r.exit).to.equal(1);
    expect(r.err()).to.include("the clients would not close");
  });
});
