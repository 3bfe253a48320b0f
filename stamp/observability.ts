import * as applicationinsights from "@pulumi/azure-native/applicationinsights/index.js";
import * as monitor from "@pulumi/azure-native/monitor/index.js";
import * as operationalinsights from "@pulumi/azure-native/operationalinsights/index.js";
import * as pulumi from "@pulumi/pulumi";
import { stampName, type StampContext } from "./context.js";

/**
 * The stamp's telemetry: a regional Log Analytics workspace (so a region's logs stay in the region
 * and die with the stamp; the global workspace keeps what must outlive it) and a workspace-based
 * Application Insights (classic, non-workspace Application Insights is retired).
 */
export interface StampObservability {
  workspace: operationalinsights.Workspace;
  appInsights: applicationinsights.Component;
}

export function createObservability(ctx: StampContext): StampObservability {
  const opts: pulumi.CustomResourceOptions = { parent: ctx.parent };
  const workspace = new operationalinsights.Workspace(
    "log",
    {
      resourceGroupName: ctx.resourceGroupName,
      location: ctx.region,
      workspaceName: stampName(ctx, "logAnalytics"),
      sku: { name: "PerGB2018" },
      retentionInDays: ctx.env.monitoring.logRetentionDays,
      // Ingestion from the App Service platform and Azure Monitor's own pipelines; query from the
      // operators' portal. Workspaces have no private endpoint of their own (that takes an Azure
      // Monitor Private Link Scope, which is per DNS domain, not per stamp).
      publicNetworkAccessForIngestion: "Enabled",
      publicNetworkAccessForQuery: "Enabled",
      features: { enableLogAccessUsingOnlyResourcePermissions: true },
      tags: ctx.tags,
    },
    opts,
  );

  const appInsights = new applicationinsights.Component(
    "appi",
    {
      resourceGroupName: ctx.resourceGroupName,
      location: ctx.region,
      resourceName: stampName(ctx, "applicationInsights"),
      kind: "web",
      applicationType: "web",
      workspaceResourceId: workspace.id,
      ingestionMode: "LogAnalytics",
      // Same reasoning as the workspace: the SDK in the app and operators reach it publicly.
      publicNetworkAccessForIngestion: "Enabled",
      publicNetworkAccessForQuery: "Enabled",
      retentionInDays: ctx.env.monitoring.logRetentionDays,
      // Entra-only ingestion: the instrumentation key alone cannot write (forged) telemetry into
      // the workspace that feeds the health model and its alerts (issue 12, defect 5).
      disableLocalAuth: true,
      tags: ctx.tags,
    },
    opts,
  );
  return { workspace, appInsights };
}

/** What a resource sends to the workspace: its logs (all categories), its metrics, or both. */
export interface DiagnosticTarget {
  /** Short purpose that names the setting (`kv`, `app`, ...). */
  purpose: string;
  resource: pulumi.CustomResource;
  logs: boolean;
  metrics: boolean;
  /**
   * Whether the resource type writes resource-specific tables (Azure Monitor "Supported logs" per
   * type); only then does the setting ask for them ("Dedicated"). Types that write AzureDiagnostics
   * only, and metrics-only settings, get no destination type: Azure stores none for them and would
   * read the setting back differently on every refresh (issue 12, defect 6).
   */
  resourceSpecificTables: boolean;
}

/**
 * One diagnostic setting per resource, all to the stamp's workspace, with resource-specific
 * tables where the service has them (`resourceSpecificTables`). Logs are selected by the `allLogs` category group, so a
 * category Azure adds later is collected without a change here.
 */
export function addDiagnostics(ctx: StampContext, workspaceId: pulumi.Input<string>, targets: DiagnosticTarget[]): monitor.DiagnosticSetting[] {
  return targets.map(
    (target) =>
      new monitor.DiagnosticSetting(
        `diag-${target.purpose}`,
        {
          name: stampName(ctx, "diagnosticSetting", { purpose: target.purpose }),
          resourceUri: target.resource.id,
          workspaceId,
          ...(target.logs && target.resourceSpecificTables ? { logAnalyticsDestinationType: "Dedicated" } : {}),
          logs: target.logs ? [{ categoryGroup: "allLogs", enabled: true }] : [],
          metrics: target.metrics ? [{ category: "AllMetrics", enabled: true }] : [],
        },
        { parent: ctx.parent },
      ),
  );
}
