import * as resources from "@pulumi/azure-native/resources/index.js";
import * as pulumi from "@pulumi/pulumi";
import { stampStackName } from "../environments/stacks.js";
import { uniqueSuffix } from "../environments/unique-suffix.js";
import { APP_SETTING, CONTAINER_PORT, SECRET_URI_SUFFIX } from "./app-settings.js";
import { createCache, REDIS_PORT } from "./cache.js";
import { createAutoscale, createPlan, createWebApp, HEALTH_CHECK_MAX_PING_FAILURES, STAMP_HEALTH_PATH } from "./compute.js";
import { stampName, type StampContext } from "./context.js";
import type { StampProgramArgs } from "./contract.js";
import { createIdentity, grantAccess } from "./identity.js";
import { createKeyVault, EXTERNAL_SECRETS, keyVaultReference, secretUri } from "./key-vault.js";
import { createKillSwitch } from "./kill-switch.js";
import { copyTelemetryToGlobalWorkspace } from "./environment-telemetry.js";
import { createMessaging } from "./messaging.js";
import { createNetwork } from "./network.js";
import { addDiagnostics, createObservability, type DiagnosticTarget } from "./observability.js";
import { createPrivateEndpoints } from "./private-endpoints.js";
import { stampTags } from "./tags.js";
import { StampHealthFunctions } from "../global/health-model/index.js";
import { HEALTH_CONTAINER } from "../global/cosmos-containers.js";

export const STAMP_TYPE = "contoso:stamp:Stamp";

/** A stamp is made from exactly what its program is given. */
export type StampArgs = StampProgramArgs;

/**
 * One deployment stamp: the regional, per-release scale unit (DESIGN.md). Everything lives in the
 * stamp's own resource group and nothing in it must outlive it: state is in Cosmos DB (global),
 * images in the registry (global), the cache is rebuilt, and the `orders` queue is drained before
 * the stamp is destroyed. The only things it creates outside its resource group are its Cosmos DB
 * role assignment (on the global account), AcrPull on the global registry, and the read grant on the
 * kill-switch container (global storage account), all removed with it. Its kill-switch blob is
 * armed by the driver, not by this program (stamp/kill-switch.ts says why).
 */
export class Stamp extends pulumi.ComponentResource {
  readonly stack: string;
  readonly resourceGroupName: pulumi.Output<string>;
  readonly webAppName: pulumi.Output<string>;
  readonly webAppHostName: pulumi.Output<string>;
  readonly healthUrl: pulumi.Output<string>;
  readonly serviceBusNamespace: pulumi.Output<string>;
  readonly ordersQueue: pulumi.Output<string>;
  readonly killSwitchDrainUrl: pulumi.Output<string>;

