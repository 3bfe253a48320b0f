import { semanticErrors, type FunctionDeclaration, type KustoDiagnostic } from "./kusto.js";
import { workspaceSchema } from "./log-schema.js";
import type { ModelResource } from "./model-resource.js";
import { idKey } from "./resource-id.js";

/**
 * Azure Monitor checks a log query when it is saved: a log search alert rule
 * (Microsoft.Insights/scheduledQueryRules: "the query is validated against the workspace when the
 * rule is created or updated"; a rule naming an unknown table or column fails with 400 BadRequest),
 * a saved function (Microsoft.OperationalInsights/workspaces/savedSearches) and, here, the workbook
 * panels that query a workspace. The offline model runs the same analysis with Microsoft's Kusto
 * language service against the schema the target workspace really has (log-schema.ts) and the
 * functions saved in it.
 */

export interface QueryProblem {
  resource: ModelResource;
  message: string;
}

/** Saved functions of a workspace, as the analyser declares them. */
function functionsIn(resources: readonly ModelResource[], workspaceId: string): FunctionDeclaration[] {
  const wanted = idKey(workspaceId);
  return resources
    .filter((r) => r.type === "azure-native:operationalinsights:SavedSearch" && typeof r.inputs["functionAlias"] === "string")
    .filter((r) => idKey(workspaceOfSavedSearch(r)) === wanted)
    .map((r) => ({ name: String(r.inputs["functionAlias"]), parameters: `(${String(r.inputs["functionParameters"] ?? "")})`, body: String(r.inputs["query"] ?? "") }));
}

function workspaceOfSavedSearch(r: ModelResource): string {
  return r.id.replace(/\/savedSearches\/[^/]+$/i, "");
}

/** A function body as a query: each `name:type = default` parameter becomes a `let`. */
export function functionBodyAsQuery(parameters: string, body: string): string {
  const lets = parameters
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => {
      const [decl, value] = p.split("=").map((s) => s.trim());
      const [name, type] = decl!.split(":").map((s) => s.trim());
      return value ? `let ${name} = ${type}(${value});` : `let ${name} = ${type}(null);`;
    });
  return `${lets.join("\n")}\n${body}`;
}

interface QueryToCheck {
  resource: ModelResource;
  what: string;
  workspaceId: string;
  query: string;
}

function queriesOf(r: ModelResource): QueryToCheck[] {
  switch (r.type) {
    case "azure-native:monitor:ScheduledQueryRule": {
      const scopes = Array.isArray(r.inputs["scopes"]) ? (r.inputs["scopes"] as unknown[]).map(String) : [];
      const workspaceId = scopes.find((s) => /\/providers\/microsoft\.operationalinsights\/workspaces\//i.test(s));
      const criteria = (r.inputs["criteria"] as { allOf?: { query?: string }[] } | undefined)?.allOf ?? [];
      if (!workspaceId) return [];
      return criteria.filter((c) => typeof c.query === "string").map((c) => ({ resource: r, what: "log search alert rule", workspaceId, query: c.query! }));
    }
    case "azure-native:operationalinsights:SavedSearch":
      return [
        {
          resource: r,
          what: typeof r.inputs["functionAlias"] === "string" ? `saved function ${String(r.inputs["functionAlias"])}` : "saved search",
          workspaceId: workspaceOfSavedSearch(r),
          query: functionBodyAsQuery(String(r.inputs["functionParameters"] ?? ""), String(r.inputs["query"] ?? "")),
        },
      ];
    case "azure-native:applicationinsights:Workbook":
      return workbookQueries(r);
    default:
      return [];
  }
}

interface WorkbookItem {
  type?: number;
  name?: string;
  content?: { query?: string; queryType?: number; resourceType?: string; crossComponentResources?: string[]; parameters?: { name?: string; value?: unknown }[]; items?: WorkbookItem[] };
}

function workbookQueries(r: ModelResource): QueryToCheck[] {
  let doc: { items?: WorkbookItem[]; fallbackResourceIds?: string[] };
  try {
    doc = JSON.parse(String(r.inputs["serializedData"] ?? "{}"));
  } catch {
    return [];
  }
  const items = doc.items ?? [];
  // A workbook substitutes `{Name}` with its parameters' values before running a query.
  const values = new Map<string, string>();
  for (const item of items) for (const p of item.content?.parameters ?? []) if (p.name && p.value !== undefined) values.set(p.name, String(p.value));
  const out: QueryToCheck[] = [];
  for (const item of items) {
    const c = item.content;
    if (item.type !== 3 || !c || typeof c.query !== "string" || c.queryType !== 0) continue;
    if (String(c.resourceType ?? "").toLowerCase() !== "microsoft.operationalinsights/workspaces") continue;
    const workspaceId = c.crossComponentResources?.[0] ?? doc.fallbackResourceIds?.[0] ?? String(r.inputs["sourceId"] ?? "");
    const query = c.query.replace(/\{(\w+)\}/g, (m, name: string) => values.get(name) ?? m);
    out.push({ resource: r, what: `workbook panel ${item.name ?? "?"}`, workspaceId, query });
  }
  return out;
}

/**
 * Every query problem of the given resources (those being created or updated), judged against the
 * whole subscription as it will be after the change.
 */
export function validateQueries(changed: readonly ModelResource[], subscription: readonly ModelResource[], written: ReadonlySet<string>): QueryProblem[] {
  const problems: QueryProblem[] = [];
  const workspaces = new Set(subscription.filter((r) => r.type === "azure-native:operationalinsights:Workspace").map((r) => idKey(r.id)));
  for (const r of changed) {
    for (const q of queriesOf(r)) {
      if (!workspaces.has(idKey(q.workspaceId))) {
        problems.push({ resource: r, message: `BadRequest: the ${q.what} targets the workspace ${q.workspaceId}, which does not exist` });
        continue;
      }
      const schema = workspaceSchema(subscription, q.workspaceId, written);
      const errors = semanticErrors(q.query, schema.tables, functionsIn(subscription, q.workspaceId));
      if (errors.length > 0) problems.push({ resource: r, message: `BadRequest: the query of the ${q.what} is invalid in workspace ${lastSegment(q.workspaceId)}: ${describeFirst(errors)}` });
    }
  }
  return problems;
}

function lastSegment(id: string): string {
  return id.split("/").pop() ?? id;
}

function describeFirst(errors: KustoDiagnostic[]): string {
  const e = errors[0]!;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : "";
  return `${e.message} [${e.code}] at ${e.excerpt.replace(/\s+/g, " ")}${more}`;
}
