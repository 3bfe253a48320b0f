import * as pulumi from "@pulumi/pulumi";
import * as monitor from "@pulumi/azure-native/monitor/index.js";
import type { Environment } from "../environments/index.js";
import { resourceName } from "../environments/naming.js";

/**
 * Diagnostic settings: every global resource sends its logs and metrics to the global workspace,
 * into resource-specific tables where the service has them (CDBDataPlaneRequests, ...), which are
 * cheaper to query than the shared AzureDiagnostics table; Front Door has none (AzureDiagnostics). The categories are what the health model and the
 * release gate read: Front Door access, health-probe and WAF logs; Cosmos requests; registry pulls; kill-switch changes.
 */

/** Log categories per global resource, as Azure names them. */
export const DIAGNOSTIC_LOG_CATEGORIES = {
  frontdoor: ["FrontDoorAccessLog", "FrontDoorHealthProbeLog", "FrontDoorWebApplicationFirewallLog"],
  cosmos: ["DataPlaneRequests", "QueryRuntimeStatistics", "PartitionKeyStatistics", "PartitionKeyRUConsumption", "ControlPlaneRequests"],
  registry: ["ContainerRegistryRepositoryEvents", "ContainerRegistryLoginEvents"],
  // The kill switches' blob service: who deleted or re-created which stamp's switch, and when.
  // Reads are left out: every stamp instance reads its switch every few seconds.
  killswitch: ["StorageWrite", "StorageDelete"],
} as const;

/**
 * Whether each writes resource-specific tables (Azure Monitor "Supported logs"): Front Door
 * Standard/Premium (Microsoft.Cdn/profiles) writes AzureDiagnostics only, so its setting asks for
 * no destination type (Azure stores none and reads "Dedicated" back as empty: a diff on every
 * refresh, issue 12 defect 6); Cosmos DB (CDB*), the registry (ContainerRegistry*) and blob storage
 * (StorageBlobLogs) have their own tables.
 */
const RESOURCE_SPECIFIC_TABLES: Record<keyof typeof DIAGNOSTIC_LOG_CATEGORIES, boolean> = {
  frontdoor: false,
  cosmos: true,
  registry: true,
  killswitch: true,
};

/** Metric categories: storage services name theirs ("Transaction"); the others take AllMetrics. */
const METRIC_CATEGORY: Partial<Record<keyof typeof DIAGNOSTIC_LOG_CATEGORIES, string>> = { killswitch: "Transaction" };

export type DiagnosedResource = keyof typeof DIAGNOSTIC_LOG_CATEGORIES;

export interface DiagnosticsArgs {
  env: Environment;
  workspaceId: pulumi.Input<string>;
  /** The resource id of each global resource. */
  targets: Record<DiagnosedResource, pulumi.Input<string>>;
}

export function diagnosticSettings(args: DiagnosticsArgs, parent: pulumi.Resource): Map<DiagnosedResource, monitor.DiagnosticSetting> {
  const settings = new Map<DiagnosedResource, monitor.DiagnosticSetting>();
  for (const target of Object.keys(DIAGNOSTIC_LOG_CATEGORIES) as DiagnosedResource[]) {
    settings.set(
      target,
      new monitor.DiagnosticSetting(
        `diag-${target}`,
        {
          name: resourceName("diagnosticSetting", { env: args.env.name, purpose: target }),
          resourceUri: args.targets[target],
          workspaceId: args.workspaceId,
          ...(RESOURCE_SPECIFIC_TABLES[target] ? { logAnalyticsDestinationType: "Dedicated" } : {}),
          logs: DIAGNOSTIC_LOG_CATEGORIES[target].map((category) => ({ category, enabled: true })),
          metrics: [{ category: METRIC_CATEGORY[target] ?? "AllMetrics", enabled: true }],
        },
        { parent },
      ),
    );
  }
  return settings;
}
