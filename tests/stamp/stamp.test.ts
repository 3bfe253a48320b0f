import { expect } from "chai";
import { loadEnvironment } from "../../environments/index.js";
import { TAG } from "../../environments/stacks.js";
import { prop } from "../harness/pulumi.js";
import { APP_SETTING } from "../../stamp/app-settings.js";
import { EXTERNAL_SECRETS } from "../../stamp/key-vault.js";
import { ORDERS_QUEUE } from "../../stamp/messaging.js";
import { runStamp, stampArgs, stampRun, T, unwrapSecret } from "./fixtures.js";

type Setting = { name: string; value: string };

for (const envName of ["prod", "dev"] as const) {
  describe(`stamp program (${envName})`, function () {
    this.timeout(60_000);
    const env = loadEnvironment(envName);
    const args = stampArgs(envName);
    const prodLike = envName === "prod";

    it("outputs the stack name, host, health URL, region, release and resource group", async () => {
      const run = await stampRun(envName);
      const app = run.one(T.webApp);
      expect(run.outputs.stack).to.equal(`${envName}-weu-r42`);
      expect(run.outputs.region).to.equal("westeurope");
      expect(run.outputs.release).to.equal("r42");
      expect(run.outputs.resourceGroupName).to.equal(`rg-shoes-${envName}-weu-r42`);
      expect(run.outputs.webAppName).to.equal(app.outputs["name"]);
      expect(run.outputs.webAppHostName).to.equal(app.outputs["defaultHostName"]);
      expect(run.outputs.healthUrl).to.equal(`https://${run.outputs.webAppHostName}/health/stamp`);
      expect(run.outputs.ordersQueue).to.equal("orders");
      expect(run.outputs.serviceBusNamespace).to.equal(run.one(T.namespace).outputs["name"]);
    });

    it("is one Stamp component whose resources all sit in the stamp's own resource group", async () => {
      const run = await stampRun(envName);
      expect(run.resources.filter((r) => r.type === "contoso:stamp:Stamp")).to.have.length(1);
      const rg = run.one(T.resourceGroup);
      expect(rg.inputs).to.include({ resourceGroupName: `rg-shoes-${envName}-weu-r42`, location: "westeurope" });
      const elsewhere = run.resources.filter(
        (r) => typeof r.inputs["resourceGroupName"] === "string" && r.inputs["resourceGroupName"] !== rg.inputs["resourceGroupName"],
      );
      // Only the Cosmos DB role assignment (on the global account) lives in the global resource group;
      // it goes with the stamp. The kill-switch blob is the driver's (automation/stacks/kill-switch.ts).
      expect(elsewhere.map((r) => r.type)).to.deep.equal([T.cosmosRoleAssignment]);
      for (const r of elsewhere) expect(r.inputs["resourceGroupName"], r.type).to.equal(args.global.resourceGroupName);
    });

    it("tags every taggable resource with the environment's tags and the stamp's facts", async () => {
      const run = await stampRun(envName);
      const tagged = run.resources.filter((r) => r.custom && r.inputs["tags"] !== undefined);
      expect(tagged.length).to.be.greaterThan(10);
      for (const type of [T.resourceGroup, T.vnet, T.plan, T.webApp, T.vault, T.namespace, T.redis, T.workspace, T.appInsights]) {
        expect(tagged.map((r) => r.type), type).to.include(type);
      }
      for (const r of tagged) {
        // Saved searches take their tags as a list of {name, value}.
        const raw = r.inputs["tags"];
        const tags = Array.isArray(raw) ? Object.fromEntries((raw as { name: string; value: string }[]).map((t) => [t.name, t.value])) : (raw as Record<string, string>);
        expect(tags, `${r.type} ${r.name}`).to.include({
          ...env.tags,
          [TAG.env]: envName,
          [TAG.kind]: "stamp",
          [TAG.region]: "westeurope",
          [TAG.release]: "r42",
          [TAG.owner]: "release-pipeline",
          [TAG.createdAt]: "2026-03-01T10:00:00.000Z",
        });
        if (env.ephemeral) expect(tags[TAG.expiresAt]).to.equal("2026-03-01T18:00:00.000Z");
        else expect(tags).not.to.have.property(TAG.expiresAt);
      }
    });

    it("has a vnet from the environment's range with a delegated integration subnet and an endpoint subnet", async () => {
      const run = await stampRun(envName);
      expect(prop(run.one(T.vnet), "addressSpace.addressPrefixes")).to.deep.equal([env.network.addressSpace]);
      const apps = run.one(T.subnet, "snet-apps");
      const pep = run.one(T.subnet, "snet-endpoints");
      expect(prop(apps, "delegations")).to.deep.equal([{ name: "app-service", serviceName: "Microsoft.Web/serverFarms" }]);
      const base = env.network.addressSpace.split(".").slice(0, 2).join(".");
      expect(apps.inputs["addressPrefix"]).to.match(new RegExp(`^${base.replace(/\./g, "\\.")}\\.\\d+\\.0/24$`));
      expect(pep.inputs["addressPrefix"]).to.not.equal(apps.inputs["addressPrefix"]);
      expect(prop(pep, "networkSecurityGroup.id")).to.equal(run.one(T.nsg).id);
      expect(pep.inputs["privateEndpointNetworkPolicies"]).to.equal("Enabled");
    });

    it("runs a Linux App Service plan sized and zoned as the environment says", async () => {
      const run = await stampRun(envName);
      const plan = run.one(T.plan);
      expect(plan.inputs).to.include({ reserved: true, kind: "linux", zoneRedundant: env.appService.zoneRedundant });
      expect(prop(plan, "sku.name")).to.equal(env.appService.skuName);
      expect(prop(plan, "sku.capacity")).to.equal(env.appService.minInstances);
      if (prodLike) {
        expect(plan.inputs["zoneRedundant"]).to.equal(true);
        expect(prop(plan, "sku.capacity")).to.be.at.least(3);
        expect(prop(plan, "sku.name")).to.match(/v3$/);
      }
    });

    it(prodLike ? "autoscales on CPU and HTTP queue between the environment's bounds" : "has no autoscale setting on a Basic plan", async () => {
      const run = await stampRun(envName);
      const settings = run.ofType(T.autoscale);
      if (!prodLike) {
        expect(env.appService.skuName).to.match(/^B/);
        expect(settings).to.have.length(0);
        return;
      }
      const autoscale = run.one(T.autoscale);
      const plan = run.one(T.plan);
      expect(autoscale.inputs).to.include({ targetResourceUri: plan.id, enabled: true });
      const profile = (autoscale.inputs["profiles"] as Record<string, any>[])[0]!;
      expect(profile["capacity"]).to.deep.equal({
        minimum: String(env.appService.minInstances),
        maximum: String(env.appService.maxInstances),
        default: String(env.appService.minInstances),
      });
      const rules = profile["rules"] as { metricTrigger: Record<string, any>; scaleAction: Record<string, any> }[];
      const out = rules.filter((r) => r.scaleAction["direction"] === "Increase");
      const cpu = out.find((r) => r.metricTrigger["metricName"] === "CpuPercentage");
      const queue = out.find((r) => r.metricTrigger["metricName"] === "HttpQueueLength");
      expect(cpu?.metricTrigger).to.include({ operator: "GreaterThan", threshold: env.appService.cpuScaleOutPercent, metricResourceUri: plan.id });
      expect(queue?.metricTrigger).to.include({ operator: "GreaterThan", threshold: env.appService.httpQueueScaleOut, metricResourceUri: plan.id });
      const scaleIn = rules.filter((r) => r.scaleAction["direction"] === "Decrease");
      expect(scaleIn.map((r) => r.metricTrigger["metricName"]).sort()).to.deep.equal(["CpuPercentage", "HttpQueueLength"]);
      for (const r of scaleIn) expect(r.metricTrigger["operator"]).to.equal("LessThan");
      expect(scaleIn.find((r) => r.metricTrigger["metricName"] === "CpuPercentage")!.metricTrigger["threshold"]).to.be.below(env.appService.cpuScaleOutPercent);
    });

    it("runs the release image with its managed identity and the hardened site settings", async () => {
      const run = await stampRun(envName);
      const app = run.one(T.webApp);
      const identity = run.one(T.identity);
      expect(app.inputs).to.include({ httpsOnly: true, reserved: true, serverFarmId: run.one(T.plan).id, keyVaultReferenceIdentity: identity.id });
      expect(app.inputs["virtualNetworkSubnetId"]).to.equal(run.one(T.subnet, "snet-apps").id);
      expect(prop(app, "identity")).to.deep.equal({ type: "UserAssigned", userAssignedIdentities: [identity.id] });
      expect(prop(app, "siteConfig")).to.include({
        linuxFxVersion: `DOCKER|${args.image}`,
        acrUseManagedIdentityCreds: true,
        acrUserManagedIdentityID: identity.outputs["clientId"],
        alwaysOn: true,
        http20Enabled: true,
        minTlsVersion: "1.2",
        ftpsState: "Disabled",
        healthCheckPath: "/health/liveness",
        vnetRouteAllEnabled: true,
      });
      expect(run.one("azure-native:web:WebAppFtpAllowed").inputs["allow"]).to.equal(false);
      expect(run.one("azure-native:web:WebAppScmAllowed").inputs["allow"]).to.equal(false);
    });

    it("gives the app its release, region and dependencies' endpoints, and secrets only as Key Vault references", async () => {
      const run = await stampRun(envName);
      const settings = Object.fromEntries((prop(run.one(T.webApp), "siteConfig.appSettings") as Setting[]).map((s) => [s.name, s.value]));
      const vault = run.one(T.vault);
      expect(settings).to.include({
        [APP_SETTING.release]: "r42",
        [APP_SETTING.region]: "westeurope",
        [APP_SETTING.env]: envName,
        [APP_SETTING.cosmosEndpoint]: args.global.cosmosEndpoint,
        [APP_SETTING.cosmosDatabase]: args.global.cosmosDatabaseName,
        [APP_SETTING.serviceBusFqdn]: `${run.one(T.namespace).outputs["name"]}.servicebus.windows.net`,
        [APP_SETTING.ordersQueue]: ORDERS_QUEUE.name,
        [APP_SETTING.redisHost]: run.one(T.redis).outputs["hostName"],
        [APP_SETTING.redisPort]: "10000",
        [APP_SETTING.keyVaultUri]: (vault.outputs["properties"] as { vaultUri: string }).vaultUri,
        [APP_SETTING.appInsights]: run.one(T.appInsights).outputs["connectionString"],
        [APP_SETTING.azureClientId]: run.one(T.identity).outputs["clientId"],
      });
      for (const spec of EXTERNAL_SECRETS) {
        expect(settings[spec.setting]).to.equal(`@Microsoft.KeyVault(VaultName=${vault.outputs["name"]};SecretName=${spec.name})`);
        expect(settings[`${spec.setting}_SECRET_URI`]).to.match(new RegExp(`^https://${vault.outputs["name"]}\\.vault\\.azure\\.net/secrets/${spec.name}$`));
      }
      // No credential of any Azure dependency is handed to the app: it uses its identity.
      for (const [name, value] of Object.entries(settings)) {
        expect(`${name}=${value}`).not.to.match(/AccountKey=|SharedAccessKey|password=|primaryKey/i);
      }
      expect(Object.keys(settings).filter((k) => /CONNECTION_STRING$/.test(k))).to.deep.equal([APP_SETTING.appInsights]);
    });

    it("keeps the external-call secrets in an RBAC Key Vault with the environment's soft delete and purge protection", async () => {
      const run = await stampRun(envName);
      const vault = run.one(T.vault);
      expect(prop(vault, "properties")).to.include({
        enableRbacAuthorization: true,
        enableSoftDelete: true,
        softDeleteRetentionInDays: env.keyVault.softDeleteRetentionDays,
        publicNetworkAccess: env.network.isolation ? "Disabled" : "Enabled",
      });
      if (env.keyVault.purgeProtection) expect(prop(vault, "properties.enablePurgeProtection")).to.equal(true);
      else expect(prop(vault, "properties")).not.to.have.property("enablePurgeProtection");
      expect(prop(vault, "properties.accessPolicies")).to.equal(undefined);
      const secrets = run.ofType(T.secret);
      expect(secrets.map((s) => s.inputs["secretName"]).sort()).to.deep.equal(EXTERNAL_SECRETS.map((s) => s.name).sort());
      for (const s of secrets) {
        expect(s.inputs["vaultName"]).to.equal(vault.outputs["name"]);
        const properties = unwrapSecret(prop(s, "properties"));
        expect(properties.secret, "secret values are Pulumi secrets").to.equal(true);
        expect((properties.value as { value: unknown }).value).to.be.a("string").with.length.at.least(32);
      }
    });

    it("queues orders on Service Bus with the environment's SKU, Entra-only auth and a dead-lettering, de-duplicating queue", async () => {
      const run = await stampRun(envName);
      const ns = run.one(T.namespace);
      expect(ns.inputs).to.include({ disableLocalAuth: true, minimumTlsVersion: "1.2" });
      expect(prop(ns, "sku.name")).to.equal(env.serviceBus.sku);
      if (env.serviceBus.sku === "Premium") {
        expect(prop(ns, "sku.capacity")).to.equal(env.serviceBus.capacity);
        expect(ns.inputs["zoneRedundant"]).to.equal(env.serviceBus.zoneRedundant);
      }
      const orders = run.one(T.queue, "sbq-orders");
      expect(orders.inputs).to.include({
        queueName: "orders",
        namespaceName: ns.outputs["name"],
        deadLetteringOnMessageExpiration: true,
        requiresDuplicateDetection: true,
        duplicateDetectionHistoryTimeWindow: "PT10M",
        lockDuration: "PT1M",
        maxDeliveryCount: 10,
      });
    });

    it("caches on Azure Managed Redis with Entra auth only, TLS and the environment's availability", async () => {
      const run = await stampRun(envName);
      const cluster = run.one(T.redis);
      expect(prop(cluster, "sku.name")).to.equal(env.redis.sku);
      expect(cluster.inputs).to.include({ highAvailability: env.redis.highAvailability ? "Enabled" : "Disabled", minimumTlsVersion: "1.2" });
      const db = run.one(T.redisDb);
      expect(db.inputs).to.include({
        clusterName: cluster.outputs["name"],
        databaseName: "default",
        accessKeysAuthentication: "Disabled",
        clientProtocol: "Encrypted",
        clusteringPolicy: "EnterpriseCluster",
      });
    });

    it("sends telemetry to workspace-based Application Insights on a regional workspace", async () => {
      const run = await stampRun(envName);
      const workspace = run.one(T.workspace);
      expect(workspace.inputs).to.include({ location: "westeurope", retentionInDays: env.monitoring.logRetentionDays });
      expect(run.one(T.appInsights).inputs).to.include({
        kind: "web",
        applicationType: "web",
        ingestionMode: "LogAnalytics",
        workspaceResourceId: workspace.id,
      });
    });

    it("names globally unique resources with one random suffix and everything else without", async () => {
      const run = await stampRun(envName);
      const suffix = run.one("random:index/randomString:RandomString").outputs["result"] as string;
      expect(suffix).to.match(/^[a-z0-9]{5}$/);
      for (const type of [T.webApp, T.vault, T.namespace, T.redis]) {
        expect(run.one(type).outputs["name"], type).to.match(new RegExp(`-${suffix}$`));
      }
      expect(run.one(T.plan).outputs["name"]).to.equal(`asp-shoes-${envName}-weu-r42`);
    });
  });
}

