import { expect } from "chai";
import type { RecordedResource } from "../../../automation/offline/mock-runner.js";
import { loadEnvironment, type Environment } from "../../../environments/index.js";
import { stampStackName } from "../../../environments/stacks.js";
import { healthFunctions, stampResourceGroupPattern, type HealthFunction } from "../../../global/health-model/index.js";
import type { ProgramRun } from "../../harness/pulumi.js";
import { fakeGlobalInputs, stampRun } from "../../stamp/fixtures.js";
import { blueOrigins, runGlobal } from "../fixtures.js";
import { referencedTables, type TableSchemas } from "./kusto.js";
import { asQuery, declarations, LOG_TABLES } from "./log-tables.js";

/**
 * The environment-wide health functions live in the global workspace, so every table they read
 * must be fed there: by a global resource's diagnostic setting or by a stamp's copy. The tables are
 * derived from the KQL itself (the Kusto language service resolves every table name), so a new
 * query on a table nothing sends to the global workspace fails here, and a copy nothing reads
 * (paid ingestion for nothing) fails too.
 */

/** Tables shared by many services: a row is told apart by its ResourceProvider. */
const SHARED_TABLES = new Set(["AzureDiagnostics", "AzureMetrics"]);

/**
 * Where Azure Monitor puts what a diagnostic setting sends, per resource type (Azure Monitor's
 * "supported logs" reference): each log category's resource-specific table (null: the service has
 * none, its logs always go to AzureDiagnostics). Metrics always go to AzureMetrics. Kept here, apart
 * from the code, so the code is checked against the platform rather than against itself.
 */
interface ResourceTelemetry {
  provider: string;
  logs: Record<string, string | null>;
}
const TELEMETRY_OF: Record<string, ResourceTelemetry> = {
  "azure-native:applicationinsights:Component": {
    provider: "MICROSOFT.INSIGHTS",
    logs: {
      AppAvailabilityResults: "AppAvailabilityResults", AppBrowserTimings: "AppBrowserTimings", AppDependencies: "AppDependencies",
      AppEvents: "AppEvents", AppExceptions: "AppExceptions", AppMetrics: "AppMetrics", AppPageViews: "AppPageViews",
      AppPerformanceCounters: "AppPerformanceCounters", AppRequests: "AppRequests", AppSystemEvents: "AppSystemEvents", AppTraces: "AppTraces",
    },
  },
  "azure-native:keyvault:Vault": {
    provider: "MICROSOFT.KEYVAULT",
    logs: { AuditEvent: "AZKVAuditLogs", AzurePolicyEvaluationDetails: "AZKVPolicyEvaluationDetailsLogs" },
  },
  "azure-native:servicebus:Namespace": {
    provider: "MICROSOFT.SERVICEBUS",
    logs: { OperationalLogs: "AZMSOperationalLogs", RuntimeAuditLogs: "AZMSRuntimeAuditLogs", VNetAndIPFilteringLogs: "AZMSVnetConnectionEvents", ApplicationMetricsLogs: "AZMSApplicationMetricLogs", DiagnosticErrorLogs: "AZMSDiagnosticErrorLogs" },
  },
  "azure-native:cosmosdb:DatabaseAccount": {
    provider: "MICROSOFT.DOCUMENTDB",
    logs: {
      DataPlaneRequests: "CDBDataPlaneRequests", QueryRuntimeStatistics: "CDBQueryRuntimeStatistics", PartitionKeyStatistics: "CDBPartitionKeyStatistics",
      PartitionKeyRUConsumption: "CDBPartitionKeyRUConsumption", ControlPlaneRequests: "CDBControlPlaneRequests",
    },
  },
  "azure-native:cdn:Profile": {
    provider: "MICROSOFT.CDN",
    logs: { FrontDoorAccessLog: null, FrontDoorHealthProbeLog: null, FrontDoorWebApplicationFirewallLog: null },
  },
  "azure-native:containerregistry:Registry": {
    provider: "MICROSOFT.CONTAINERREGISTRY",
    logs: { ContainerRegistryRepositoryEvents: "ContainerRegistryRepositoryEvents", ContainerRegistryLoginEvents: "ContainerRegistryLoginEvents" },
  },
  // A storage account's blob service (`<account id>/blobServices/default`).
  "azure-native:storage:StorageAccount/blobServices": {
    provider: "MICROSOFT.STORAGE",
    logs: { StorageRead: "StorageBlobLogs", StorageWrite: "StorageBlobLogs", StorageDelete: "StorageBlobLogs" },
  },
};

