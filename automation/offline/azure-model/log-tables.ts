/**
 * The Log Analytics tables the offline world knows, with their columns and Azure's types, from the
 * Azure Monitor Logs table reference (learn.microsoft.com/azure/azure-monitor/reference/tables/<table>).
 * A table is listed with the columns the reference documents that matter to queries here; every
 * table also has TimeGenerated, _ResourceId and Type, which Log Analytics adds to all tables.
 *
 * AzureDiagnostics is the shared table of resources that have no resource-specific tables (or whose
 * diagnostic setting chose it): its fixed columns are always there, but each service's own fields
 * become columns named with a type suffix (`originName_s`, `httpStatusCode_d`) only when a resource
 * first writes a record carrying them (Azure Monitor, "AzureDiagnostics" table reference:
 * "columns are created dynamically as data is ingested").
 */

const COMMON = "TimeGenerated: datetime, _ResourceId: string, Type: string, TenantId: string";

export const LOG_TABLE_COLUMNS: Record<string, string> = {
  AppRequests: `${COMMON}, Name: string, Url: string, Success: bool, ResultCode: string, DurationMs: real, OperationId: string, AppRoleName: string, AppRoleInstance: string, ItemCount: int, ClientIP: string`,
  AppDependencies: `${COMMON}, Name: string, Target: string, DependencyType: string, Data: string, Success: bool, ResultCode: string, DurationMs: real, OperationId: string, AppRoleName: string, AppRoleInstance: string, ItemCount: int`,
  AppExceptions: `${COMMON}, ExceptionType: string, OuterMessage: string, ProblemId: string, SeverityLevel: int, AppRoleName: string, ItemCount: int`,
  AppTraces: `${COMMON}, Message: string, SeverityLevel: int, AppRoleName: string, ItemCount: int`,
  AppAvailabilityResults: `${COMMON}, Name: string, Location: string, Success: bool, DurationMs: real, Message: string, ItemCount: int`,
  AppMetrics: `${COMMON}, Name: string, Sum: real, Min: real, Max: real, ItemCount: int`,
  AppPerformanceCounters: `${COMMON}, Name: string, Category: string, Counter: string, Value: real`,
  AppEvents: `${COMMON}, Name: string, ItemCount: int`,
  AppPageViews: `${COMMON}, Name: string, Url: string, DurationMs: real`,
  AppBrowserTimings: `${COMMON}, Name: string, TotalDurationMs: real`,
  AppSystemEvents: `${COMMON}, Name: string, Type: string`,
  AzureMetrics: `${COMMON}, ResourceProvider: string, ResourceGroup: string, Resource: string, ResourceId: string, SubscriptionId: string, MetricName: string, Total: real, Count: real, Maximum: real, Minimum: real, Average: real, TimeGrain: string, UnitName: string`,
  AzureDiagnostics: `${COMMON}, ResourceProvider: string, ResourceGroup: string, Resource: string, ResourceId: string, ResourceType: string, SubscriptionId: string, Category: string, OperationName: string, ResultType: string, ResultSignature: string, ResultDescription: string, DurationMs: long, CallerIPAddress: string, CorrelationId: string, Level: string, Location: string`,
  AZKVAuditLogs: `${COMMON}, OperationName: string, ResultType: string, ResultSignature: string, HttpStatusCode: int, CallerIpAddress: string, Id: string, Identity: dynamic, DurationMs: int`,
  AZKVPolicyEvaluationDetailsLogs: `${COMMON}, OperationName: string, ResultType: string, PolicyResult: string`,
  CDBDataPlaneRequests: `${COMMON}, AccountName: string, RegionName: string, OperationName: string, StatusCode: int, DatabaseName: string, CollectionName: string, DurationMs: real, RequestCharge: real, ClientIpAddress: string`,
  CDBQueryRuntimeStatistics: `${COMMON}, AccountName: string, DatabaseName: string, CollectionName: string, QueryText: string`,
  CDBPartitionKeyStatistics: `${COMMON}, AccountName: string, RegionName: string, DatabaseName: string, CollectionName: string, PartitionKey: string, SizeKb: long`,
  CDBPartitionKeyRUConsumption: `${COMMON}, AccountName: string, RegionName: string, DatabaseName: string, CollectionName: string, PartitionKey: string, RequestCharge: real`,
  CDBControlPlaneRequests: `${COMMON}, AccountName: string, RegionName: string, OperationName: string, HttpStatusCode: int`,
  ContainerRegistryRepositoryEvents: `${COMMON}, OperationName: string, Repository: string, Tag: string, Digest: string, ResultDescription: string`,
  ContainerRegistryLoginEvents: `${COMMON}, OperationName: string, Identity: string, CallerIpAddress: string, ResultDescription: string`,
  StorageBlobLogs: `${COMMON}, AccountName: string, OperationName: string, StatusCode: string, StatusText: string, Uri: string, CallerIpAddress: string, AuthenticationType: string, RequesterObjectId: string`,
  AZMSOperationalLogs: `${COMMON}, ActivityName: string, EventName: string, Status: string, NamespaceName: string`,
  AZMSVnetConnectionEvents: `${COMMON}, NamespaceName: string, AddressIp: string, Action: string, Reason: string`,
  AZMSRunTimeAuditLogs: `${COMMON}, ActivityName: string, Status: string, NamespaceName: string, EntityName: string, Protocol: string, AuthType: string`,
  AZMSApplicationMetricLogs: `${COMMON}, ActivityName: string, EntityName: string, NamespaceName: string`,
  AZMSDiagnosticErrorLogs: `${COMMON}, ActivityName: string, EntityName: string, NamespaceName: string, ErrorMessage: string`,
  AppServiceHTTPLogs: `${COMMON}, CsMethod: string, CsUriStem: string, ScStatus: int, TimeTaken: int, CIp: string, UserAgent: string, CsHost: string`,
  AppServiceConsoleLogs: `${COMMON}, ResultDescription: string, Level: string, Host: string`,
  AppServiceAppLogs: `${COMMON}, ResultDescription: string, Level: string, Host: string`,
  AppServiceAuditLogs: `${COMMON}, User: string, Protocol: string, OperationName: string`,
  AppServiceIPSecAuditLogs: `${COMMON}, CIp: string, CsHost: string, Result: string, Details: string, XAzureFDID: string`,
  AppServicePlatformLogs: `${COMMON}, OperationName: string, Message: string, Level: string, ContainerId: string`,
  AppServiceAuthenticationLogs: `${COMMON}, StatusCode: int, Message: string`,
  REDConnectionEvents: `${COMMON}, EventType: string, ClientIp: string, AuthenticatedUser: string`,
  LAQueryLogs: `${COMMON}, QueryText: string, ResponseCode: int, AADObjectId: string`,
  LASummaryLogs: `${COMMON}, RuleName: string, Status: string`,
  AutoscaleEvaluationsLog: `${COMMON}, OperationName: string, Type: string, EstimateCapacity: int, ObservedMetricValue: real`,
  AutoscaleScaleActionsLog: `${COMMON}, OperationName: string, CurrentInstanceCount: int, NewInstanceCount: int, ResultType: string`,
};

