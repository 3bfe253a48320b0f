import { expect } from "chai";
import { startStampFabric, type FabricFrontDoor, type FabricStamp, type StampFabric } from "../../../automation/offline/stamp-fabric.js";
import { probe, sleep } from "../../stamp/health/http-probe.js";

/**
 * An offline stamp whose image is not in its registry behaves as App Service does when the pull
 * fails: the container never starts, and the platform's front end answers 503 with its own error
 * page on every path, liveness and stamp health included, without the app's headers.
 */
const INTERVAL_MS = 100;
const pulled: FabricStamp = { stack: "prod-weu-r8", hostName: "app-shoes-prod-weu-r8-ab1cd.azurewebsites.net", region: "westeurope", release: "r8" };
const notPulled: FabricStamp = { stack: "prod-weu-r9", hostName: "app-shoes-prod-weu-r9-ef2gh.azurewebsites.net", region: "westeurope", release: "r9", imagePulled: false };
const EDGE = "fde-shoes-prod-abc123.z01.azurefd.net";

describe("offline stamp fabric: a stamp whose image pull failed", function () {
  this.timeout(10_000);
  let fabric: StampFabric | undefined;
  let stamps: FabricStamp[];
  let frontDoors: FabricFrontDoor[];

  async function start(): Promise<StampFabric> {
    fabric = await startStampFabric({
      stamps: async () => stamps,
      faults: async () => ({}),
      frontDoors: async () => frontDoors,
      checkIntervalMs: INTERVAL_MS,
      refreshIntervalMs: 60_000,
    });
    await sleep(INTERVAL_MS);
    return fabric;
  }
  beforeEach(() => {
    stamps = [pulled, notPulled];
    frontDoors = [];
  });
  afterEach(async () => {
    await fabric?.close();
    fabric = undefined;
  });

  it("answers liveness and stamp health with App Service's 503 error page, not the app's contract", async () => {
    const f = await start();
    for (const path of ["/health/liveness", "/health/stamp", "/"]) {
      for (const method of ["GET", "HEAD"]) {
        const r = await probe(f.port, path, { host: notPulled.hostName, method });
        expect(r.status, `${method} ${path}`).to.equal(503);
        expect(r.headers["content-type"]).to.match(/^text\/html/);
        expect(r.headers["x-contoso-release"], "the app never ran, so none of its headers").to.equal(undefined);
        if (method === "GET") expect(r.body).to.contain(":( Application Error");
      }
    }
    // The stamp beside it, whose image was pulled, serves the contract.
    const ok = await probe(f.port, "/health/liveness", { host: pulled.hostName });
    expect(ok.status).to.equal(200);
    expect(ok.headers["x-contoso-release"]).to.equal("r8");
  });

  it("Front Door's probes count it unhealthy: every request through the edge goes to the stamp that runs", async () => {
    frontDoors = [{ hostName: EDGE, origins: [pulled, notPulled].map((s) => ({ hostName: s.hostName, weight: 500, enabled: true, release: s.release, region: s.region })) }];
    const f = await start();
    for (let i = 0; i < 6; i++) {
      const r = await probe(f.port, "/", { host: EDGE });
      expect(r.status).to.equal(200);
      expect(r.headers["x-contoso-release"]).to.equal("r8");
    }
  });

  it("starts once the image is in the registry (App Service pulls again on the next start)", async () => {
    const f = await start();
    expect((await probe(f.port, "/health/liveness", { host: notPulled.hostName })).status).to.equal(503);
    stamps = [pulled, { ...notPulled, imagePulled: true }];
    await f.refresh();
    await sleep(INTERVAL_MS);
    const r = await probe(f.port, "/health/liveness", { host: notPulled.hostName });
    expect(r.status).to.equal(200);
    expect(r.headers["x-contoso-release"]).to.equal("r9");
  });
});
