import { expect } from "chai";
import type { PlannedResource } from "../../../../automation/engine/port.js";
import { NetworkModel, addressMatches } from "../../../../automation/offline/network/reachability.js";

/**
 * The offline network model's rules one by one (automation/offline/network/reachability.ts): what a
 * caller outside every private network (the machine running `contoso`) and a caller inside a vnet
 * reach, from the inputs the stacks recorded, with Azure's answers.
 */

const SUB = "/subscriptions/00000000-0000-4000-8000-00000000c0de";
const RUNNER = { from: "internet" as const, address: "203.0.113.10" };
const STAMP_VNET = "rg-shoes-prod-weu-r1/vnet-shoes-prod-weu-r1";
const OTHER_VNET = "rg-shoes-prod-neu-r1/vnet-shoes-prod-neu-r1";

const storage = (name: string, inputs: Record<string, unknown>): PlannedResource => ({
  type: "azure-native:storage:StorageAccount",
  name: "kill-switch-storage",
  inputs: { accountName: name, resourceGroupName: "rg-shoes-prod-global", ...inputs },
});
const accountId = (name: string) => `${SUB}/resourceGroups/rg-shoes-prod-global/providers/Microsoft.Storage/storageAccounts/${name}`;

/** A stamp's private endpoint, in the form the mocks record it: the subnet id does not name the vnet, the Subnet resource does. */
const stampWithEndpointTo = (target: string): PlannedResource[] => [
  { type: "azure-native:network:VirtualNetwork", name: "vnet", inputs: { virtualNetworkName: "vnet-shoes-prod-weu-r1", resourceGroupName: "rg-shoes-prod-weu-r1" } },
  { type: "azure-native:network:Subnet", name: "snet-pep", inputs: { subnetName: "snet-pep", virtualNetworkName: "vnet-shoes-prod-weu-r1", resourceGroupName: "rg-shoes-prod-weu-r1" } },
  {
    type: "azure-native:network:PrivateEndpoint",
    name: "pep-blob",
    inputs: {
      resourceGroupName: "rg-shoes-prod-weu-r1",
      subnet: { id: `${SUB}/resourceGroups/rg-shoes-prod-weu-r1/providers/Microsoft.Network/subnets/snet-pep` },
      privateLinkServiceConnections: [{ name: "pep", privateLinkServiceId: target, groupIds: ["blob"] }],
    },
  },
];

