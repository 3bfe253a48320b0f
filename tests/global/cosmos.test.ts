import { expect } from "chai";
import type { GlobalOutputs } from "../../global/contract.js";
import { COSMOS_CONTAINERS, HEALTH_CONTAINER } from "../../global/cosmos-containers.js";
import { prop, type ProgramRun } from "../harness/pulumi.js";
import { blueOrigins, env, runGlobal, TYPES } from "./fixtures.js";

describe("global stack: Cosmos DB", () => {
  describe("prod", () => {
    const prod = env("prod");
    let run: ProgramRun<GlobalOutputs>;
    before(async () => {
      run = await runGlobal(prod, blueOrigins(prod));
    });

    it("has one zone-redundant location per region, the first region as the home (failover priority 0)", () => {
      const account = run.one(TYPES.cosmos);
      expect(account.inputs["locations"]).to.deep.equal([
        { locationName: "westeurope", failoverPriority: 0, isZoneRedundant: true },
        { locationName: "northeurope", failoverPriority: 1, isZoneRedundant: true },
        { locationName: "swedencentral", failoverPriority: 2, isZoneRedundant: true },
      ]);
      expect(account.inputs["location"]).to.equal("westeurope");
    });

    it("writes in every region, fails over automatically, reads with Session consistency", () => {
      const account = run.one(TYPES.cosmos);
      expect(account.inputs).to.include({ enableMultipleWriteLocations: true, enableAutomaticFailover: true, kind: "GlobalDocumentDB" });
      expect(prop(account, "consistencyPolicy.defaultConsistencyLevel")).to.equal("Session");
    });

    it("keeps 30 days of continuous backup, allows no keys and no public network access", () => {
      const account = run.one(TYPES.cosmos);
      expect(account.inputs["backupPolicy"]).to.deep.equal({ type: "Continuous", continuousModeProperties: { tier: "Continuous30Days" } });
      expect(account.inputs).to.include({ disableLocalAuth: true, disableKeyBasedMetadataWriteAccess: true, publicNetworkAccess: "Disabled", minimalTlsVersion: "Tls12" });
      expect(account.inputs["capabilities"]).to.deep.equal([]);
    });

    it("has a globally unique CAF name", () => {
      expect(run.one(TYPES.cosmos).inputs["accountName"]).to.match(/^cosmos-shoes-prod-[a-z0-9]{5}$/);
    });

    it("holds the shoes database with autoscale throughput and the catalog, orders, carts and health containers", () => {
      const database = run.one(TYPES.cosmosDatabase);
      expect(database.inputs).to.include({ databaseName: "shoes", accountName: run.one(TYPES.cosmos).outputs["name"] });
      expect(prop(database, "options.autoscaleSettings.maxThroughput")).to.be.a("number").greaterThan(0);
      const containers: Record<string, Record<string, unknown>> = Object.fromEntries(
        run.ofType(TYPES.cosmosContainer).map((c) => [String(c.inputs["containerName"]), c.inputs]),
      );
      expect(Object.keys(containers).sort()).to.deep.equal(["carts", "catalog", "health", "orders"]);
      const key = (name: string) => (containers[name]!["resource"] as { partitionKey: { paths: string[]; kind: string; version: number } }).partitionKey;
      expect(key("catalog")).to.deep.equal({ paths: ["/productId"], kind: "Hash", version: 2 });
      expect(key("orders")).to.deep.equal({ paths: ["/customerId"], kind: "Hash", version: 2 });
      expect(key("carts")).to.deep.equal({ paths: ["/cartId"], kind: "Hash", version: 2 });
      expect((containers["carts"]!["resource"] as { defaultTtl?: number }).defaultTtl).to.be.greaterThan(0);
      // Health documents are short-lived: per-document ttl needs the container's TTL on, and the
      // container's own TTL clears documents of instances that are gone.
      expect(key("health")).to.deep.equal({ paths: ["/id"], kind: "Hash", version: 2 });
      const healthTtl = (containers["health"]!["resource"] as { defaultTtl?: number }).defaultTtl;
      expect(healthTtl).to.equal(HEALTH_CONTAINER.defaultTtlSeconds).and.be.within(300, 24 * 3600);
      for (const c of Object.values(containers)) expect(c["databaseName"]).to.equal("shoes");
    });

    it("reports the endpoint, account id, name and database name", () => {
      const account = run.one(TYPES.cosmos);
      expect(run.outputs.cosmosAccountId).to.equal(account.id);
      expect(run.outputs.cosmosAccountName).to.equal(account.outputs["name"]);
      expect(run.outputs.cosmosEndpoint).to.equal(`https://${account.outputs["name"]}.documents.azure.com:443/`);
      expect(run.outputs.cosmosDatabaseName).to.equal("shoes");
    });
  });

  describe("dev", () => {
    const dev = env("dev");
    let run: ProgramRun<GlobalOutputs>;
    before(async () => {
      run = await runGlobal(dev, blueOrigins(dev));
    });

    it("is a serverless single-region account without zone redundancy, open to the network, keys still off", () => {
      const account = run.one(TYPES.cosmos);
      expect(account.inputs["locations"]).to.deep.equal([{ locationName: "westeurope", failoverPriority: 0, isZoneRedundant: false }]);
      expect(account.inputs["capabilities"]).to.deep.equal([{ name: "EnableServerless" }]);
      expect(account.inputs).to.include({ enableMultipleWriteLocations: false, publicNetworkAccess: "Enabled", disableLocalAuth: true });
      expect(account.inputs["backupPolicy"]).to.deep.equal({ type: "Continuous", continuousModeProperties: { tier: "Continuous7Days" } });
      expect(prop(account, "consistencyPolicy.defaultConsistencyLevel")).to.equal("Session");
    });

    it("sets no throughput on a serverless database", () => {
      expect(run.one(TYPES.cosmosDatabase).inputs["options"]).to.equal(undefined);
      expect(run.ofType(TYPES.cosmosContainer)).to.have.length(COSMOS_CONTAINERS.length);
    });
  });
});
