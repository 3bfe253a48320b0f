import { expect } from "chai";
import { createClient } from "redis";
import { redisCheck } from "../../../stamp/health/checks/redis.js";
import type { HealthServer } from "../../../stamp/health/http.js";
import type { HealthService } from "../../../stamp/health/service.js";
import type { StampHealth } from "../../../stamp/health/types.js";
import { probe, probeUntil } from "./http-probe.js";
import { startRedis, type LocalRedis } from "./local-servers.js";
import { CHECK_TIMEOUT_MS, PATIENCE_MS, serveOneCheck, type RoundLog } from "./one-check-stamp.js";

/** The test client's reconnect delay. */
const RECONNECT_MS = 50;

describe("stamp health: Redis round trip against a real redis-server", function () {
  this.timeout(20_000);
  let redis: LocalRedis;
  const cleanup: (() => Promise<unknown>)[] = [];

  before(async function () {
    redis = await startRedis();
  });
  after(async function () {
    await redis?.stop();
  });
  afterEach(async function () {
    for (const fn of cleanup.splice(0).reverse()) await fn();
    // Tests stop the server; the next one starts from a running server.
    await redis.stop();
    await redis.start();
  });

  async function stampWithRedis(clientOptions: { disableOfflineQueue: boolean }): Promise<{ service: HealthService; server: HealthServer; rounds: RoundLog }> {
    const client = createClient({ url: redis.url, ...clientOptions, socket: { reconnectStrategy: RECONNECT_MS, connectTimeout: 1_000 } });
    client.on("error", () => undefined);
    await client.connect();
    cleanup.push(async () => client.destroy());
    return serveOneCheck(redisCheck({ client, key: "contoso-health:test", ttlSeconds: 5 }), cleanup);
  }

  it("is Healthy while SET/GET round-trips, and leaves a key that expires", async function () {
    const { server } = await stampWithRedis({ disableOfflineQueue: true });
    const r = await probe(server.port, "/health/stamp");
    expect(r.status).to.equal(200);
    expect((JSON.parse(r.body) as StampHealth).components[0]).to.include({ name: "redis", status: "Healthy" });
    const inspector = createClient({ url: redis.url });
    await inspector.connect();
    const ttl = await inspector.ttl("contoso-health:test");
    inspector.destroy();
    expect(ttl).to.be.within(1, 5);
  });

  it("turns Unhealthy (503) within one check interval when Redis stops, and Healthy again when it is back", async function () {
    const { server, rounds } = await stampWithRedis({ disableOfflineQueue: true });
    expect((await probe(server.port, "/health/stamp")).status).to.equal(200);

    const stoppedAt = rounds.count();
    await redis.stop();
    const down = await probeUntil(server.port, "/health/stamp", (r) => r.status === 503, { timeoutMs: PATIENCE_MS });
    expect(rounds.roundsUntil(stoppedAt, "Unhealthy"), "rounds to Unhealthy after Redis stopped (the next round that starts)").to.be.at.most(2);
    const redisComponent = (JSON.parse(down.response.body) as StampHealth).components.find((c) => c.name === "redis");
    expect(redisComponent?.status).to.equal("Unhealthy");
    expect(redisComponent?.error).to.match(/^SET failed/);

    const restartedAt = rounds.count();
    await redis.start();
    await probeUntil(server.port, "/health/stamp", (r) => r.status === 200, { timeoutMs: PATIENCE_MS });
    // The client reconnects on its own 50 ms timer, not the service's: on a busy machine a round may
    // start before the reconnect lands. Back within a few rounds, with no restart of the service.
    expect(rounds.roundsUntil(restartedAt, "Healthy"), "rounds to Healthy after Redis restarted").to.be.at.most(4);
  });

  it("with the client's offline queue on, a stopped Redis fails the check at the per-check timeout", async function () {
    const { server, rounds } = await stampWithRedis({ disableOfflineQueue: false });
    const stoppedAt = rounds.count();
    await redis.stop();
    const timedOut = `timed out after ${CHECK_TIMEOUT_MS} ms`;
    const errorOf = (h: StampHealth) => h.components[0]?.error;
    const down = await probeUntil(server.port, "/health/stamp", (r) => r.status === 503 && errorOf(JSON.parse(r.body) as StampHealth) === timedOut, { timeoutMs: PATIENCE_MS });
    expect(errorOf(JSON.parse(down.response.body) as StampHealth)).to.equal(timedOut);
    expect(rounds.roundsUntil(stoppedAt, "Unhealthy"), "rounds to Unhealthy after Redis stopped").to.be.at.most(2);
    // A round whose command was already on the wire when Redis stopped fails on the closing socket
    // instead (seen on a loaded machine: "GET failed: Socket closed unexpectedly"); the next round's
    // command waits in the offline queue and is cut at the per-check timeout.
    expect(rounds.roundsUntil(stoppedAt, (h) => errorOf(h) === timedOut), "rounds to the per-check timeout after Redis stopped").to.be.at.most(3);
  });
});
