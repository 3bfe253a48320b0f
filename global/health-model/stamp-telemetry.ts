/**
 * What the environment-scope health functions (queries.ts, saved in the GLOBAL workspace) read from
 * each stamp. A stamp's diagnostic settings and its Application Insights write to the stamp's own
 * regional workspace, so without a copy of these signals the environment-wide score would see only
 * the global resources (Front Door, Cosmos DB). Each stamp therefore sends exactly this, and no
 * more, to the global workspace as well (stamp/environment-telemetry.ts): the copy is billed per GB
 * ingested, so it is limited to the tables the functions query.
 *
 * Rows keep their `_ResourceId` (the emitting stamp resource, in the stamp's resource group), which
 * is how the functions tell the stamp a row belongs to (stamp-key.ts): the copies need no other key.
 */

/** What one stamp resource sends to the global workspace. */
export interface StampTelemetryCopy {
  /** Log categories, as Azure names them for the resource type (Azure Monitor "supported logs"). */
  readonly logs: readonly string[];
  /** Platform metrics. Diagnostic settings select metrics only as `AllMetrics`, so it is all or none. */
  readonly metrics: boolean;
}

export const STAMP_TELEMETRY_FOR_ENVIRONMENT = {
  /**
   * Application Insights (microsoft.insights/components) exports its telemetry tables by category:
   * AppRequests feeds ApiFailures, ApiLatency and the traffic weights of EnvironmentScore;
   * AppDependencies feeds DependencyFailures (the API's calls to Cosmos DB, Service Bus, Redis and
   * Key Vault, which is how the environment sees a stamp's cache). Traces, exceptions, page views
   * and the rest stay regional.
   */
  appInsights: { logs: ["AppRequests", "AppDependencies"], metrics: false },
  /** Key Vault's AuditEvent lands in AZKVAuditLogs (resource-specific table): KeyVaultErrors. */
  keyVault: { logs: ["AuditEvent"], metrics: false },
  /** Service Bus ActiveMessages and DeadletteredMessages arrive in AzureMetrics: QueueBacklog. */
  serviceBus: { logs: [], metrics: true },
} as const satisfies Record<string, StampTelemetryCopy>;

export type StampTelemetrySource = keyof typeof STAMP_TELEMETRY_FOR_ENVIRONMENT;