describe("stamp program inputs", () => {
  it("uses given secret values instead of generating them", async function () {
    this.timeout(60_000);
    const run = await runStamp(stampArgs("dev", { externalSecrets: { "payment-api-key": "sk_live_from_operator" } }));
    const secret = run.ofType(T.secret).find((s) => s.inputs["secretName"] === "payment-api-key")!;
    const properties = unwrapSecret(prop(secret, "properties"));
    expect(properties.secret).to.equal(true);
    expect(properties.value).to.include({ value: "sk_live_from_operator" });
    expect(run.ofType("random:index/randomPassword:RandomPassword").map((r) => r.name)).to.deep.equal(["secret-payment-webhook-secret"]);
  });

  it("fits every name into Azure's rules for the longest environment, region code and release", async function () {
    this.timeout(60_000);
    const env = loadEnvironment("dev-abcdefgh");
    const run = await runStamp({ ...stampArgs("dev"), env, region: "eastus2", release: "r1234567" });
    expect(run.outputs.stack).to.equal("dev-abcdefgh-eus2-r1234567");
    const vaultName = run.one(T.vault).outputs["name"] as string;
    expect(vaultName.length).to.be.at.most(24);
    expect(vaultName).to.match(/^kv-[a-z0-9-]+$/).and.not.match(/--/);
    expect((run.one(T.namespace).outputs["name"] as string).length).to.be.at.most(50);
  });
});
