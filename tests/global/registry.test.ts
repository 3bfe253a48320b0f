import { expect } from "chai";
import { blueOrigins, env, runGlobal, TYPES } from "./fixtures.js";

describe("global stack: container registry", () => {
  it("prod: Premium, zone-redundant, admin off, replicated to every region but the home one", async () => {
    const prod = env("prod");
    const run = await runGlobal(prod, blueOrigins(prod));
    const registry = run.one(TYPES.registry);
    expect(registry.inputs).to.deep.include({
      sku: { name: "Premium" },
      adminUserEnabled: false,
      anonymousPullEnabled: false,
      zoneRedundancy: "Enabled",
      location: "westeurope",
      dataEndpointEnabled: true,
    });
    expect(registry.inputs["registryName"]).to.match(/^crshoesprod[a-z0-9]{5}$/);
    const replications = run.ofType(TYPES.replication);
    expect(replications.map((r) => r.inputs["location"]).sort()).to.deep.equal(["northeurope", "swedencentral"]);
    for (const r of replications) {
      expect(r.inputs).to.include({ registryName: registry.outputs["name"], zoneRedundancy: "Enabled", regionEndpointEnabled: true });
    }
    expect(run.outputs.registryId).to.equal(registry.id);
    expect(run.outputs.registryName).to.equal(registry.outputs["name"]);
    expect(run.outputs.registryLoginServer).to.equal(`${registry.outputs["name"]}.azurecr.io`);
  });

  it("dev: the environment's own Basic registry in its one region, admin off, no replicas", async () => {
    const dev = env("dev");
    const run = await runGlobal(dev, []);
    const registry = run.one(TYPES.registry);
    expect(registry.inputs).to.deep.include({ sku: { name: "Basic" }, adminUserEnabled: false, zoneRedundancy: "Disabled", location: "westeurope" });
    expect(registry.inputs).not.to.have.property("dataEndpointEnabled");
    expect(registry.inputs["registryName"]).to.match(/^crshoesdev[a-z0-9]{5}$/);
    expect(run.ofType(TYPES.replication)).to.have.length(0);
  });
});
