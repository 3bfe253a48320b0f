import { expect } from "chai";
import { InputError, loadEnvironment } from "../../environments/index.js";
import { MOCK_SUBSCRIPTION } from "../../automation/offline/azure-mocks.js";
import type { RecordedResource } from "../../automation/offline/mock-runner.js";
import { prop } from "../harness/pulumi.js";
import { accessRestrictions, validateCidr } from "../../stamp/access-restrictions.js";
import { BUILT_IN_ROLES } from "../../stamp/roles.js";
import { PROBE_ALLOW_LIST, runStamp, stampArgs, stampRun, T } from "./fixtures.js";

/** Inputs that open a resource to the internet, wherever a service names them. */
const PUBLIC_ACCESS_KEY = /^publicNetworkAccess/i;

/**
 * Resources that stay reachable from the internet even in an isolated environment, and why.
 * The web app: Front Door reaches its origins over the internet; access restrictions (tested
 * below) admit only this environment's Front Door and the probe allow-list.
 * The Log Analytics workspace and Application Insights: telemetry ingestion and operators'
 * queries; private access to Azure Monitor needs a Private Link Scope, which takes over the
 * monitor DNS names of every network it is linked to, so it is not a per-stamp decision.
 */
const PUBLIC_BY_DESIGN = new Set<string>([T.webApp, T.workspace, T.appInsights]);

function publicAccessInputs(resource: RecordedResource): [string, unknown][] {
  const found: [string, unknown][] = [];
  const walk = (value: unknown, path: string) => {
    if (value === null || typeof value !== "object") return;
    for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
      if (PUBLIC_ACCESS_KEY.test(key)) found.push([`${path}${key}`, inner]);
      walk(inner, `${path}${key}.`);
    }
  };
  walk(resource.inputs, "");
  return found;
}

/** A specific resource id: `/subscriptions/<s>/resourceGroups/<g>/providers/<ns>/<type>/<name>[/<child>/<name>...]`. */
const RESOURCE_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/[^/]+\/[^/]+\/[^/]+(\/[^/]+\/[^/]+)*$/;

