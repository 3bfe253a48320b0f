/**
 * What each resource type's diagnostic settings can send, from Azure Monitor's "Supported logs"
 * reference (learn.microsoft.com/azure/azure-monitor/reference/supported-logs/<namespace>-<type>-logs):
 * every log category and the table it lands in. A category with a resource-specific table lands
 * there when the setting asks for `logAnalyticsDestinationType: "Dedicated"` and in AzureDiagnostics
 * otherwise; a category whose reference lists only AzureDiagnostics always lands there, and such a
 * type does not take "Dedicated" (Azure stores no destination type for it, so the setting reads back
 * differently on every refresh: issue 12, defect 6). Platform metrics go to AzureMetrics.
 *
 *   Microsoft.Cdn/profiles (Front Door Standard/Premium)  AzureDiagnostics only (supported-logs/microsoft-cdn-profiles-logs)
 *   Microsoft.DocumentDB/databaseAccounts                 CDB* tables (…/microsoft-documentdb-databaseaccounts-logs)
 *   Microsoft.KeyVault/vaults                             AZKVAuditLogs (…/microsoft-keyvault-vaults-logs)
 *   Microsoft.ServiceBus/namespaces                       AZMS* tables (…/microsoft-servicebus-namespaces-logs)
 *   Microsoft.ContainerRegistry/registries                ContainerRegistry* tables (…/microsoft-containerregistry-registries-logs)
 *   Microsoft.Storage/storageAccounts/blobServices        StorageBlobLogs (…/microsoft-storage-storageaccounts-blobservices-logs)
 *   Microsoft.Web/sites                                   AppService* tables (…/microsoft-web-sites-logs)
 *   Microsoft.Insights/components                         App* tables (…/microsoft-insights-components-logs)
 *   Microsoft.Cache/redisEnterprise/databases             REDConnectionEvents (…/microsoft-cache-redisenterprise-databases-logs)
 *   Microsoft.OperationalInsights/workspaces              LAQueryLogs, LASummaryLogs (…/microsoft-operationalinsights-workspaces-logs)
 *   Microsoft.Insights/autoscalesettings                  Autoscale* tables (…/microsoft-insights-autoscalesettings-logs)
 *   Microsoft.Network/networkSecurityGroups               AzureDiagnostics only (…/microsoft-network-networksecuritygroups-logs)
 *   Microsoft.Network/virtualNetworks                     AzureDiagnostics only (…/microsoft-network-virtualnetworks-logs)
 * Types with no log categories (App Service plans, private endpoints, Redis clusters) send metrics only.
 */

export interface LogCategory {
  category: string;
  /** The resource-specific table, when the category has one. */
  table?: string;
}

const c = (category: string, table?: string): LogCategory => (table ? { category, table } : { category });

