import { expect } from "chai";
import { AzureRefusal, AzureSubscription } from "../../../../automation/offline/azure-model/subscription.js";
import { freshSubscription, res, rgId } from "./world.js";

/** What expecting a refusal looks like: the update fails with Azure's message. */
async function refused(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).to.be.instanceOf(AzureRefusal);
    return (err as Error).message;
  }
  throw new Error("expected Azure to refuse the update");
}

describe("offline Azure model: one subscription for every stack", function () {
  let world: Awaited<ReturnType<typeof freshSubscription>>;
  beforeEach(async () => (world = await freshSubscription()));
  afterEach(async () => world.cleanup());

  describe("resource IDs", function () {
    const queue = (stackName: string) => res("servicebus:Queue", `q-${stackName}`, { resourceGroupName: "rg-shared", namespaceName: "sb-shared", queueName: "orders" });

    it("refuses a create whose Azure resource ID another stack already manages, with azure-native's message", async function () {
      await world.azure.apply("a", [queue("a")]);
      const message = await refused(world.azure.apply("b", [queue("b")]));
      expect(message).to.include("cannot create already existing resource").and.include("/namespaces/sb-shared/queues/orders").and.include("stack a");
    });

    it("refuses two resources of one stack with the same ID", async function () {
      const message = await refused(world.azure.apply("a", [queue("a"), { ...queue("a"), name: "second" }]));
      expect(message).to.include("cannot create already existing resource");
    });

    it("lets a stack update its own resources", async function () {
      await world.azure.apply("a", [queue("a")]);
      await world.azure.apply("a", [queue("a")]);
      expect((await world.azure.read()).resources).to.have.length(1);
    });

    it("frees the IDs of a destroyed stack, and of resources a stack no longer declares", async function () {
      await world.azure.apply("a", [queue("a")]);
      await world.azure.release("a");
      await world.azure.apply("b", [queue("b")]);
      await world.azure.apply("b", []);
      await world.azure.apply("c", [queue("c")]);
      expect((await world.azure.read()).resources.map((r) => r.stack)).to.deep.equal(["c"]);
    });

    it("is shared through the state folder: another process (another instance) sees the same subscription", async function () {
      await world.azure.apply("a", [queue("a")]);
      const other = new AzureSubscription(world.dir);
      await refused(other.apply("b", [queue("b")]));
    });

    it("a refused update changes nothing", async function () {
      await world.azure.apply("a", [queue("a")]);
      const before = await world.azure.read();
      const vnet = res("network:VirtualNetwork", "vnet", { resourceGroupName: "rg-b", virtualNetworkName: "vnet-b" });
      await refused(world.azure.apply("b", [vnet, queue("b")]));
      expect(await world.azure.read()).to.deep.equal(before);
    });

    it("serialises concurrent updates of many stacks (one lock for the subscription)", async function () {
      await Promise.all(["a", "b", "c", "d"].map((s) => world.azure.apply(s, [res("network:VirtualNetwork", "vnet", { resourceGroupName: `rg-${s}`, virtualNetworkName: "vnet" })])));
      expect((await world.azure.read()).resources.map((r) => r.stack).sort()).to.deep.equal(["a", "b", "c", "d"]);
    });
  });

  describe("globally unique names", function () {
    const cases: { what: string; make: (rg: string) => ReturnType<typeof res>; wording: RegExp }[] = [
      { what: "storage account", make: (rg) => res("storage:StorageAccount", "st", { resourceGroupName: rg, accountName: "stshoes1" }), wording: /StorageAccountAlreadyTaken: The storage account named stshoes1 is already taken/ },
      { what: "Key Vault", make: (rg) => res("keyvault:Vault", "kv", { resourceGroupName: rg, vaultName: "kv-shoes-1" }), wording: /VaultAlreadyExists: The vault name 'kv-shoes-1' is already in use/ },
      { what: "container registry", make: (rg) => res("containerregistry:Registry", "cr", { resourceGroupName: rg, registryName: "crshoes1" }), wording: /AlreadyInUse: The registry DNS name crshoes1.azurecr.io is already in use/ },
      { what: "Cosmos DB account", make: (rg) => res("cosmosdb:DatabaseAccount", "cosmos", { resourceGroupName: rg, accountName: "cosmos-shoes-1" }), wording: /Dns record for cosmos-shoes-1 under zone Document is already taken/ },
      { what: "web app host", make: (rg) => res("web:WebApp", "app", { resourceGroupName: rg, name: "app-shoes-1" }), wording: /Website with given name app-shoes-1 already exists/ },
      { what: "Service Bus namespace", make: (rg) => res("servicebus:Namespace", "sb", { resourceGroupName: rg, namespaceName: "sb-shoes-1" }), wording: /sb-shoes-1.servicebus.windows.net/ },
      {
        what: "Front Door endpoint host (TenantReuse: same name in the tenant, same host)",
        make: (rg) => res("cdn:AFDEndpoint", "fde", { resourceGroupName: rg, profileName: `afd-${rg}`, endpointName: "fde-shoes" }),
        wording: /the endpoint host name fde-shoes-[a-z0-9]{16}\.z01\.azurefd\.net is already in use/,
      },
    ];
    for (const c of cases) {
      it(`refuses a ${c.what} already taken in another resource group and stack`, async function () {
        await world.azure.apply("a", [c.make("rg-a")]);
        expect(await refused(world.azure.apply("b", [c.make("rg-b")]))).to.match(c.wording);
      });
    }

    it("frees a global name when its stack is destroyed", async function () {
      await world.azure.apply("a", [cases[0]!.make("rg-a")]);
      await world.azure.release("a");
      await world.azure.apply("b", [cases[0]!.make("rg-b")]);
    });

    it("Front Door NoReuse endpoints of the same name get different hosts", async function () {
      const fde = (rg: string) => res("cdn:AFDEndpoint", "fde", { resourceGroupName: rg, profileName: `afd-${rg}`, endpointName: "fde-shoes", autoGeneratedDomainNameLabelScope: "NoReuse" });
      await world.azure.apply("a", [fde("rg-a")]);
      await world.azure.apply("b", [fde("rg-b")]);
    });
  });

  describe("per-resource rules", function () {
    const cosmosAccount = (more: Record<string, unknown>) =>
      res("cosmosdb:DatabaseAccount", "cosmos", { resourceGroupName: "rg", accountName: "cosmos-x", locations: [{ locationName: "westeurope" }, { locationName: "northeurope" }], ...more });

    it("refuses a role assignment whose name is not a GUID", async function () {
      const ra = res("authorization:RoleAssignment", "ra", { roleAssignmentName: "reader", scope: rgId("rg"), principalId: "p", roleDefinitionId: "r" });
      expect(await refused(world.azure.apply("a", [ra]))).to.include("InvalidRoleAssignmentId: The role assignment ID 'reader' is not valid. The role assignment ID must be a GUID.");
    });

    it("refuses a Cosmos DB SQL role assignment whose id is not a GUID (azure-native sends the logical name)", async function () {
      const ra = res("cosmosdb:SqlResourceSqlRoleAssignment", "cosmos-data-contributor", { resourceGroupName: "rg", accountName: "cosmos-x", principalId: "p", roleDefinitionId: "d", scope: "s" });
      expect(await refused(world.azure.apply("a", [ra]))).to.include("The provided role assignment ID 'cosmos-data-contributor' is not a valid GUID");
    });

    it("accepts a Cosmos DB SQL role assignment with a GUID id", async function () {
      const ra = res("cosmosdb:SqlResourceSqlRoleAssignment", "x", { resourceGroupName: "rg", accountName: "cosmos-x", roleAssignmentId: "7aa7cce9-e233-5c2f-a8d7-26764eafd2f3" });
      await world.azure.apply("a", [ra]);
    });

    it("refuses a workbook whose resource name is not a GUID", async function () {
      const wb = res("applicationinsights:Workbook", "wb", { resourceGroupName: "rg", resourceName: "health", serializedData: "{}" });
      expect(await refused(world.azure.apply("a", [wb]))).to.include("must be a GUID");
    });

    it("accepts continuous backup with multi-region writes (NoSQL)", async function () {
      await world.azure.apply("a", [cosmosAccount({ enableMultipleWriteLocations: true, backupPolicy: { type: "Continuous", continuousModeProperties: { tier: "Continuous30Days" } } })]);
    });

    it("refuses continuous backup for API for Cassandra", async function () {
      const message = await refused(world.azure.apply("a", [cosmosAccount({ capabilities: [{ name: "EnableCassandra" }], backupPolicy: { type: "Continuous" } })]));
      expect(message).to.include("Continuous backup mode is not supported for API for Cassandra");
    });

    it("refuses strong consistency with multiple write locations", async function () {
      const message = await refused(world.azure.apply("a", [cosmosAccount({ enableMultipleWriteLocations: true, consistencyPolicy: { defaultConsistencyLevel: "Strong" } })]));
      expect(message).to.include("Strong consistency is not supported with multiple write locations");
    });

    it("refuses a serverless account in more than one region", async function () {
      const message = await refused(world.azure.apply("a", [cosmosAccount({ capabilities: [{ name: "EnableServerless" }] })]));
      expect(message).to.include("Serverless accounts support a single region only");
    });
  });
});
