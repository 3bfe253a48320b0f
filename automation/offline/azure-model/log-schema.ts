import { armTypeOfId, DIAGNOSTIC_CATEGORIES, supportsDedicated, tableOf } from "./diagnostic-categories.js";
import { AZURE_DIAGNOSTICS_DYNAMIC_COLUMNS, LOG_TABLE_COLUMNS } from "./log-tables.js";
import { idKey } from "./resource-id.js";
import type { ModelResource } from "./model-resource.js";

/**
 * The schema a Log Analytics workspace really has: the tables something sends it, and in
 * AzureDiagnostics the service-specific columns of the resources that have written there. What
 * feeds a workspace: diagnostic settings whose `workspaceId` is it (their log categories, by
 * destination type, and AzureMetrics for metrics), and workspace-based Application Insights
 * components whose `workspaceResourceId` is it (every App* table: "Workspace-based Application
 * Insights resources", table structure). A table nothing sends does not exist in the workspace.
 */

export interface WorkspaceSchema {
  /** Table → column list in KQL syntax, `(A: string, B: int)`. */
  tables: Record<string, string>;
}

interface Feed {
  table: string;
  /** The resource whose rows these are (for AzureDiagnostics' dynamic columns). */
  source: string;
}

function feedsOf(resources: readonly ModelResource[], workspaceId: string): Feed[] {
  const wanted = idKey(workspaceId);
  const feeds: Feed[] = [];
  for (const r of resources) {
    if (r.type === "azure-native:monitor:DiagnosticSetting" && typeof r.inputs["workspaceId"] === "string" && idKey(r.inputs["workspaceId"]) === wanted) {
      const source = String(r.inputs["resourceUri"] ?? "");
      const armType = armTypeOfId(source);
      const dedicated = r.inputs["logAnalyticsDestinationType"] === "Dedicated" && supportsDedicated(armType);
      const categories = DIAGNOSTIC_CATEGORIES[armType] ?? [];
      for (const log of asArray(r.inputs["logs"])) {
        if (log["enabled"] === false) continue;
        const chosen =
          typeof log["categoryGroup"] === "string" ? categories : categories.filter((cat) => cat.category.toLowerCase() === String(log["category"] ?? "").toLowerCase());
        for (const cat of chosen) feeds.push({ table: tableOf(armType, cat, dedicated), source });
      }
      if (asArray(r.inputs["metrics"]).some((m) => m["enabled"] !== false)) feeds.push({ table: "AzureMetrics", source });
    }
    if (r.type === "azure-native:applicationinsights:Component" && typeof r.inputs["workspaceResourceId"] === "string" && idKey(r.inputs["workspaceResourceId"]) === wanted) {
      for (const cat of DIAGNOSTIC_CATEGORIES["microsoft.insights/components"]!) feeds.push({ table: cat.table!, source: r.id });
    }
  }
  return feeds;
}

/**
 * The workspace's schema. `written` holds the ids of resources that have written logs (their
 * AzureDiagnostics fields become columns); nothing writes in the offline world unless told to.
 */
export function workspaceSchema(resources: readonly ModelResource[], workspaceId: string, written: ReadonlySet<string> = new Set()): WorkspaceSchema {
  const tables: Record<string, string> = {};
  const dynamic = new Set<string>();
  for (const feed of feedsOf(resources, workspaceId)) {
    const columns = LOG_TABLE_COLUMNS[feed.table];
    if (!columns) throw new Error(`the offline Azure model has no schema for the Log Analytics table ${feed.table}; add it to log-tables.ts`);
    tables[feed.table] = columns;
    if (feed.table === "AzureDiagnostics" && written.has(idKey(feed.source))) {
      const extra = AZURE_DIAGNOSTICS_DYNAMIC_COLUMNS[armTypeOfId(feed.source)];
      if (extra) for (const column of extra.split(",").map((s) => s.trim()).filter(Boolean)) dynamic.add(column);
    }
  }
  if (tables["AzureDiagnostics"] && dynamic.size > 0) tables["AzureDiagnostics"] = `${tables["AzureDiagnostics"]}, ${[...dynamic].sort().join(", ")}`;
  return { tables: Object.fromEntries(Object.entries(tables).map(([name, cols]) => [name, `(${cols})`])) };
}

function asArray(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? (value.filter((v) => v && typeof v === "object") as Record<string, unknown>[]) : [];
}