describe("offline network model: data-plane reachability", () => {
  describe("a storage account with public network access disabled (prod's kill-switch account)", () => {
    const locked = storage("stshoeskillprod", { publicNetworkAccess: "Disabled", networkRuleSet: { defaultAction: "Deny", bypass: "None" } });
    const model = new NetworkModel([{ resources: [locked] }, { resources: stampWithEndpointTo(accountId("stshoeskillprod")) }]);

    it("refuses the runner as Azure does: 403 AuthorizationFailure, 'This request is not authorized to perform this operation.'", () => {
      const r = model.reach("storage", "stshoeskillprod", RUNNER);
      expect(r).to.deep.include({ allowed: false, status: 403, code: "AuthorizationFailure" });
      expect(r.allowed === false && r.message).to.match(/^This request is not authorized to perform this operation\. \(offline network model: .*public network access is disabled; caller: address 203\.0\.113\.10\)$/);
    });

    it("lets in the vnet that has a private endpoint to it, whatever the public settings", () => {
      expect(model.reach("storage", "stshoeskillprod", { from: "vnet", vnet: STAMP_VNET })).to.deep.equal({ allowed: true, via: "private-endpoint" });
    });

    it("refuses a vnet without a private endpoint to it", () => {
      expect(model.reach("storage", "stshoeskillprod", { from: "vnet", vnet: OTHER_VNET })).to.deep.include({ allowed: false, status: 403 });
    });

    it("counts only automatically approved connections: a manual one is Pending until the owner approves it", () => {
      const manual = stampWithEndpointTo(accountId("stshoeskillprod")).map((r) =>
        r.type === "azure-native:network:PrivateEndpoint"
          ? { ...r, inputs: { ...r.inputs, privateLinkServiceConnections: undefined, manualPrivateLinkServiceConnections: r.inputs["privateLinkServiceConnections"] } }
          : r,
      );
      const pending = new NetworkModel([{ resources: [locked] }, { resources: manual }]);
      expect(pending.reach("storage", "stshoeskillprod", { from: "vnet", vnet: STAMP_VNET }).allowed).to.equal(false);
    });
  });

  describe("a storage account firewall (public access on, default action Deny)", () => {
    const firewalled = storage("stfw", { publicNetworkAccess: "Enabled", networkRuleSet: { defaultAction: "Deny", ipRules: [{ iPAddressOrRange: "198.51.100.0/24", action: "Allow" }] } });
    const model = new NetworkModel([{ resources: [firewalled] }]);

    it("lets in an address in its IP rules", () => {
      expect(model.reach("storage", "stfw", { from: "internet", address: "198.51.100.7" })).to.deep.equal({ allowed: true, via: "public-endpoint" });
    });

    it("refuses any other address with Azure's answer", () => {
      expect(model.reach("storage", "stfw", RUNNER)).to.deep.include({ allowed: false, status: 403, code: "AuthorizationFailure" });
    });
  });

  it("an account open to all networks (dev's) is reached from anywhere; one no stack deployed is not found", () => {
    const model = new NetworkModel([{ resources: [storage("stdev", { publicNetworkAccess: "Enabled", networkRuleSet: { defaultAction: "Allow", bypass: "AzureServices" } })] }]);
    expect(model.reach("storage", "stdev", RUNNER)).to.deep.equal({ allowed: true, via: "public-endpoint" });
    expect(model.reach("storage", "stnone", RUNNER)).to.deep.include({ allowed: false, status: 404 });
  });

  it("Key Vault and Cosmos DB refuse with their own wording", () => {
    const model = new NetworkModel([
      {
        resources: [
          { type: "azure-native:keyvault:Vault", name: "kv", inputs: { vaultName: "kv-prod", resourceGroupName: "rg", properties: { publicNetworkAccess: "Disabled" } } },
          { type: "azure-native:documentdb:DatabaseAccount", name: "cosmos", inputs: { accountName: "cosmos-prod", resourceGroupName: "rg", publicNetworkAccess: "Disabled" } },
          { type: "azure-native:documentdb:DatabaseAccount", name: "cosmos2", inputs: { accountName: "cosmos-fw", resourceGroupName: "rg", ipRules: [{ ipAddressOrRange: "198.51.100.1" }] } },
        ],
      },
    ]);
    const kv = model.reach("keyvault", "kv-prod", RUNNER);
    expect(kv).to.deep.include({ allowed: false, status: 403, code: "ForbiddenByFirewall" });
    expect(kv.allowed === false && kv.message).to.match(/^Client address is not authorized and caller is not a trusted service\./);
    const cosmos = model.reach("cosmos", "cosmos-prod", RUNNER);
    expect(cosmos.allowed === false && cosmos.message).to.match(/^Request originated from IP 203\.0\.113\.10 through public internet\. This is blocked by your Cosmos DB account firewall settings\./);
    // A Cosmos DB account with IP rules denies every other address; one of them gets in.
    expect(model.reach("cosmos", "cosmos-fw", RUNNER).allowed).to.equal(false);
    expect(model.reach("cosmos", "cosmos-fw", { from: "internet", address: "198.51.100.1" }).allowed).to.equal(true);
  });

  it("matches addresses against addresses and CIDRs, IPv4 and IPv6", () => {
    expect(addressMatches("203.0.113.10", ["203.0.113.10"])).to.equal(true);
    expect(addressMatches("203.0.113.10", ["203.0.113.0/24"])).to.equal(true);
    expect(addressMatches("203.0.114.10", ["203.0.113.0/24"])).to.equal(false);
    expect(addressMatches("2001:db8::5", ["2001:db8::/64"])).to.equal(true);
    expect(addressMatches("not-an-ip", ["0.0.0.0/0"])).to.equal(false);
  });
});
