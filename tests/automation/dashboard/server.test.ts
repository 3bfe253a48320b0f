import { expect } from "chai";
import http from "node:http";
import { startDashboard, type DashboardServer } from "../../../automation/dashboard/server.js";
import { splitOf, type EnvironmentView } from "../../../automation/dashboard/snapshot.js";
import { cleanEnv, runCli, tempDir } from "../cli-harness.js";

/** The dashboard server's safety: loopback only, read-only, other Host headers refused; and its split. */
describe("dashboard server", () => {
  let server: DashboardServer | undefined;
  const view = (phase: string): EnvironmentView => ({
    env: "prod", liveRelease: "r1", phase, release: null, mode: null, greenPercent: null, startedAt: null, split: [], stamps: [],
  });
  afterEach(async () => server?.close());

  const request = (port: number, options: { method?: string; host?: string; path?: string }) =>
    new Promise<{ status: number; body: string; type: string }>((resolve, reject) => {
      const req = http.request(
        { host: "127.0.0.1", port, method: options.method ?? "GET", path: options.path ?? "/", headers: options.host ? { host: options.host } : {} },
        (res) => {
          let body = "";
          res.on("data", (d) => (body += d));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body, type: String(res.headers["content-type"]) }));
        },
      );
      req.on("error", reject);
      req.end();
    });

  it("binds 127.0.0.1, serves the page and the state, refuses writes, other hosts and unknown paths", async () => {
    server = await startDashboard({ read: async () => [view("idle")], pollMs: 60_000 });
    expect(server.url).to.match(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await request(server.port, {});
    expect([page.status, page.type]).to.deep.equal([200, "text/html; charset=utf-8"]);
    const state = await request(server.port, { path: "/api/state" });
    expect(JSON.parse(state.body).environments).to.deep.equal([view("idle")]);
    expect((await request(server.port, { method: "POST", path: "/api/state" })).status).to.equal(405);
    expect((await request(server.port, { host: "evil.example" })).status).to.equal(421);
    expect((await request(server.port, { host: `evil.example:${server.port}` })).status).to.equal(421);
    expect((await request(server.port, { path: "/../../etc/passwd" })).status).to.equal(404);
  });

  it("splits traffic per region among enabled origins", () => {
    const origin = (stamp: string, region: string, release: string, weight: number, enabled = true) => ({ stamp, region, release, weight, enabled });
    expect(splitOf([origin("a", "weu", "r1", 500), origin("b", "weu", "r2", 500), origin("c", "neu", "r1", 1000, false), origin("d", "neu", "r2", 1000)])).to.deep.equal([
      { region: "weu", shares: [{ release: "r1", stamp: "a", percent: 50 }, { release: "r2", stamp: "b", percent: 50 }] },
      { region: "neu", shares: [{ release: "r2", stamp: "d", percent: 100 }] },
    ]);
  });

  it("contoso dashboard --port out of range is bad input: exit 2, one line", async function () {
    this.timeout(60_000);
    const run = await runCli(["--offline", "dashboard", "--port", "70000"], cleanEnv({ CONTOSO_STATE_DIR: tempDir("dashboard-bad") }));
    expect(run.code, run.stderr).to.equal(2);
    expect(run.errLines.filter((l) => l.startsWith("error:"))).to.deep.equal(['error: --port "70000" must be a whole number from 0 to 65535']);
  });
});
