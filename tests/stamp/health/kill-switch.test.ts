import { BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import { expect } from "chai";
import { killSwitchCheck } from "../../../stamp/health/checks/kill-switch.js";
import { HealthService } from "../../../stamp/health/service.js";
import type { StampHealth } from "../../../stamp/health/types.js";
import { probe, probeUntil } from "./http-probe.js";
import { startAzuriteBlob, type LocalAzurite } from "./local-servers.js";
import { CHECK_TIMEOUT_MS, INTERVAL_MS, PATIENCE_MS, serveOneCheck } from "./one-check-stamp.js";


describe("stamp health: blob kill switch against a real Azurite", function () {
  this.timeout(30_000);
  let azurite: LocalAzurite;
  let container: ContainerClient;
  const cleanup: (() => Promise<unknown>)[] = [];

  before(async function () {
    azurite = await startAzuriteBlob();
    container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient("health");
    await container.createIfNotExists();
  });
  after(async function () {
    await azurite?.stop();
  });
  afterEach(async function () {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  async function stampWithKillSwitch(blobName: string) {
    const blob = container.getBlockBlobClient(blobName);
    await blob.upload("on", 2);
    return { blob, ...(await serveOneCheck(killSwitchCheck({ blob }), cleanup)) };
  }

  it("takes the stamp out of rotation (503) within one interval when the blob is deleted, and back when it is re-created", async function () {
    const { blob, server, rounds } = await stampWithKillSwitch("stamp-westeurope-r42");
    expect((await probe(server.port, "/health/stamp")).status).to.equal(200);

    const deletedAt = rounds.count();
    await blob.delete();
    const down = await probeUntil(server.port, "/health/stamp", (r) => r.status === 503, { timeoutMs: PATIENCE_MS });
    expect(rounds.roundsUntil(deletedAt, "Unhealthy"), "rounds to 503 after the blob was deleted (the next round that starts)").to.be.at.most(2);
    const component = (JSON.parse(down.response.body) as StampHealth).components[0];
    expect(component).to.include({ name: "killswitch", status: "Unhealthy" });
    expect(component?.error).to.equal(
      "kill switch blob health/stamp-westeurope-r42 is missing: the stamp was taken out of rotation by an operator (re-create the blob to bring it back)",
    );

    const recreatedAt = rounds.count();
    await blob.upload("on", 2);
    await probeUntil(server.port, "/health/stamp", (r) => r.status === 200, { timeoutMs: PATIENCE_MS });
    expect(rounds.roundsUntil(recreatedAt, "Healthy"), "rounds to 200 after the blob was re-created (the next round that starts)").to.be.at.most(2);
  });

  it("fails closed when storage cannot be reached", async function () {
    // A container client for a port nothing listens on: the switch cannot be read.
    const unreachable = BlobServiceClient.fromConnectionString(azurite.connectionString.replace(`:${azurite.port}/`, ":1/"), {
      retryOptions: { maxTries: 1 },
    })
      .getContainerClient("health")
      .getBlobClient("stamp");
    const service = new HealthService({ release: "r42", region: "westeurope", checks: [killSwitchCheck({ blob: unreachable })], intervalMs: INTERVAL_MS, checkTimeoutMs: CHECK_TIMEOUT_MS });
    cleanup.push(() => service.stop());
    const health = await service.runRound();
    expect(health.status).to.equal("Unhealthy");
    expect(health.components[0]?.error).to.equal("could not read kill switch blob health/stamp: connect ECONNREFUSED 127.0.0.1:1");
  });
});
