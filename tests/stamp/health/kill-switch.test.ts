import { BlobServiceClient } from "@azure/storage-blob";
import { expect } from "chai";
import { killSwitchCheck } from "../../../stamp/health/checks/kill-switch.js";
import { HealthService } from "../../../stamp/health/service.js";
import type { StampHealth } from "../../../stamp/health/types.js";
import { probe, probeUntil } from "./http-probe.js";
import { startAzuriteBlob, type LocalAzurite } from "./local-servers.js";
import { CHECK_TIMEOUT_MS, INTERVAL_MS, PATIENCE_MS, serveOneCheck } from "./one-check-stamp.js";


describe("stamp health: kill switch drain marker against a real Azurite", function () {
  this.timeout(30_000);
  let azurite: LocalAzurite;
  const cleanup: (() => Promise<unknown>)[] = [];

  before(async function () {
    azurite = await startAzuriteBlob();
  });
  after(async function () {
    await azurite?.stop();
  });
  afterEach(async function () {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  async function stampWithKillSwitch(markerName: string) {
    const drain = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(markerName);
    return { drain, ...(await serveOneCheck(killSwitchCheck({ marker: drain }), cleanup)) };
  }

  it("serves while no drain marker exists, goes out of rotation (503) within one interval once it is created, and back when it is deleted", async function () {
    const { drain, server, rounds } = await stampWithKillSwitch("drain-prod-weu-r42");
    expect((await probe(server.port, "/health/stamp")).status).to.equal(200);

    const createdAt = rounds.count();
    await drain.create();
    const down = await probeUntil(server.port, "/health/stamp", (r) => r.status === 503, { timeoutMs: PATIENCE_MS });
    expect(rounds.roundsUntil(createdAt, "Unhealthy"), "rounds to 503 after the marker was created (the next round that starts)").to.be.at.most(2);
    const component = (JSON.parse(down.response.body) as StampHealth).components[0];
    expect(component).to.include({ name: "killswitch", status: "Unhealthy" });
    expect(component?.error).to.equal(
      "drained: the kill switch drain marker drain-prod-weu-r42 exists (an operator took the stamp out of rotation; delete the container to bring it back)",
    );

    const deletedAt = rounds.count();
    await drain.delete();
    await probeUntil(server.port, "/health/stamp", (r) => r.status === 200, { timeoutMs: PATIENCE_MS });
    expect(rounds.roundsUntil(deletedAt, "Healthy"), "rounds to 200 after the marker was deleted (the next round that starts)").to.be.at.most(2);
  });

  it("fails closed when storage cannot be reached", async function () {
    // A container client for a port nothing listens on: the switch cannot be read.
    const unreachable = BlobServiceClient.fromConnectionString(azurite.connectionString.replace(`:${azurite.port}/`, ":1/"), {
      retryOptions: { maxTries: 1 },
    })
      .getContainerClient("drain-stamp");
    const service = new HealthService({ release: "r42", region: "westeurope", checks: [killSwitchCheck({ marker: unreachable })], intervalMs: INTERVAL_MS, checkTimeoutMs: CHECK_TIMEOUT_MS });
    cleanup.push(() => service.stop());
    const health = await service.runRound();
    expect(health.status).to.equal("Unhealthy");
    expect(health.components[0]?.error).to.equal("could not read kill switch drain marker drain-stamp: connect ECONNREFUSED 127.0.0.1:1");
  });
});
