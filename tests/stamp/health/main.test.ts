import { expect } from "chai";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { probeUntil } from "./http-probe.js";

const MAIN = "stamp/health/main.ts";

function run(env: Record<string, string>) {
  // Only what the service needs: no inherited Azure settings can leak into the test.
  return spawn(process.execPath, ["--import", "tsx", MAIN], { env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
}

describe("stamp health: the runnable service (main.ts)", function () {
  this.timeout(20_000);

  it("exits with code 2 and one line naming every missing setting, contacting nothing", async function () {
    const child = run({});
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const [code] = (await once(child, "exit")) as [number];
    expect(code).to.equal(2);
    expect(stderr.trim().split("\n")).to.have.length(1);
    expect(stderr).to.match(/^health service configuration: CONTOSO_RELEASE is not set .*KILL_SWITCH_DRAIN_URL is not set/);
  });

  it("serves the contract from environment variables and stops cleanly on SIGTERM", async function () {
    const child = run({
      CONTOSO_RELEASE: "r7",
      CONTOSO_REGION: "swedencentral",
      HEALTH_HOST: "127.0.0.1",
      HEALTH_PORT: "0",
      HEALTH_INTERVAL: "200ms",
      HEALTH_CHECK_TIMEOUT: "100ms",
      HEALTH_DISABLED_CHECKS: "cosmos,servicebus,keyvault,redis,killswitch",
    });
    let stdout = "";
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.on("data", (c: Buffer) => {
        stdout += c.toString();
        const m = /on http:\/\/127\.0\.0\.1:(\d+)/.exec(stdout);
        if (m) resolve(Number(m[1]));
      });
      child.once("exit", (code) => reject(new Error(`exited with ${code} before listening: ${stdout}`)));
    });
    const { response } = await probeUntil(port, "/health/stamp", (r) => r.status === 200, { timeoutMs: 3_000 });
    expect(response.headers["x-contoso-release"]).to.equal("r7");
    expect(JSON.parse(response.body)).to.include({ status: "Healthy", region: "swedencentral" });
    child.kill("SIGTERM");
    const [code] = (await once(child, "exit")) as [number];
    expect(code).to.equal(0);
  });
});