  constructor(name: string, args: StampArgs, opts?: pulumi.ComponentResourceOptions) {
    super(STAMP_TYPE, name, {}, opts);
    const { env, region, release, global } = args;
    this.stack = stampStackName(env.name, region, release);
    const tags = stampTags(env, region, release, args.facts);
    const naming = { env, region, release };

    const rg = new resources.ResourceGroup(
      "rg",
      { resourceGroupName: stampName(naming, "resourceGroup"), location: region, tags },
      { parent: this },
    );
    const ctx: StampContext = { env, region, release, tags, resourceGroupName: rg.name, parent: this };
    // One random suffix for the stamp's globally unique names (web app, vault, namespace, Redis).
    const suffix = uniqueSuffix("suffix", { parent: this });

    const net = createNetwork(ctx);
    const telemetry = createObservability(ctx);
    const identity = createIdentity(ctx);
    const vault = createKeyVault(ctx, suffix, { values: args.externalSecrets ?? {} });
    const messaging = createMessaging(ctx, suffix);
    const cache = createCache(ctx, suffix);

    const endpoints = env.network.isolation
      ? createPrivateEndpoints(ctx, net, {
          cosmos: global.cosmosAccountId,
          kv: vault.vault.id,
          sb: messaging.namespace.id,
          redis: cache.cluster.id,
          blob: global.killSwitchStorageAccountId,
        })
      : [];

    const grants = grantAccess(ctx, identity, {
      registryId: global.registryId,
      keyVaultId: vault.vault.id,
      ordersQueueId: messaging.ordersQueue.id,
      healthQueueId: messaging.healthQueue.id,
      cosmos: {
        accountId: global.cosmosAccountId,
        accountName: global.cosmosAccountName,
        resourceGroupName: global.resourceGroupName,
        databaseName: global.cosmosDatabaseName,
      },
      redis: { clusterName: cache.cluster.name, databaseName: cache.database.name },
      appInsightsId: telemetry.appInsights.id,
    });

    const killSwitch = createKillSwitch(ctx, this.stack, global, identity.principalId);

    const plan = createPlan(ctx);
    const autoscale = createAutoscale(ctx, plan);

    const appSettings: Record<string, pulumi.Input<string>> = {
      WEBSITES_ENABLE_APP_SERVICE_STORAGE: "false",
      WEBSITE_HEALTHCHECK_MAXPINGFAILURES: String(HEALTH_CHECK_MAX_PING_FAILURES),
      [APP_SETTING.containerPort]: String(CONTAINER_PORT),
      [APP_SETTING.env]: env.name,
      [APP_SETTING.region]: region,
      [APP_SETTING.release]: release,
      [APP_SETTING.stamp]: this.stack,
      [APP_SETTING.azureClientId]: identity.clientId,
      [APP_SETTING.cosmosEndpoint]: global.cosmosEndpoint,
      [APP_SETTING.cosmosDatabase]: global.cosmosDatabaseName,
      [APP_SETTING.cosmosHealthContainer]: HEALTH_CONTAINER.name,
      [APP_SETTING.serviceBusFqdn]: messaging.fqdn,
      [APP_SETTING.ordersQueue]: messaging.ordersQueue.name,
      [APP_SETTING.healthQueue]: messaging.healthQueue.name,
      [APP_SETTING.redisHost]: cache.hostName,
      [APP_SETTING.redisPort]: String(REDIS_PORT),
      [APP_SETTING.keyVaultUri]: vault.vaultUri,
      // The secret without which the API cannot take payments: what "Key Vault healthy" means here.
      [APP_SETTING.keyVaultHealthSecret]: EXTERNAL_SECRETS[0]!.name,
      [APP_SETTING.killSwitchDrainUrl]: killSwitch.drainUrl,
      // Local auth is off on the component, so the connection string is no credential; the SDK
      // authenticates with the app's identity ("Microsoft Entra authentication for Application
      // Insights": APPLICATIONINSIGHTS_AUTHENTICATION_STRING = Authorization=AAD;ClientId=<client id>).
      [APP_SETTING.appInsights]: telemetry.appInsights.connectionString,
      [APP_SETTING.appInsightsAuthentication]: pulumi.interpolate`Authorization=AAD;ClientId=${identity.clientId}`,
    };
    // Secrets arrive as Key Vault references, resolved and cached by App Service (key-vault.ts
    // explains why a Key Vault outage then cannot block start-up or scale-out).
    for (const { spec } of vault.secrets) {
      appSettings[spec.setting] = keyVaultReference(vault.vault.name, spec.name);
      appSettings[`${spec.setting}${SECRET_URI_SUFFIX}`] = secretUri(vault.vaultUri, spec.name);
    }

    const app = createWebApp(ctx, suffix, {
      plan,
      image: args.image,
      identityId: identity.id,
      identityClientId: identity.clientId,
      integrationSubnetId: net.integrationSubnet.id,
      frontDoorId: global.frontDoorId,
      probeAllowList: args.probeAllowList,
      appSettings,
      // Grants, secrets and private DNS in place before the first start: the first image pull and
      // Key Vault resolution succeed, and data services resolve to their private endpoints.
      dependsOn: [
        ...grants.all,
        killSwitch.readerGrant,
        ...vault.secrets.map((s) => s.secret),
        ...endpoints.map((e) => e.zoneGroup),
      ],
    });

    const diagnostics: DiagnosticTarget[] = [
      // resourceSpecificTables per type, from Azure Monitor's "Supported logs" reference: App Service
      // (AppService* tables), Key Vault (AZKVAuditLogs), Service Bus (AZMS*), Azure Managed Redis
      // databases (REDConnectionEvents), Log Analytics (LAQueryLogs), autoscale (Autoscale*Log) write
      // resource-specific tables; virtual networks and NSGs write AzureDiagnostics only; the rest send metrics only.
      { purpose: "asp", resource: plan, logs: false, metrics: true, resourceSpecificTables: false },
      { purpose: "app", resource: app, logs: true, metrics: true, resourceSpecificTables: true },
      { purpose: "kv", resource: vault.vault, logs: true, metrics: true, resourceSpecificTables: true },
      { purpose: "sb", resource: messaging.namespace, logs: true, metrics: true, resourceSpecificTables: true },
      { purpose: "redis", resource: cache.cluster, logs: false, metrics: true, resourceSpecificTables: false },
      { purpose: "redis-db", resource: cache.database, logs: true, metrics: false, resourceSpecificTables: true },
      { purpose: "vnet", resource: net.vnet, logs: true, metrics: true, resourceSpecificTables: false },
      { purpose: "nsg-pep", resource: net.endpointNsg, logs: true, metrics: false, resourceSpecificTables: false },
      { purpose: "log", resource: telemetry.workspace, logs: true, metrics: true, resourceSpecificTables: true },
      ...(autoscale ? [{ purpose: "autoscale", resource: autoscale, logs: true, metrics: true, resourceSpecificTables: true }] : []),
      ...endpoints.map((e) => ({ purpose: `pep-${e.service}`, resource: e.endpoint, logs: false, metrics: true, resourceSpecificTables: false })),
    ];
    addDiagnostics(ctx, telemetry.workspace.id, diagnostics);
    // What the environment-wide health functions read goes to the global workspace as well.
    copyTelemetryToGlobalWorkspace(ctx, global.logAnalyticsWorkspaceId, {
      appInsights: telemetry.appInsights,
      keyVault: vault.vault,
      serviceBus: messaging.namespace,
    });

    // The stamp's part of the health model: its component functions and score in its own workspace,
    // and an alert to the environment's on-call action group when the score turns red.
    new StampHealthFunctions(
      "health-functions",
      {
        env, region, release, tags,
        resourceGroupName: rg.name,
        workspaceId: telemetry.workspace.id,
        workspaceName: telemetry.workspace.name,
        actionGroupId: global.actionGroupId,
      },
      { parent: this },
    );

    this.resourceGroupName = rg.name;
    this.webAppName = app.name;
    this.webAppHostName = app.defaultHostName;
    this.healthUrl = pulumi.interpolate`https://${app.defaultHostName}${STAMP_HEALTH_PATH}`;
    this.serviceBusNamespace = messaging.namespace.name;
    this.ordersQueue = messaging.ordersQueue.name;
    this.killSwitchDrainUrl = killSwitch.drainUrl;
    this.registerOutputs({
      resourceGroupName: this.resourceGroupName,
      webAppName: this.webAppName,
      webAppHostName: this.webAppHostName,
      healthUrl: this.healthUrl,
      killSwitchDrainUrl: this.killSwitchDrainUrl,
    });
  }
}
