import { expect } from "chai";
import { Agent } from "node:http";
import { HealthService, type HealthServiceOptions } from "../../../stamp/health/service.js";
import { startHealthServer, type HealthServer } from "../../../stamp/health/http.js";
import { rollUp } from "../../../stamp/health/roll-up.js";
import type { HealthCheck, StampHealth } from "../../../stamp/health/types.js";
import { probe, probeUntil, sleep } from "./http-probe.js";

/** A check whose behaviour a test switches at will, counting its calls. */
function switchable(name: string) {
  const state = { calls: 0, mode: "ok" as "ok" | "fail" | "degraded" | "hang" | "hang-ignoring-abort", delayMs: 0 };
  const check: HealthCheck = {
    name,
    async run(signal) {
      state.calls++;
      if (state.delayMs > 0) await sleep(state.delayMs);
      switch (state.mode) {
        case "ok":
          return;
        case "degraded":
          return { status: "Degraded", detail: `${name} on fallback` };
        case "fail":
          throw Object.assign(new Error(`${name} refused`), { statusCode: 503 });
        case "hang":
          return new Promise<void>((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)));
        case "hang-ignoring-abort":
          return new Promise<void>((resolve) => setTimeout(resolve, 1_000));
      }
    },
  };
  return { check, state };
}