const BLOB_SERVICE = "/blobServices/default";

/** What a table read (or feed) is: a table, or a shared table's rows of one provider (`AzureMetrics[MICROSOFT.SERVICEBUS]`). */
function sharedKey(table: string, provider: string): string {
  return `${table}[${provider.toUpperCase()}]`;
}

/** The Pulumi type of the resource a setting is on, found by its ARM id among the run's resources. */
function typeOf(run: ProgramRun<unknown>, resourceUri: string): string {
  const [id, sub] = resourceUri.endsWith(BLOB_SERVICE) ? [resourceUri.slice(0, -BLOB_SERVICE.length), "/blobServices"] : [resourceUri, ""];
  const resource = run.resources.find((r) => r.id === id);
  if (!resource) throw new Error(`a diagnostic setting is on ${resourceUri}, which the program did not create`);
  return `${resource.type}${sub}`;
}

/** The tables (or shared-table keys) one diagnostic setting feeds. */
function feedsOf(run: ProgramRun<unknown>, setting: RecordedResource): string[] {
  const type = typeOf(run, String(setting.inputs["resourceUri"]));
  const telemetry = TELEMETRY_OF[type];
  if (!telemetry) throw new Error(`${setting.name}: add ${type} to TELEMETRY_OF (where does Azure put its logs?)`);
  const dedicated = setting.inputs["logAnalyticsDestinationType"] === "Dedicated";
  const feeds: string[] = [];
  for (const log of (setting.inputs["logs"] as Record<string, unknown>[] | undefined) ?? []) {
    if (log["enabled"] !== true) continue;
    const categories = log["categoryGroup"] === "allLogs" ? Object.keys(telemetry.logs) : [String(log["category"])];
    for (const category of categories) {
      if (!(category in telemetry.logs)) throw new Error(`${setting.name}: ${type} has no log category ${category} in TELEMETRY_OF`);
      const table = telemetry.logs[category];
      feeds.push(dedicated && table ? table : sharedKey("AzureDiagnostics", telemetry.provider));
    }
  }
  const metrics = ((setting.inputs["metrics"] as Record<string, unknown>[] | undefined) ?? []).filter((m) => m["enabled"] === true);
  if (metrics.length > 0) feeds.push(sharedKey("AzureMetrics", telemetry.provider));
  return feeds;
}

function feedsTo(run: ProgramRun<unknown>, workspaceId: string): Set<string> {
  const settings = run.ofType("azure-native:monitor:DiagnosticSetting").filter((s) => s.inputs["workspaceId"] === workspaceId);
  return new Set(settings.flatMap((s) => feedsOf(run, s)));
}

/** What one function reads, and whether its sources are alternatives (a fuzzy union reads whichever exists). */
interface Reads {
  alias: string;
  keys: string[];
  alternatives: boolean;
}

function readsOf(fn: HealthFunction, all: HealthFunction[], tables: TableSchemas = LOG_TABLES): Reads {
  const providers = [...fn.body.matchAll(/ResourceProvider =~ "([^"]+)"/g)].map((m) => m[1]!);
  const keys = referencedTables(asQuery(fn), tables, declarations(all)).flatMap((table) => {
    if (!SHARED_TABLES.has(table)) return [table];
    // A shared table read without naming a provider would take every service's rows: no one feed covers it.
    return providers.length > 0 ? providers.map((p) => sharedKey(table, p)) : [`${table}[*]`];
  });
  return { alias: fn.alias, keys, alternatives: /union isfuzzy=true/.test(fn.body) };
}

/** Functions whose reads the feeds do not cover: every table, or (alternatives) at least one. */
function unfed(reads: Reads[], feeds: Set<string>): string[] {
  return reads
    .filter((r) => r.keys.length > 0)
    .filter((r) => (r.alternatives ? !r.keys.some((k) => feeds.has(k)) : !r.keys.every((k) => feeds.has(k))))
    .map((r) => `${r.alias} reads ${r.keys.join(", ")}`);
}

