import { expect } from "chai";
import { MOCK_SUBSCRIPTION } from "../../automation/offline/azure-mocks.js";
import { loadEnvironment } from "../../environments/index.js";
import { APP_SETTING } from "../../stamp/app-settings.js";
import { BUILT_IN_ROLES } from "../../stamp/roles.js";
import { prop } from "../harness/pulumi.js";
import { stampArgs, stampRun, T } from "./fixtures.js";

type Setting = { name: string; value: string };

for (const envName of ["prod", "dev"] as const) {
  describe(`stamp kill switch (${envName})`, function () {
    this.timeout(60_000);
    const env = loadEnvironment(envName);
    const args = stampArgs(envName);
    const stack = `${envName}-weu-r42`;

    it("creates no drain marker (nothing an up or refresh could put back): its URL is in the app settings and the stack outputs", async () => {
      const run = await stampRun(envName);
      expect(run.ofType(T.blob)).to.have.length(0);
      expect(run.resources.filter((r) => r.type === "azure-native:storage:BlobContainer")).to.have.length(0);
      const url = `https://${args.global.killSwitchStorageAccountName}.blob.core.windows.net/drain-${stack}`;
      const settings = Object.fromEntries((prop(run.one(T.webApp), "siteConfig.appSettings") as Setting[]).map((s) => [s.name, s.value]));
      expect(settings[APP_SETTING.killSwitchDrainUrl]).to.equal(url);
      expect(run.outputs.killSwitchDrainUrl).to.equal(url);
    });

    it("lets the web app's identity read the kill-switch account (Storage Blob Data Reader: its marker may not exist yet)", async () => {
      const run = await stampRun(envName);
      const reader = `/subscriptions/${MOCK_SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/${BUILT_IN_ROLES.storageBlobDataReader}`;
      expect(BUILT_IN_ROLES.storageBlobDataReader).to.equal("2a2b9908-6ea1-4ae2-8e65-a410df84e7d1");
      const grants = run.ofType(T.roleAssignment).filter((a) => a.inputs["roleDefinitionId"] === reader);
      expect(grants).to.have.length(1);
      const scope = String(grants[0]!.inputs["scope"]);
      expect(scope).to.equal(args.global.killSwitchStorageAccountId);
      expect(grants[0]!.inputs["principalId"]).to.equal(run.one(T.identity).outputs["principalId"]);
    });

    it(env.network.isolation ? "reaches the kill-switch account through a blob private endpoint" : "reaches the kill-switch account without a private endpoint", async () => {
      const run = await stampRun(envName);
      const blobEndpoints = run.ofType(T.privateEndpoint).filter((p) => p.name === "pep-blob");
      if (!env.network.isolation) {
        expect(blobEndpoints).to.have.length(0);
        return;
      }
      expect(blobEndpoints).to.have.length(1);
      expect((prop(blobEndpoints[0]!, "privateLinkServiceConnections") as Record<string, unknown>[])[0]).to.deep.include({
        privateLinkServiceId: args.global.killSwitchStorageAccountId,
        groupIds: ["blob"],
      });
      expect(run.one(T.privateZone, "pdns-blob").inputs["privateZoneName"]).to.equal("privatelink.blob.core.windows.net");
    });
  });
}
