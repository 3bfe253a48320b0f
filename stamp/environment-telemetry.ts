import * as monitor from "@pulumi/azure-native/monitor/index.js";
import type * as pulumi from "@pulumi/pulumi";
import { STAMP_TELEMETRY_FOR_ENVIRONMENT, type StampTelemetrySource } from "../global/health-model/index.js";
import { stampName, type StampContext } from "./context.js";

/**
 * The stamp's share of the environment-wide health model: a second diagnostic setting on each
 * resource whose signals the global workspace's functions read, sending only those categories
 * (global/health-model/stamp-telemetry.ts says which and why) to the environment's global
 * workspace. The stamp's own setting to its regional workspace is untouched: the copies sit beside
 * it (Azure allows five settings per resource, each with its own name).
 */

/** Purpose part of each copy's name: the regional setting's purpose plus `global`, so the two never clash. */
const COPY_PURPOSE: Record<StampTelemetrySource, string> = {
  appInsights: "appi-global",
  keyVault: "kv-global",
  serviceBus: "sb-global",
};

/**
 * Creates the copies when the environment's health model asks for environment-wide telemetry
 * (`healthModel.environmentWideTelemetry`); otherwise none.
 */
export function copyTelemetryToGlobalWorkspace(
  ctx: StampContext,
  globalWorkspaceId: pulumi.Input<string>,
  sources: Record<StampTelemetrySource, pulumi.CustomResource>,
): monitor.DiagnosticSetting[] {
  if (!ctx.env.healthModel.environmentWideTelemetry) return [];
  return (Object.keys(STAMP_TELEMETRY_FOR_ENVIRONMENT) as StampTelemetrySource[]).map((source) => {
    const copy = STAMP_TELEMETRY_FOR_ENVIRONMENT[source];
    const purpose = COPY_PURPOSE[source];
    return new monitor.DiagnosticSetting(
      `diag-${purpose}`,
      {
        name: stampName(ctx, "diagnosticSetting", { purpose }),
        resourceUri: sources[source].id,
        workspaceId: globalWorkspaceId,
        // Resource-specific tables (Key Vault's AuditEvent into AZKVAuditLogs), as the functions
        // expect; a metrics-only copy (Service Bus) has no destination type to ask for.
        ...(copy.logs.length > 0 ? { logAnalyticsDestinationType: "Dedicated" } : {}),
        logs: copy.logs.map((category) => ({ category, enabled: true })),
        metrics: copy.metrics ? [{ category: "AllMetrics", enabled: true }] : [],
      },
      { parent: ctx.parent },
    );
  });
}