describe("stamp health service", function () {
  const started: { service: HealthService; server?: HealthServer }[] = [];
  async function serve(options: Partial<HealthServiceOptions> & Pick<HealthServiceOptions, "checks">) {
    const service = new HealthService({ release: "r42", region: "westeurope", intervalMs: 150, checkTimeoutMs: 100, ...options });
    const server = await startHealthServer(service);
    started.push({ service, server });
    return { service, server };
  }
  afterEach(async () => {
    for (const { service, server } of started.splice(0)) {
      await server?.close();
      await service.stop();
    }
  });

  it("rolls components up: any Unhealthy wins, then any Degraded", function () {
    expect(rollUp([])).to.equal("Healthy");
    expect(rollUp([{ status: "Healthy" }, { status: "Degraded" }])).to.equal("Degraded");
    expect(rollUp([{ status: "Degraded" }, { status: "Unhealthy" }, { status: "Healthy" }])).to.equal("Unhealthy");
  });

  it("is Unhealthy (503, not ready) until the first round completes, then Healthy (200) with the contract's body", async function () {
    const slow = switchable("cosmos");
    slow.state.delayMs = 60;
    const { service, server } = await serve({ checks: [slow.check] });
    const before = await probe(server.port, "/health/stamp");
    expect(before.status).to.equal(503);
    expect(JSON.parse(before.body)).to.include({ status: "Unhealthy", release: "r42", region: "westeurope" });
    expect(JSON.parse(before.body).reason).to.match(/first round/);

    service.start();
    const { response } = await probeUntil(server.port, "/health/stamp", (r) => r.status === 200, { timeoutMs: 1_000 });
    const body = JSON.parse(response.body) as StampHealth;
    expect(body.status).to.equal("Healthy");
    expect(body.checkedAt).to.be.a("string");
    expect(body.components).to.have.length(1);
    expect(body.components[0]).to.include({ name: "cosmos", status: "Healthy" });
    expect(body.components[0]!.latencyMs).to.be.at.least(50);
  });

  it("answers 503 with the failing component's error, and turns Healthy again within one interval", async function () {
    const a = switchable("redis");
    const b = switchable("cosmos");
    // Rounds, not milliseconds: on a busy machine a round runs late, but the next round that starts
    // after a change must see it (a change during a round in flight may be missed by that round).
    const rounds: StampHealth["status"][] = [];
    const roundsUntil = (mark: number, status: StampHealth["status"]) => rounds.findIndex((st, i) => i >= mark && st === status) - mark + 1;
    const { service, server } = await serve({ checks: [a.check, b.check], onRound: (h) => void rounds.push(h.status) });
    await service.start().runRound();
    expect((await probe(server.port, "/health/stamp")).status).to.equal(200);

    const failedAt = rounds.length;
    a.state.mode = "fail";
    const down = await probeUntil(server.port, "/health/stamp", (r) => r.status === 503, { timeoutMs: 15_000 });
    expect(roundsUntil(failedAt, "Unhealthy"), "rounds to 503").to.be.within(1, 2);
    const body = JSON.parse(down.response.body) as StampHealth;
    expect(body.status).to.equal("Unhealthy");
    expect(body.components.find((c) => c.name === "redis")).to.deep.include({ status: "Unhealthy", error: "503: redis refused" });
    expect(body.components.find((c) => c.name === "cosmos")).to.include({ status: "Healthy" });

    const fixedAt = rounds.length;
    a.state.mode = "ok";
    await probeUntil(server.port, "/health/stamp", (r) => r.status === 200, { timeoutMs: 15_000 });
    expect(roundsUntil(fixedAt, "Healthy"), "rounds to 200").to.be.within(1, 2);
  });

  it("aborts a hanging check at the per-check timeout and reports it Unhealthy", async function () {
    const hung = switchable("servicebus");
    hung.state.mode = "hang";
    const { service } = await serve({ checks: [hung.check], checkTimeoutMs: 80, intervalMs: 300 });
    const t0 = Date.now();
    const health = await service.runRound();
    // Never before the timeout; the upper bound is generous (a busy machine): without the per-check
    // timeout the round would end at its 300 ms deadline with another error, asserted below.
    expect(Date.now() - t0).to.be.at.least(75).and.below(5_000);
    expect(health.components[0]).to.include({ name: "servicebus", status: "Unhealthy", error: "timed out after 80 ms" });
  });

  it("caps every check at the round deadline, and does not restart a check that ignored its abort signal", async function () {
    const stubborn = switchable("cosmos");
    stubborn.state.mode = "hang-ignoring-abort";
    const { service } = await serve({ checks: [{ ...stubborn.check, timeoutMs: 5_000 }], checkTimeoutMs: 100, roundDeadlineMs: 120 });
    const t0 = Date.now();
    const first = await service.runRound();
    // Not the check's own 5 s timeout: the round deadline (120 ms) cut it, with room for a busy machine.
    expect(Date.now() - t0).to.be.below(2_500);
    expect(first.components[0]).to.include({ status: "Unhealthy", error: "round deadline of 120 ms reached" });
    const second = await service.runRound();
    expect(stubborn.state.calls).to.equal(1);
    expect(second.components[0]!.error).to.match(/previous check has not finished/);
  });

  it("serves while Degraded (200, status Degraded) unless told not to", async function () {
    const kv = switchable("keyvault");
    kv.state.mode = "degraded";
    const lenient = await serve({ checks: [kv.check] });
    await lenient.service.runRound();
    const r1 = await probe(lenient.server.port, "/health/stamp");
    expect(r1.status).to.equal(200);
    expect(JSON.parse(r1.body).status).to.equal("Degraded");
    expect(JSON.parse(r1.body).components[0]).to.include({ status: "Degraded", error: "keyvault on fallback" });

    const strict = await serve({ checks: [kv.check], serveWhenDegraded: false });
    await strict.service.runRound();
    expect((await probe(strict.server.port, "/health/stamp")).status).to.equal(503);
  });

  it("keeps probes cheap: waves of 500 concurrent probes run each check at most once per interval", async function () {
    this.timeout(15_000);
    const dep = switchable("cosmos");
    dep.state.delayMs = 20;
    // Staleness is tested on its own; a busy test machine must not turn this test into a staleness test.
    const { service, server } = await serve({ checks: [dep.check], intervalMs: 200, staleAfterMs: 30_000 });
    await service.start().runRound();
    const agent = new Agent({ keepAlive: true, maxSockets: 500 });
    const callsBefore = dep.state.calls;
    const t0 = Date.now();
    let ok = 0;
    for (let wave = 0; wave < 3; wave++) {
      const responses = await Promise.all(Array.from({ length: 500 }, () => probe(server.port, "/health/stamp", { agent })));
      ok += responses.filter((r) => r.status === 200).length;
      await sleep(150);
    }
    const elapsed = Date.now() - t0;
    agent.destroy();
    const calls = dep.state.calls - callsBefore;
    expect(ok).to.equal(1_500);
    expect(calls).to.be.at.most(Math.ceil(elapsed / service.intervalMs) + 1);
    expect(calls).to.be.at.least(1);
  });

  it("reports Unhealthy when the rounds have stopped and the cached verdict is stale", async function () {
    const dep = switchable("redis");
    const { service, server } = await serve({ checks: [dep.check], intervalMs: 50, staleAfterMs: 120 });
    await service.runRound();
    expect((await probe(server.port, "/health/stamp")).status).to.equal(200);
    await sleep(170);
    const stale = await probe(server.port, "/health/stamp");
    expect(stale.status).to.equal(503);
    expect(JSON.parse(stale.body).reason).to.match(/^stale/);
  });

  it("answers HEAD without a body, puts release, region and no-store on every response, and liveness stays 200 while the stamp is 503", async function () {
    const dep = switchable("killswitch");
    dep.state.mode = "fail";
    const { service, server } = await serve({ checks: [dep.check] });
    await service.runRound();

    const paths = ["/health/stamp", "/health/liveness", "/health/liveness?probe=1", "/elsewhere"];
    for (const path of paths) {
      for (const method of ["GET", "HEAD"]) {
        const r = await probe(server.port, path, { method });
        expect(r.headers["x-contoso-release"], `${method} ${path}`).to.equal("r42");
        expect(r.headers["x-contoso-region"], `${method} ${path}`).to.equal("westeurope");
        expect(r.headers["cache-control"], `${method} ${path}`).to.equal("no-store");
        if (method === "HEAD") expect(r.body, `${method} ${path}`).to.equal("");
        else expect(r.body.length, `${method} ${path}`).to.be.greaterThan(0);
      }
    }
    expect((await probe(server.port, "/health/stamp", { method: "HEAD" })).status).to.equal(503);
    expect((await probe(server.port, "/health/stamp")).status).to.equal(503);
    expect((await probe(server.port, "/health/liveness", { method: "HEAD" })).status).to.equal(200);
    expect((await probe(server.port, "/health/liveness")).status).to.equal(200);
    expect((await probe(server.port, "/elsewhere")).status).to.equal(404);
    const post = await probe(server.port, "/health/stamp", { method: "POST" });
    expect(post.status).to.equal(405);
    expect(post.headers.allow).to.equal("GET, HEAD");
  });

  it("rejects a configuration it cannot run", function () {
    expect(() => new HealthService({ release: "r1", region: "x", checks: [], intervalMs: 0, checkTimeoutMs: 1 })).to.throw(/intervalMs/);
    const a = switchable("redis").check;
    expect(() => new HealthService({ release: "r1", region: "x", checks: [a, a], intervalMs: 10, checkTimeoutMs: 1 })).to.throw(/two checks are named "redis"/);
  });
});