export const DIAGNOSTIC_CATEGORIES: Record<string, readonly LogCategory[]> = {
  "microsoft.cdn/profiles": [c("FrontDoorAccessLog"), c("FrontDoorHealthProbeLog"), c("FrontDoorWebApplicationFirewallLog")],
  "microsoft.documentdb/databaseaccounts": [
    c("DataPlaneRequests", "CDBDataPlaneRequests"),
    c("QueryRuntimeStatistics", "CDBQueryRuntimeStatistics"),
    c("PartitionKeyStatistics", "CDBPartitionKeyStatistics"),
    c("PartitionKeyRUConsumption", "CDBPartitionKeyRUConsumption"),
    c("ControlPlaneRequests", "CDBControlPlaneRequests"),
  ],
  "microsoft.keyvault/vaults": [c("AuditEvent", "AZKVAuditLogs"), c("AzurePolicyEvaluationDetails", "AZKVPolicyEvaluationDetailsLogs")],
  "microsoft.servicebus/namespaces": [
    c("OperationalLogs", "AZMSOperationalLogs"),
    c("VNetAndIPFilteringLogs", "AZMSVnetConnectionEvents"),
    c("RuntimeAuditLogs", "AZMSRunTimeAuditLogs"),
    c("ApplicationMetricsLogs", "AZMSApplicationMetricLogs"),
    c("DiagnosticErrorLogs", "AZMSDiagnosticErrorLogs"),
  ],
  "microsoft.containerregistry/registries": [
    c("ContainerRegistryRepositoryEvents", "ContainerRegistryRepositoryEvents"),
    c("ContainerRegistryLoginEvents", "ContainerRegistryLoginEvents"),
  ],
  "microsoft.storage/storageaccounts/blobservices": [c("StorageRead", "StorageBlobLogs"), c("StorageWrite", "StorageBlobLogs"), c("StorageDelete", "StorageBlobLogs")],
  "microsoft.web/sites": [
    c("AppServiceHTTPLogs", "AppServiceHTTPLogs"),
    c("AppServiceConsoleLogs", "AppServiceConsoleLogs"),
    c("AppServiceAppLogs", "AppServiceAppLogs"),
    c("AppServiceAuditLogs", "AppServiceAuditLogs"),
    c("AppServiceIPSecAuditLogs", "AppServiceIPSecAuditLogs"),
    c("AppServicePlatformLogs", "AppServicePlatformLogs"),
    c("AppServiceAuthenticationLogs", "AppServiceAuthenticationLogs"),
  ],
  "microsoft.insights/components": [
    c("AppAvailabilityResults", "AppAvailabilityResults"),
    c("AppBrowserTimings", "AppBrowserTimings"),
    c("AppDependencies", "AppDependencies"),
    c("AppEvents", "AppEvents"),
    c("AppExceptions", "AppExceptions"),
    c("AppMetrics", "AppMetrics"),
    c("AppPageViews", "AppPageViews"),
    c("AppPerformanceCounters", "AppPerformanceCounters"),
    c("AppRequests", "AppRequests"),
    c("AppSystemEvents", "AppSystemEvents"),
    c("AppTraces", "AppTraces"),
  ],
  "microsoft.cache/redisenterprise/databases": [c("ConnectionEvents", "REDConnectionEvents")],
  "microsoft.operationalinsights/workspaces": [c("Audit", "LAQueryLogs"), c("SummaryLogs", "LASummaryLogs")],
  "microsoft.insights/autoscalesettings": [c("AutoscaleEvaluations", "AutoscaleEvaluationsLog"), c("AutoscaleScaleActions", "AutoscaleScaleActionsLog")],
  "microsoft.network/networksecuritygroups": [c("NetworkSecurityGroupEvent"), c("NetworkSecurityGroupRuleCounter")],
  "microsoft.network/virtualnetworks": [c("VMProtectionAlerts")],
  "microsoft.web/serverfarms": [],
  "microsoft.network/privateendpoints": [],
  "microsoft.cache/redisenterprise": [],
};

/** The ARM type of a resource id, lower case (`microsoft.cdn/profiles`, `…/storageaccounts/blobservices`). */
export function armTypeOfId(id: string): string {
  const providers = id.toLowerCase().split("/providers/");
  const last = providers[providers.length - 1]!.split("/").filter(Boolean);
  const parts = [last[0]!];
  for (let i = 1; i < last.length; i += 2) parts.push(last[i]!);
  return parts.join("/");
}

/**
 * Whether a resource type writes resource-specific tables, so a diagnostic setting may ask for
 * "Dedicated": only when every log category it has comes with a resource-specific table.
 */
export function supportsDedicated(armType: string): boolean {
  const categories = DIAGNOSTIC_CATEGORIES[armType];
  return !!categories && categories.length > 0 && categories.some((cat) => cat.table);
}

/**
 * Types whose categories can go either way, by the setting's destination type (their reference lists
 * both the resource-specific table and AzureDiagnostics). The others with tables write only their
 * resource-specific tables, whatever the setting says.
 */
const BOTH_DESTINATIONS = new Set(["microsoft.keyvault/vaults", "microsoft.documentdb/databaseaccounts", "microsoft.servicebus/namespaces"]);

/** The table a category lands in, given the setting's destination type. */
export function tableOf(armType: string, category: LogCategory, dedicated: boolean): string {
  if (!category.table) return "AzureDiagnostics";
  if (BOTH_DESTINATIONS.has(armType) && !dedicated) return "AzureDiagnostics";
  return category.table;
}
