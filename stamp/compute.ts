import * as monitor from "@pulumi/azure-native/monitor/index.js";
import * as web from "@pulumi/azure-native/web/index.js";
import * as pulumi from "@pulumi/pulumi";
import type { Environment } from "../environments/index.js";
import { accessRestrictions } from "./access-restrictions.js";
import { stampName, type StampContext } from "./context.js";

/**
 * The stamp's compute: a Linux App Service plan (zone-redundant where the environment says so),
 * its autoscale rules, and the web app for containers that runs the release's image.
 */

/** App Service's own health check: the process is up. Front Door probes /health/stamp instead. */
export const LIVENESS_PATH = "/health/liveness";
export const STAMP_HEALTH_PATH = "/health/stamp";
/** Instances failing this many liveness pings (one a minute) are replaced; 2 is App Service's minimum. */
export const HEALTH_CHECK_MAX_PING_FAILURES = 2;

const SKU_TIERS: Record<Environment["appService"]["skuName"], string> = {
  B1: "Basic", B2: "Basic", S1: "Standard",
  P0v3: "Premium0V3", P1v3: "PremiumV3", P2v3: "PremiumV3", P3v3: "PremiumV3",
  P1mv3: "PremiumMV3", P2mv3: "PremiumMV3",
};

/** Basic plans cannot autoscale (Azure refuses an autoscale setting on them). */
export function supportsAutoscale(skuName: Environment["appService"]["skuName"]): boolean {
  return SKU_TIERS[skuName] !== "Basic";
}

export function createPlan(ctx: StampContext): web.AppServicePlan {
  const { skuName, zoneRedundant, minInstances } = ctx.env.appService;
  return new web.AppServicePlan(
    "asp",
    {
      resourceGroupName: ctx.resourceGroupName,
      location: ctx.region,
      name: stampName(ctx, "appServicePlan"),
      kind: "linux",
      reserved: true,
      sku: { name: skuName, tier: SKU_TIERS[skuName], capacity: minInstances },
      zoneRedundant,
      tags: ctx.tags,
    },
    // Autoscale owns the instance count once the plan exists.
    { parent: ctx.parent, ignoreChanges: ["sku.capacity"] },
  );
}

/**
 * Scale out when any rule fires (CPU or HTTP queue), scale in only when all scale-in rules agree
 * (Azure's semantics). Scale-in thresholds sit well below scale-out ones so the plan does not flap.
 */
export function createAutoscale(ctx: StampContext, plan: web.AppServicePlan): monitor.AutoscaleSetting | undefined {
  const a = ctx.env.appService;
  if (!supportsAutoscale(a.skuName)) return undefined;
  const rule = (metricName: string, operator: "GreaterThan" | "LessThan", threshold: number, direction: "Increase" | "Decrease", window: string) => ({
    metricTrigger: {
      metricName,
      metricNamespace: "microsoft.web/serverfarms",
      metricResourceUri: plan.id,
      operator,
      statistic: "Average" as const,
      threshold,
      timeAggregation: "Average" as const,
      timeGrain: "PT1M",
      timeWindow: window,
    },
    scaleAction: { direction, type: "ChangeCount" as const, value: "1", cooldown: direction === "Increase" ? "PT5M" : "PT10M" },
  });
  return new monitor.AutoscaleSetting(
    "autoscale",
    {
      resourceGroupName: ctx.resourceGroupName,
      location: ctx.region,
      autoscaleSettingName: stampName(ctx, "autoscale"),
      targetResourceUri: plan.id,
      enabled: true,
      profiles: [
        {
          name: "default",
          capacity: { minimum: String(a.minInstances), maximum: String(a.maxInstances), default: String(a.minInstances) },
          rules: [
            rule("CpuPercentage", "GreaterThan", a.cpuScaleOutPercent, "Increase", "PT5M"),
            rule("HttpQueueLength", "GreaterThan", a.httpQueueScaleOut, "Increase", "PT5M"),
            rule("CpuPercentage", "LessThan", Math.max(5, a.cpuScaleOutPercent - 30), "Decrease", "PT10M"),
            rule("HttpQueueLength", "LessThan", Math.max(1, Math.floor(a.httpQueueScaleOut / 10)), "Decrease", "PT10M"),
          ],
        },
      ],
      notifications: [
        {
          operation: "Scale",
          email: { customEmails: ctx.env.monitoring.alertEmails, sendToSubscriptionAdministrator: false, sendToSubscriptionCoAdministrators: false },
        },
      ],
      tags: ctx.tags,
    },
    { parent: ctx.parent },
  );
}

export interface WebAppArgs {
  plan: web.AppServicePlan;
  image: string;
  identityId: pulumi.Input<string>;
  identityClientId: pulumi.Input<string>;
  integrationSubnetId: pulumi.Input<string>;
  frontDoorId: pulumi.Input<string>;
  probeAllowList: readonly string[];
  appSettings: Record<string, pulumi.Input<string>>;
  /** Grants the identity needs before the first start (image pull, Key Vault references). */
  dependsOn: pulumi.Resource[];
}

export function createWebApp(ctx: StampContext, suffix: pulumi.Output<string>, args: WebAppArgs): web.WebApp {
  const app = new web.WebApp(
    "app",
    {
      resourceGroupName: ctx.resourceGroupName,
      location: ctx.region,
      name: suffix.apply((s) => stampName(ctx, "webApp", { suffix: s })),
      kind: "app,linux,container",
      serverFarmId: args.plan.id,
      reserved: true,
      httpsOnly: true,
      // Stateless API: no ARR affinity cookie, so instances added by autoscale get traffic at once.
      clientAffinityEnabled: false,
      identity: { type: "UserAssigned", userAssignedIdentities: [args.identityId] },
      keyVaultReferenceIdentity: args.identityId,
      virtualNetworkSubnetId: args.integrationSubnetId,
      // All outbound traffic (data services' private endpoints included) leaves through the vnet.
      outboundVnetRouting: { allTraffic: true },
      // Reachable from the internet only through the access restrictions below (Front Door + probes).
      publicNetworkAccess: "Enabled",
      siteConfig: {
        linuxFxVersion: `DOCKER|${args.image}`,
        acrUseManagedIdentityCreds: true,
        acrUserManagedIdentityID: args.identityClientId,
        alwaysOn: true,
        http20Enabled: true,
        minTlsVersion: "1.2",
        scmMinTlsVersion: "1.2",
        ftpsState: "Disabled",
        remoteDebuggingEnabled: false,
        healthCheckPath: LIVENESS_PATH,
        vnetRouteAllEnabled: true,
        ipSecurityRestrictions: accessRestrictions(args.frontDoorId, args.probeAllowList),
        ipSecurityRestrictionsDefaultAction: "Deny",
        // Nothing is deployed through the SCM (Kudu) site: the image comes from the registry.
        scmIpSecurityRestrictionsUseMain: false,
        scmIpSecurityRestrictionsDefaultAction: "Deny",
        appSettings: Object.entries(args.appSettings).map(([name, value]) => ({ name, value })),
      },
      tags: ctx.tags,
    },
    { parent: ctx.parent, dependsOn: args.dependsOn },
  );

  // No basic-auth publishing credentials (FTP, SCM): deployment is by image tag, access by Entra ID.
  new web.WebAppFtpAllowed("app-ftp-basic-auth", { resourceGroupName: ctx.resourceGroupName, name: app.name, allow: false }, { parent: ctx.parent });
  new web.WebAppScmAllowed("app-scm-basic-auth", { resourceGroupName: ctx.resourceGroupName, name: app.name, allow: false }, { parent: ctx.parent });
  return app;
}
