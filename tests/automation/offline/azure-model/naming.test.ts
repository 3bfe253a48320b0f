import { expect } from "chai";
import { azureNameOf, isGuid } from "../../../../automation/offline/azure-model/naming.js";
import { resourceIdOf } from "../../../../automation/offline/azure-model/resource-id.js";

/**
 * azure-native's auto-naming (provider.go getDefaultName): logical name + 8 hex for `random`, a GUID
 * only for `format: uuid` path parameters, the logical name itself for `copy`. No other uniqueness.
 */
describe("offline Azure model: names as azure-native gives them", function () {
  const sub = "00000000-0000-4000-8000-00000000c0de";

  it("keeps an explicit name input as is", function () {
    expect(azureNameOf({ type: "azure-native:storage:StorageAccount", name: "st", inputs: { accountName: "stshoes1" } }, "a")).to.equal("stshoes1");
  });

  it("random: the logical name plus 8 hex characters, stable per stack and resource", function () {
    const r = { type: "azure-native:monitor:ActionGroup", name: "ag", inputs: {} };
    const name = azureNameOf(r, "prod-global");
    expect(name).to.match(/^ag[0-9a-f]{8}$/);
    expect(azureNameOf(r, "prod-global")).to.equal(name);
  });

  it("uuid: a GUID for roleAssignmentName (format: uuid)", function () {
    const name = azureNameOf({ type: "azure-native:authorization:RoleAssignment", name: "ra-acr-pull", inputs: {} }, "prod-weu-r1");
    expect(isGuid(name), name).to.equal(true);
  });

  it("copy: a Cosmos DB SQL role assignment without roleAssignmentId is named by its logical name, in every stack", function () {
    const r = { type: "azure-native:cosmosdb:SqlResourceSqlRoleAssignment", name: "cosmos-data-contributor", inputs: { accountName: "cosmos-shoes-prod", resourceGroupName: "rg-global" } };
    expect(azureNameOf(r, "prod-weu-r1")).to.equal("cosmos-data-contributor");
    // Two stamps therefore address the same Azure resource: the same id, no invented uniqueness.
    expect(resourceIdOf(r, "prod-weu-r1", sub)).to.equal(resourceIdOf(r, "prod-neu-r1", sub));
  });
});

describe("offline Azure model: resource IDs", function () {
  const sub = "00000000-0000-4000-8000-00000000c0de";

  it("a resource group hangs under the subscription", function () {
    expect(resourceIdOf({ type: "azure-native:resources:ResourceGroup", name: "rg", inputs: { resourceGroupName: "rg-a" } }, "s", sub)).to.equal(`/subscriptions/${sub}/resourceGroups/rg-a`);
  });

  it("a child resource carries its parents' names in its path", function () {
    const id = resourceIdOf(
      { type: "azure-native:cosmosdb:SqlResourceSqlContainer", name: "c", inputs: { resourceGroupName: "rg", accountName: "acct", databaseName: "shoes", containerName: "orders" } },
      "s",
      sub,
    );
    expect(id).to.equal(`/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.DocumentDB/databaseAccounts/acct/sqlDatabases/shoes/containers/orders`);
  });

  it("an extension resource hangs under the resource it extends", function () {
    const target = `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv1`;
    expect(resourceIdOf({ type: "azure-native:monitor:DiagnosticSetting", name: "d", inputs: { name: "diag", resourceUri: target } }, "s", sub)).to.equal(
      `${target}/providers/Microsoft.Insights/diagnosticSettings/diag`,
    );
  });

  it("the v2 token of a type gives the same id as its v3 token", function () {
    const inputs = { resourceGroupName: "rg", accountName: "acct" };
    expect(resourceIdOf({ type: "azure-native:documentdb:DatabaseAccount", name: "a", inputs }, "s", sub)).to.equal(
      resourceIdOf({ type: "azure-native:cosmosdb:DatabaseAccount", name: "a", inputs }, "s", sub),
    );
  });

  it("refuses a type it does not know, saying where to describe it", function () {
    expect(() => resourceIdOf({ type: "azure-native:compute:VirtualMachine", name: "vm", inputs: { resourceGroupName: "rg" } }, "s", sub)).to.throw(/does not know azure-native:compute:VirtualMachine/);
  });

  it("refuses a resource without a parent name it needs", function () {
    expect(() => resourceIdOf({ type: "azure-native:keyvault:Secret", name: "s", inputs: { resourceGroupName: "rg", secretName: "x" } }, "s", sub)).to.throw(/missing required property 'vaultName'/);
  });
});