for (const envName of ["prod", "dev"]) {
  describe(`environment-wide health model telemetry (${envName})`, function () {
    this.timeout(120_000);
    let env: Environment;
    let functions: HealthFunction[];
    let reads: Reads[];
    let globalFeeds: Set<string>;
    let stampFeeds: Set<string>;
    let stamp: ProgramRun<unknown>;
    let stampCopies: RecordedResource[];

    before(async () => {
      env = loadEnvironment(envName);
      functions = healthFunctions(env, { kind: "environment" });
      reads = functions.map((fn) => readsOf(fn, functions));
      const global = await runGlobal(env, blueOrigins(env));
      globalFeeds = feedsTo(global, global.one("azure-native:operationalinsights:Workspace").id);
      stamp = await stampRun(envName);
      const globalWorkspaceId = fakeGlobalInputs(envName).logAnalyticsWorkspaceId;
      stampCopies = stamp.ofType("azure-native:monitor:DiagnosticSetting").filter((s) => s.inputs["workspaceId"] === globalWorkspaceId);
      stampFeeds = feedsTo(stamp, globalWorkspaceId);
    });

    it("derives the tables from the KQL: requests, dependencies, Key Vault audit, Service Bus metrics, Cosmos DB and Front Door", () => {
      const all = new Set(reads.flatMap((r) => r.keys));
      expect([...all].sort()).to.deep.equal([
        "AZKVAuditLogs",
        "AppDependencies",
        "AppRequests",
        "AzureDiagnostics[MICROSOFT.CDN]",
        "AzureMetrics[MICROSOFT.SERVICEBUS]",
        "CDBDataPlaneRequests",
      ]);
    });

    it("feeds every table an environment-scope function reads into the global workspace", () => {
      expect(unfed(reads, new Set([...globalFeeds, ...stampFeeds]))).to.deep.equal([]);
    });

    it("needs the stamps' copies: the global resources alone leave the API, dependencies, Key Vault and Service Bus dark", () => {
      const dark = unfed(reads, globalFeeds).map((line) => line.split(" ")[0]);
      expect(dark).to.include.members(["ContosoHealth_ApiFailures", "ContosoHealth_ApiLatency", "ContosoHealth_DependencyFailures", "ContosoHealth_QueueBacklog", "ContosoHealth_KeyVaultErrors", "ContosoHealth_EnvironmentScore"]);
    });

    it("copies nothing from a stamp that no environment-scope function reads", () => {
      const read = new Set(reads.flatMap((r) => r.keys));
      expect([...stampFeeds].filter((feed) => !read.has(feed))).to.deep.equal([]);
      expect(stampFeeds.size).to.be.greaterThan(0);
    });

    it("keeps each copied row's stamp: the copied resources sit in the stamp's resource group, which names the stamp", () => {
      const pattern = new RegExp(stampResourceGroupPattern(env.name));
      expect(stampCopies).to.not.be.empty;
      for (const copy of stampCopies) {
        const group = /\/resourceGroups\/([^/]+)/i.exec(String(copy.inputs["resourceUri"]))?.[1]?.toLowerCase() ?? "";
        const match = pattern.exec(group);
        expect(match, `${copy.name} on ${copy.inputs["resourceUri"]}`).to.not.equal(null);
        expect(`${env.name}-${match![1]}-${match![2]}`).to.equal(stampStackName(env.name, env.regions[0]!, "r42"));
      }
    });

    it("fails a new query on a table nothing feeds, and a function whose copy is dropped", () => {
      const tables = { ...LOG_TABLES, AppTraces: "(TimeGenerated: datetime, Message: string, _ResourceId: string)" };
      const traces: HealthFunction = { alias: "ContosoHealth_Traces", displayName: "traces", parameters: functions[0]!.parameters, body: "AppTraces | where TimeGenerated > ago(lookback) | count" };
      const feeds = new Set([...globalFeeds, ...stampFeeds]);
      expect(unfed([readsOf(traces, [...functions, traces], tables)], feeds)).to.deep.equal(["ContosoHealth_Traces reads AppTraces"]);
      const withoutKeyVault = new Set([...feeds].filter((f) => f !== "AZKVAuditLogs"));
      expect(unfed(reads, withoutKeyVault)).to.deep.equal(["ContosoHealth_KeyVaultErrors reads AZKVAuditLogs"]);
    });
  });
}
