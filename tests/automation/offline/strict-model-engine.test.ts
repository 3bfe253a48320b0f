import { expect } from "chai";
import { readFile } from "node:fs/promises";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as cdn from "@pulumi/azure-native/cdn/index.js";
import * as keyvault from "@pulumi/azure-native/keyvault/index.js";
import * as monitor from "@pulumi/azure-native/monitor/index.js";
import * as operationalinsights from "@pulumi/azure-native/operationalinsights/index.js";
import * as resources from "@pulumi/azure-native/resources/index.js";
import * as storage from "@pulumi/azure-native/storage/index.js";
import { OperationError, type StackProgram } from "../../../automation/engine/port.js";
import { OfflineEngine } from "../../../automation/offline/offline-engine.js";
import { tempDir } from "../cli-harness.js";

/**
 * The offline engine goes through the strict Azure model on every update and destroy: Azure's
 * refusals fail the update (and change nothing), destroys free what they held, secrets never reach
 * the state or the caller, and resources are stored as Azure reads them back.
 */
const SECRET_VALUE = "s3cr3t-payment-key-0123456789";

function program(stack: string, body: () => Record<string, unknown>): StackProgram {
  return { stack, config: { "azure-native:location": "westeurope" }, program: async () => body() };
}

describe("offline engine under the strict Azure model", function () {
  this.timeout(120_000);
  let engine: OfflineEngine;
  let stateDir: string;
  beforeEach(() => {
    stateDir = tempDir("strict-model");
    engine = new OfflineEngine({ stateDir, timeScale: 0, env: {} });
  });

  const account = (stack: string, name: string) =>
    program(stack, () => {
      const rg = new resources.ResourceGroup("rg", { resourceGroupName: `rg-${stack}` });
      const st = new storage.StorageAccount("st", { resourceGroupName: rg.name, accountName: name, kind: "StorageV2", sku: { name: "Standard_LRS" } });
      return { id: st.id };
    });

  it("refuses a storage account name another stack holds, with Azure's error, and keeps nothing of the refused update", async function () {
    await engine.up(account("dev-a-global", "stshoesdup"));
    let error: unknown;
    try {
      await engine.up(account("dev-b-global", "stshoesdup"));
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(OperationError);
    expect((error as Error).message).to.include("StorageAccountAlreadyTaken: The storage account named stshoesdup is already taken.");
    expect((await engine.readRecord("dev-b-global"))?.resources ?? []).to.deep.equal([]);
  });

  it("a destroy frees the name for another stack", async function () {
    await engine.up(account("dev-a-global", "stshoesfree"));
    await engine.destroy("dev-a-global");
    await engine.up(account("dev-b-global", "stshoesfree"));
  });

  it("never writes or returns a secret value: state, preview and outputs show [secret] (defect 8)", async function () {
    const spec = program("dev-a-global", () => {
      const rg = new resources.ResourceGroup("rg", { resourceGroupName: "rg-secrets" });
      const vault = new keyvault.Vault("kv", {
        resourceGroupName: rg.name,
        vaultName: "kv-shoes-secrets",
        properties: { tenantId: "00000000-0000-4000-8000-0000000a2ad0", sku: { family: "A", name: "standard" }, enableRbacAuthorization: true },
      });
      new keyvault.Secret("secret", { resourceGroupName: rg.name, vaultName: vault.name, secretName: "payment", properties: { value: pulumi.secret(SECRET_VALUE) } });
      return { token: pulumi.secret(SECRET_VALUE), vault: vault.name };
    });
    const preview = await engine.preview(spec);
    expect(JSON.stringify(preview)).to.not.include(SECRET_VALUE);
    expect(JSON.stringify(preview)).to.include("[secret]");
    const up = await engine.up(spec);
    expect(JSON.stringify(up)).to.not.include(SECRET_VALUE);
    expect(up.outputs["token"]).to.equal("[secret]");
    for (const file of ["stacks/dev-a-global.json", "azure/subscription.json"]) {
      const text = await readFile(path.join(stateDir, file), "utf8");
      expect(text, file).to.not.include(SECRET_VALUE);
      expect(text, file).to.include("[secret]");
    }
  });

  const frontDoorLogs = (stack: string, destination: "Dedicated" | undefined) =>
    program(stack, () => {
      const rg = new resources.ResourceGroup("rg", { resourceGroupName: `rg-${stack}` });
      const log = new operationalinsights.Workspace("log", { resourceGroupName: rg.name, workspaceName: `log-${stack}` });
      const profile = new cdn.Profile("afd", { resourceGroupName: rg.name, profileName: `afd-${stack}`, location: "global", sku: { name: "Premium_AzureFrontDoor" } });
      new monitor.DiagnosticSetting("diag", {
        name: "diag-afd",
        resourceUri: profile.id,
        workspaceId: log.id,
        ...(destination ? { logAnalyticsDestinationType: destination } : {}),
        logs: [{ category: "FrontDoorAccessLog", enabled: true }],
      });
      return {};
    });

  it("stores resources as Azure reads them back: Dedicated on Front Door is a change on every update (defect 6)", async function () {
    await engine.up(frontDoorLogs("dev-a-global", "Dedicated"));
    expect((await engine.up(frontDoorLogs("dev-a-global", "Dedicated"))).changes).to.include({ update: 1 });
    await engine.up(frontDoorLogs("dev-b-global", undefined));
    expect((await engine.up(frontDoorLogs("dev-b-global", undefined))).changes).to.include({ update: 0 });
  });
});