/**
 * The AzureDiagnostics columns a resource type adds when it first writes, by ARM type (lower case).
 * From each service's log schema: Front Door (Standard/Premium) access and health-probe logs
 * ("Monitor metrics and logs in Azure Front Door": httpStatusCode, originName, POP, …), Key Vault
 * ("Azure Key Vault logging", AzureDiagnostics mode: httpStatusCode_d, …), Cosmos DB
 * ("Monitor Azure Cosmos DB data by using diagnostic settings", AzureDiagnostics mode), network
 * security groups and virtual networks.
 */
export const AZURE_DIAGNOSTICS_DYNAMIC_COLUMNS: Record<string, string> = {
  "microsoft.cdn/profiles":
    "httpStatusCode_s: string, httpStatusCode_d: real, originName_s: string, POP_s: string, healthProbeId_s: string, originIP_s: string, result_s: string, requestUri_s: string, clientIp_s: string, ruleName_s: string, action_s: string, timeTaken_s: string, routingRuleName_s: string, endpoint_s: string",
  "microsoft.keyvault/vaults": "httpStatusCode_d: real, id_s: string, identity_claim_oid_g: string, requestUri_s: string, clientInfo_s: string",
  "microsoft.documentdb/databaseaccounts": "regionName_s: string, statusCode_s: string, databaseName_s: string, collectionName_s: string, requestCharge_s: string, duration_s: string",
  "microsoft.network/networksecuritygroups": "direction_s: string, ruleName_s: string, type_s: string, primaryIPv4Address_s: string",
  "microsoft.network/virtualnetworks": "",
};
