import { expect } from "chai";
import type { GlobalOutputs } from "../../global/contract.js";
import { killSwitchSku } from "../../global/kill-switch.js";
import { prop, type ProgramRun } from "../harness/pulumi.js";
import { blueOrigins, env, runGlobal, TYPES } from "./fixtures.js";

describe("global stack: the stamps' kill-switch storage", () => {
  for (const name of ["prod", "dev"] as const) {
    describe(name, () => {
      const environment = env(name);
      const isolated = environment.network.isolation;
      let run: ProgramRun<GlobalOutputs>;
      before(async () => {
        run = await runGlobal(environment, blueOrigins(environment));
      });

      it(`is a ${name === "prod" ? "zone-redundant" : "locally redundant"} StorageV2 account in the home region with Entra ID access only`, () => {
        const account = run.one(TYPES.storageAccount);
        expect(account.inputs).to.include({
          location: environment.regions[0],
          kind: "StorageV2",
          allowSharedKeyAccess: false,
          defaultToOAuthAuthentication: true,
          allowBlobPublicAccess: false,
          enableHttpsTrafficOnly: true,
          minimumTlsVersion: "TLS1_2",
        });
        expect(prop(account, "sku.name")).to.equal(name === "prod" ? "Standard_ZRS" : "Standard_LRS");
        expect(killSwitchSku(environment)).to.equal(prop(account, "sku.name"));
        expect(account.inputs["accountName"]).to.match(/^[a-z0-9]{3,24}$/);
      });

      it(isolated ? "has no public network access (stamps use private endpoints)" : "is reachable over the public network (no isolation asked)", () => {
        const account = run.one(TYPES.storageAccount);
        expect(account.inputs["publicNetworkAccess"]).to.equal(isolated ? "Disabled" : "Enabled");
        expect(prop(account, "networkRuleSet.defaultAction")).to.equal(isolated ? "Deny" : "Allow");
      });

      it("reports the account in the outputs and holds no container of its own (drain markers belong to no stack)", () => {
        const account = run.one(TYPES.storageAccount);
        expect(run.outputs.killSwitchStorageAccountId).to.equal(account.id);
        expect(run.outputs.killSwitchStorageAccountName).to.equal(account.outputs["name"]);
        expect(run.outputs.killSwitchBlobEndpoint).to.equal(`https://${account.outputs["name"]}.blob.core.windows.net/`);
        // A container the stack owned would be deleted or re-created by an up; the markers must survive every up.
        expect(run.ofType(TYPES.blobContainer)).to.deep.equal([]);
        expect(Object.keys(run.outputs)).to.not.include("killSwitchContainerName");
      });
    });
  }

  it("keeps a zone-less home region on LRS even when the environment asks for zones", () => {
    const prod = env("prod");
    expect(killSwitchSku({ ...prod, regions: ["ukwest", ...prod.regions.slice(1)] })).to.equal("Standard_LRS");
  });
});