for (const envName of ["prod", "staging", "dev"] as const) {
  describe(`stamp security (${envName})`, function () {
    this.timeout(60_000);
    const env = loadEnvironment(envName);
    const args = stampArgs(envName);

    it(env.network.isolation ? "disables public network access on every resource but the Front Door origin and telemetry ingestion" : "leaves public access on (no isolation asked)", async () => {
      const run = await stampRun(envName);
      const checked = run.resources.filter((r) => publicAccessInputs(r).length > 0);
      // The scan must see the data services, or it proves nothing.
      expect(checked.map((r) => r.type)).to.include.members([T.vault, T.namespace, T.redis]);
      for (const resource of checked) {
        for (const [path, value] of publicAccessInputs(resource)) {
          const label = `${resource.type} ${resource.name} ${path}`;
          if (!env.network.isolation) expect(value, label).to.equal("Enabled");
          else if (PUBLIC_BY_DESIGN.has(resource.type)) expect(value, label).to.equal("Enabled");
          else expect(value, label).to.equal("Disabled");
        }
      }
      if (env.network.isolation) {
        expect(prop(run.one(T.vault), "properties.networkAcls")).to.deep.equal({ defaultAction: "Deny", bypass: "None" });
      }
    });

    it("disables local (key) authentication on the broker and the cache", async () => {
      const run = await stampRun(envName);
      expect(run.one(T.namespace).inputs["disableLocalAuth"]).to.equal(true);
      expect(run.one(T.redisDb).inputs["accessKeysAuthentication"]).to.equal("Disabled");
    });

    it("admits Front Door of this environment, the probe allow-list and nothing else", async () => {
      const run = await stampRun(envName);
      const site = prop(run.one(T.webApp), "siteConfig") as Record<string, unknown>;
      expect(site["ipSecurityRestrictionsDefaultAction"]).to.equal("Deny");
      expect(site["scmIpSecurityRestrictionsDefaultAction"]).to.equal("Deny");
      const rules = site["ipSecurityRestrictions"] as Record<string, unknown>[];
      expect(rules.every((r) => r["action"] === "Allow")).to.equal(true);
      const frontDoor = rules.filter((r) => r["tag"] === "ServiceTag");
      expect(frontDoor).to.have.length(1);
      expect(frontDoor[0]).to.include({ ipAddress: "AzureFrontDoor.Backend" });
      expect(frontDoor[0]!["headers"]).to.deep.equal({ "x-azure-fdid": [args.global.frontDoorId] });
      const cidrs = rules.filter((r) => r["tag"] !== "ServiceTag").map((r) => r["ipAddress"]);
      expect(cidrs).to.deep.equal(PROBE_ALLOW_LIST);
      const priorities = rules.map((r) => r["priority"] as number);
      expect(new Set(priorities).size).to.equal(priorities.length);
    });

    it("grants the web app's identity only the expected roles, each on exactly one resource", async () => {
      const run = await stampRun(envName);
      const principal = run.one(T.identity).outputs["principalId"];
      const vault = run.one(T.vault);
      const orders = run.one(T.queue, "sbq-orders");
      const health = run.one(T.queue, "sbq-health");
      const roleDef = (guid: string) => `/subscriptions/${MOCK_SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;

      const assignments = run.ofType(T.roleAssignment);
      for (const a of assignments) {
        expect(a.inputs["principalId"], a.name).to.equal(principal);
        expect(a.inputs["principalType"], a.name).to.equal("ServicePrincipal");
        expect(a.inputs["scope"], a.name).to.match(RESOURCE_ID);
        expect(Object.values(BUILT_IN_ROLES).map(roleDef), a.name).to.include(a.inputs["roleDefinitionId"]);
      }
      const pairs = assignments.map((a) => `${a.inputs["roleDefinitionId"]} @ ${a.inputs["scope"]}`).sort();
      expect(pairs).to.deep.equal(
        [
          `${roleDef(BUILT_IN_ROLES.acrPull)} @ ${args.global.registryId}`,
          `${roleDef(BUILT_IN_ROLES.keyVaultSecretsUser)} @ ${vault.id}`,
          `${roleDef(BUILT_IN_ROLES.serviceBusDataSender)} @ ${orders.id}`,
          `${roleDef(BUILT_IN_ROLES.serviceBusDataReceiver)} @ ${orders.id}`,
          `${roleDef(BUILT_IN_ROLES.serviceBusDataSender)} @ ${health.id}`,
          // Its own kill switch's container, not the account: it reads switches, it cannot see other accounts' data.
          `${roleDef(BUILT_IN_ROLES.storageBlobDataReader)} @ ${args.global.killSwitchStorageAccountId}/blobServices/default/containers/${args.global.killSwitchContainerName}`,
          // Publishes telemetry to its own Application Insights, which takes Entra ID only.
          `${roleDef(BUILT_IN_ROLES.monitoringMetricsPublisher)} @ ${run.one(T.appInsights).id}`,
        ].sort(),
      );

      const cosmos = run.one(T.cosmosRoleAssignment);
      expect(cosmos.inputs).to.include({
        accountName: args.global.cosmosAccountName,
        resourceGroupName: args.global.resourceGroupName,
        principalId: principal,
        roleDefinitionId: `${args.global.cosmosAccountId}/sqlRoleDefinitions/00000000-0000-0000-0000-000000000002`,
        scope: `${args.global.cosmosAccountId}/dbs/${args.global.cosmosDatabaseName}`,
      });

      const redis = run.one(T.redisAccess);
      expect(redis.inputs).to.include({ accessPolicyName: "default", clusterName: run.one(T.redis).outputs["name"], databaseName: "default" });
      expect(prop(redis, "user.objectId")).to.equal(principal);
    });

    it(env.network.isolation ? "reaches Cosmos DB, Key Vault, Service Bus, Redis and the kill-switch blobs through private endpoints with private DNS" : "has no private endpoints", async () => {
      const run = await stampRun(envName);
      const endpoints = run.ofType(T.privateEndpoint);
      if (!env.network.isolation) {
        for (const type of [T.privateEndpoint, T.privateZone, T.vnetLink, T.zoneGroup]) expect(run.ofType(type), type).to.have.length(0);
        return;
      }
      const expected: Record<string, { target: string; group: string; zone: string }> = {
        cosmos: { target: args.global.cosmosAccountId, group: "Sql", zone: "privatelink.documents.azure.com" },
        kv: { target: run.one(T.vault).id, group: "vault", zone: "privatelink.vaultcore.azure.net" },
        sb: { target: run.one(T.namespace).id, group: "namespace", zone: "privatelink.servicebus.windows.net" },
        redis: { target: run.one(T.redis).id, group: "redisEnterprise", zone: "privatelink.redis.azure.net" },
        blob: { target: args.global.killSwitchStorageAccountId, group: "blob", zone: "privatelink.blob.core.windows.net" },
      };
      expect(endpoints).to.have.length(5);
      const endpointSubnet = run.one(T.subnet, "snet-endpoints").id;
      for (const [service, want] of Object.entries(expected)) {
        const pep = run.one(T.privateEndpoint, `pep-${service}`);
        expect(prop(pep, "subnet.id")).to.equal(endpointSubnet);
        expect(prop(pep, "privateLinkServiceConnections")).to.have.length(1);
        expect((prop(pep, "privateLinkServiceConnections") as Record<string, unknown>[])[0]).to.deep.include({
          privateLinkServiceId: want.target,
          groupIds: [want.group],
        });
        const zone = run.one(T.privateZone, `pdns-${service}`);
        expect(zone.inputs).to.include({ privateZoneName: want.zone, location: "global" });
        const link = run.one(T.vnetLink, `pdns-link-${service}`);
        expect(link.inputs).to.include({ privateZoneName: want.zone, registrationEnabled: false });
        expect(prop(link, "virtualNetwork.id")).to.equal(run.one(T.vnet).id);
        const group = run.one(T.zoneGroup, `pdns-group-${service}`);
        expect(group.inputs["privateEndpointName"]).to.equal(pep.outputs["name"]);
        expect((prop(group, "privateDnsZoneConfigs") as Record<string, unknown>[]).map((c) => c["privateDnsZoneId"])).to.deep.equal([zone.id]);
      }
    });

    it("uses no retiring service, SKU or API", async () => {
      const run = await stampRun(envName);
      const types = run.resources.map((r) => r.type);
      // Azure Cache for Redis (`cache` module) and classic (non-workspace) alerts/insights resources.
      expect(types.filter((t) => /^azure-native:cache:/.test(t))).to.deep.equal([]);
      expect(types.filter((t) => /^azure-native:insights:/.test(t))).to.deep.equal([]);
      for (const component of run.ofType(T.appInsights)) {
        expect(component.inputs["workspaceResourceId"], "classic Application Insights").to.be.a("string").and.not.equal("");
        expect(component.inputs["ingestionMode"]).to.equal("LogAnalytics");
      }
      const sku = prop(run.one(T.plan), "sku.name") as string;
      if (env.class === "production") expect(sku).to.match(/^P\d+m?v3$/);
      else expect(sku).not.to.match(/^P\d+v2$|^P\d$/);
    });
  });
}

describe("stamp security inputs", () => {
  it("accepts IPv4 and IPv6 CIDRs and refuses anything else with an InputError", () => {
    expect(validateCidr("203.0.113.10/32")).to.equal("203.0.113.10/32");
    expect(validateCidr(" 2001:db8::/64 ")).to.equal("2001:db8::/64");
    for (const bad of ["203.0.113.10", "203.0.113.10/33", "2001:db8::/129", "example.com/24", "10.0.0.0/8/1", "", "0.0.0.0/x"]) {
      expect(() => validateCidr(bad), bad).to.throw(InputError);
    }
  });

  it("puts Front Door first and de-duplicates the allow-list", () => {
    const rules = accessRestrictions("fdid", ["198.51.100.0/28", "198.51.100.0/28"]);
    expect(rules.map((r) => r.name)).to.deep.equal(["front-door", "release-probe-1"]);
  });

  it("refuses isolation with a Service Bus SKU that has no private endpoints", async function () {
    this.timeout(60_000);
    const base = stampArgs("staging");
    const env = { ...base.env, serviceBus: { ...base.env.serviceBus, sku: "Standard" as const, zoneRedundant: false } };
    let error: unknown;
    try {
      await runStamp({ ...base, env });
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(InputError);
    expect((error as Error).message).to.match(/isolation needs serviceBus.sku Premium/);
  });
});
