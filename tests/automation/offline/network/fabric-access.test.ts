import { expect } from "chai";
import { request } from "node:http";
import { webAppAccess } from "../../../../automation/offline/network/access-restrictions.js";
import { startStampFabric, type FabricFrontDoor, type FabricStamp, type StampFabric } from "../../../../automation/offline/stamp-fabric.js";
import { accessRestrictions } from "../../../../stamp/access-restrictions.js";
import { sleep } from "../../../stamp/health/http-probe.js";

/**
 * The offline stamps apply their web app's access restrictions to every request, over real HTTP:
 * a direct call comes from the runner's address, a call through a Front Door endpoint (the
 * environment's, or a stamp's own) from Front Door's backend with its profile's X-Azure-FDID.
 */

const FDID = "6f1a3c2e-0b7d-4e55-9a1c-2d3e4f5a6b7c";
const EDGE = "fde-shoes-dev-a-abc123.z01.azurefd.net";
const STAMP_EDGE = "fde-shoes-dev-a-weu-r1-abc123.z01.azurefd.net";
const OTHER_EDGE = "fde-shoes-dev-b-def456.z01.azurefd.net";

function stamp(allow: string[]): FabricStamp {
  const access = webAppAccess([
    {
      type: "azure-native:web:WebApp",
      name: "app",
      inputs: { siteConfig: { ipSecurityRestrictions: JSON.parse(JSON.stringify(accessRestrictions(FDID, allow))), ipSecurityRestrictionsDefaultAction: "Deny" } },
    },
  ])!;
  return { stack: "dev-a-weu-r1", hostName: "app-shoes-dev-a-weu-r1-ab1cd.azurewebsites.net", region: "westeurope", release: "r1", access };
}

function get(port: number, host: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, headers: { host, ...headers }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8"), headers: res.headers }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("offline stamps: access restrictions on every request", function () {
  this.timeout(10_000);
  let fabric: StampFabric | undefined;
  afterEach(async () => {
    await fabric?.close();
    fabric = undefined;
  });

  async function start(s: FabricStamp, runnerAddress = "203.0.113.10") {
    const fd = (host: string, fdid: string, stampEndpoints: FabricFrontDoor["stampEndpoints"] = []): FabricFrontDoor => ({
      hostName: host,
      frontDoorId: fdid,
      origins: [{ hostName: s.hostName, weight: 1000, enabled: true, release: s.release, region: s.region }],
      stampEndpoints,
    });
    fabric = await startStampFabric({
      stamps: async () => [s],
      faults: async () => ({}),
      frontDoors: async () => [fd(EDGE, FDID, [{ hostName: STAMP_EDGE, originHostName: s.hostName }]), fd(OTHER_EDGE, "0d9c8b7a-6f5e-4d3c-8b2a-1f0e9d8c7b6a")],
      checkIntervalMs: 100,
      refreshIntervalMs: 60_000,
      runnerAddress,
    });
    await sleep(150);
    return fabric;
  }

  it("a direct request from the runner with an empty allow-list: 403 with App Service's page, the app never sees it", async () => {
    const f = await start(stamp([]));
    const r = await get(f.port, stamp([]).hostName, "/health/stamp");
    expect(r.status).to.equal(403);
    expect(r.body).to.contain("Error 403 - Forbidden");
    expect(r.headers["x-contoso-release"], "no answer from the app").to.equal(undefined);
  });

  it("a direct request carrying this profile's FDID is still refused: it does not come from Front Door's addresses", async () => {
    const f = await start(stamp([]));
    expect((await get(f.port, stamp([]).hostName, "/health/stamp", { "x-azure-fdid": FDID })).status).to.equal(403);
  });

  it("the runner's address in the allow-list: allowed", async () => {
    const f = await start(stamp(["203.0.113.0/28"]));
    const r = await get(f.port, stamp([]).hostName, "/health/stamp");
    expect(r.status).to.equal(200);
    expect(r.headers["x-contoso-release"]).to.equal("r1");
  });

  it("through the environment's Front Door (its FDID, whatever the client sent): allowed; another profile's Front Door: 403", async () => {
    const f = await start(stamp([]));
    const through = await get(f.port, EDGE, "/health/stamp", { "x-azure-fdid": "forged" });
    expect(through.status).to.equal(200);
    expect(through.headers["x-contoso-release"]).to.equal("r1");
    expect((await get(f.port, OTHER_EDGE, "/health/stamp")).status).to.equal(403);
  });

  it("the stamp's own endpoint forwards /health/* only: the health contract passes, any other path gets Front Door's 404", async () => {
    const f = await start(stamp([]));
    const health = await get(f.port, STAMP_EDGE, "/health/stamp");
    expect(health.status).to.equal(200);
    expect(JSON.parse(health.body)).to.include({ status: "Healthy", release: "r1" });
    expect((await get(f.port, STAMP_EDGE, "/")).status).to.equal(404);
  });
});
