import type { Environment } from "../../environments/index.js";
import { regionShort } from "../../environments/regions.js";
import { stampStackName } from "../../environments/stacks.js";
import { componentsJudgedIn, DEFAULT_LOOKBACK, STATUS, STATUS_PENALTY, signalThresholds, type ComponentInfo, type ComponentName, type Thresholds } from "./model.js";
import { regionsOf, regionTableLet, stampFromOriginName, stampFromResourceId } from "./stamp-key.js";

/**
 * The health model as KQL functions saved in a Log Analytics workspace. Pure: every body is a
 * function of the environment (its regions and thresholds) and of the scope, so tests parse exactly
 * what gets deployed.
 *
 * Every component function returns one row per time bin, stamp (or region) and signal:
 *   TimeGenerated, Region, Stamp, Component, Signal, Value, Yellow, Red, Status (0 green, 1 yellow, 2 red)
 * The score functions call the component functions by their saved alias, so a fix to one component
 * query changes every roll-up that uses it.
 *
 * Time bins: the component functions and StampScoreOverTime take `binSize` beside `lookback`. With
 * `binSize` 0s (the default) the whole look-back is one bin, stamped with its start; that is what
 * StampScore, the alerts and the environment score read. With a bin size, every signal is judged
 * per bin, so the score over time (the workbook's chart) is the very same computation as the point
 * score, applied to each bin's rows: there is one formula, not two.
 */

/** Where a set of functions lives and what it sees. */
export type HealthScope =
  /** The global workspace: every stamp of the environment, plus the environment-wide score. */
  | { kind: "environment" }
  /** One stamp's functions: filtered to the stamp, with aliases that name it (so blue and green can share a workspace). */
  | { kind: "stamp"; region: string; release: string };

/** A function as Log Analytics saves it (a saved search with a function alias). */
export interface HealthFunction {
  alias: string;
  displayName: string;
  /** Saved-search `functionParameters`: `name:type = default`. */
  parameters: string;
  /** The function body (what the saved search stores as `query`). */
  body: string;
}

/** The aliases of one scope's functions, by role. */
export interface HealthFunctionAliases {
  apiFailures: string;
  apiLatency: string;
  dependencyFailures: string;
  queueBacklog: string;
  keyVaultErrors: string;
  /** Environment scope only: Cosmos DB and Front Door report to the global workspace, never to a stamp's. */
  cosmosErrors?: string;
  frontDoorOrigins?: string;
  /** Every component's status (the union of the above). */
  components: string;
  /** The stamp score per time bin (the one formula; StampScore is its single-bin case). */
  stampScoreOverTime: string;
  stampScore: string;
  /** Environment scope only. */
  environmentScore?: string;
}

const ALIAS_PREFIX = "ContosoHealth";
const LOOKBACK_PARAMETER = `lookback:timespan = ${DEFAULT_LOOKBACK}`;
/** Parameters of the functions that judge per time bin: 0s is one bin spanning the whole look-back. */
const BINNED_PARAMETERS = `${LOOKBACK_PARAMETER}, binSize:timespan = 0s`;
/** What a component function says of a stamp (or region) and signal in one bin... */
const JUDGED_COLUMNS = "Region, Stamp, Component, Signal, Value, Yellow, Red, Status";
/** ...and its rows: the bin's start first. */
const RESULT_COLUMNS = `TimeGenerated, ${JUDGED_COLUMNS}`;
/**
 * The bin a row falls in: `bin()` of its time when a bin size is given, else the look-back's start
 * (one bin). `now()` is one instant across a query ("The current UTC time will stay the same across
 * all uses of now() in a single query statement", Kusto docs, now() function), so every row of a
 * single-bin call lands in the same bin.
 */
const BIN_OF_ROW = "iff(binSize > 0s, bin(TimeGenerated, binSize), now() - lookback)";

export function healthFunctionAliases(scope: HealthScope): HealthFunctionAliases {
  const prefix = scope.kind === "environment" ? ALIAS_PREFIX : `${ALIAS_PREFIX}_${regionShort(scope.region)}_${scope.release}`;
  const alias = (name: string) => `${prefix}_${name}`;
  return {
    apiFailures: alias("ApiFailures"),
    apiLatency: alias("ApiLatency"),
    dependencyFailures: alias("DependencyFailures"),
    queueBacklog: alias("QueueBacklog"),
    keyVaultErrors: alias("KeyVaultErrors"),
    components: alias("Components"),
    stampScoreOverTime: alias("StampScoreOverTime"),
    stampScore: alias("StampScore"),
    ...(scope.kind === "environment"
      ? { cosmosErrors: alias("CosmosErrors"), frontDoorOrigins: alias("FrontDoorOrigins"), environmentScore: alias("EnvironmentScore") }
      : {}),
  };
}

/** Every function of a scope, in dependency order (a function comes after those it calls). */
export function healthFunctions(env: Environment, scope: HealthScope): HealthFunction[] {
  const aliases = healthFunctionAliases(scope);
  const ctx = contextOf(env, scope);
  const t = signalThresholds(env);
  const label = scope.kind === "environment" ? env.name : ctx.stamp!;
  const fn = (alias: string, title: string, body: string, parameters = BINNED_PARAMETERS): HealthFunction => ({
    alias,
    displayName: `Health model (${label}): ${title}`,
    parameters,
    body,
  });

  const functions = [
    fn(aliases.apiFailures, "API failure rate", rateQuery(ctx, {
      table: "AppRequests", component: "api", signal: "failureRatePercent", failed: "not(Success)", thresholds: t.failureRatePercent,
    })),
    fn(aliases.apiLatency, "API latency p95", latencyQuery(ctx, t.latencyP95Ms)),
    fn(aliases.dependencyFailures, "Dependency failure rate", rateQuery(ctx, {
      table: "AppDependencies", component: "dependencies", signal: "dependencyFailurePercent", failed: "not(Success)", thresholds: t.dependencyFailurePercent,
    })),
    fn(aliases.queueBacklog, "Service Bus backlog", queueBacklogQuery(ctx, t.queueBacklog)),
    fn(aliases.keyVaultErrors, "Key Vault errors", keyVaultQuery(ctx, t.keyVaultErrors)),
    ...(aliases.cosmosErrors ? [fn(aliases.cosmosErrors, "Cosmos DB throttling and server errors", cosmosQuery(ctx, t.dependencyFailurePercent))] : []),
    ...(aliases.frontDoorOrigins ? [fn(aliases.frontDoorOrigins, "Front Door origin probes", frontDoorQuery(ctx, env.originHealthProbe))] : []),
    fn(aliases.components, "Component status", componentsQuery(ctx, aliases)),
    fn(aliases.stampScoreOverTime, "Stamp health score over time", stampScoreOverTimeQuery(env, aliases, componentsJudgedIn(scope.kind))),
    fn(aliases.stampScore, "Stamp health score", stampScoreQuery(aliases), LOOKBACK_PARAMETER),
  ];
  if (aliases.environmentScore) {
    functions.push(fn(aliases.environmentScore, "Environment health score", environmentScoreQuery(env, ctx, aliases), LOOKBACK_PARAMETER));
  }
  return functions;
}

interface QueryContext {
  envName: string;
  regionsLet: string;
  /** Set in stamp scope: the stamp (stack) name rows are filtered to. */
  stamp?: string;
  /** Set in stamp scope: the stamp's region. */
  region?: string;
}

function contextOf(env: Environment, scope: HealthScope): QueryContext {
  if (scope.kind === "environment") return { envName: env.name, regionsLet: regionTableLet(regionsOf(env.regions)) };
  return {
    envName: env.name,
    regionsLet: regionTableLet(regionsOf([scope.region])),
    stamp: stampStackName(env.name, scope.region, scope.release),
    region: scope.region,
  };
}

/** Real literal (KQL needs `real(5)` rather than `5` so every Value column has one type across the union). */
function real(n: number): string {
  return `real(${Number.isInteger(n) ? n : n.toString()})`;
}

function stampFilter(ctx: QueryContext): string {
  return ctx.stamp ? `\n| where Stamp == "${ctx.stamp}"` : "";
}

/** Adds thresholds and the traffic-light status for a higher-is-worse Value. */
function judge(component: ComponentName, signal: string, thresholds: Thresholds): string {
  return [
    `| extend Component = "${component}", Signal = ${signal}, Yellow = ${real(thresholds.yellow)}, Red = ${real(thresholds.red)}`,
    `| extend Status = case(Value >= Red, ${STATUS.red}, Value >= Yellow, ${STATUS.yellow}, ${STATUS.green})`,
    `| project TimeGenerated = Bin, ${JUDGED_COLUMNS}`,
  ].join("\n");
}

/** The look-back's rows of a table. */
function inLookback(table: string): string {
  return `${table}\n| where TimeGenerated > ago(lookback)`;
}

/** The look-back's rows of a table, each with the time bin it counts in. */
function recentBinned(table: string): string {
  return `${inLookback(table)}\n| extend Bin = ${BIN_OF_ROW}`;
}

interface RateSpec {
  table: string;
  component: ComponentName;
  signal: string;
  failed: string;
  thresholds: Thresholds;
}

/** Percentage of failed calls per stamp (requests or dependency calls from the stamp's Application Insights). */
function rateQuery(ctx: QueryContext, spec: RateSpec): string {
  return [
    ctx.regionsLet,
    recentBinned(spec.table),
    stampFromResourceId(ctx.envName) + stampFilter(ctx),
    `| summarize Total = count(), Failed = countif(${spec.failed}) by Bin, Region, Stamp`,
    `| extend Value = round(100.0 * Failed / Total, 2)`,
    judge(spec.component, `"${spec.signal}"`, spec.thresholds),
  ].join("\n");
}

function latencyQuery(ctx: QueryContext, thresholds: Thresholds): string {
  return [
    ctx.regionsLet,
    recentBinned("AppRequests"),
    stampFromResourceId(ctx.envName) + stampFilter(ctx),
    `| summarize Value = round(percentile(DurationMs, 95), 0) by Bin, Region, Stamp`,
    judge("api", `"latencyP95Ms"`, thresholds),
  ].join("\n");
}

/** Latest active and dead-lettered message counts of the stamp's Service Bus namespace (platform metrics). */
function queueBacklogQuery(ctx: QueryContext, thresholds: Thresholds): string {
  return [
    ctx.regionsLet,
    recentBinned("AzureMetrics"),
    `| where ResourceProvider =~ "MICROSOFT.SERVICEBUS" and MetricName in ("ActiveMessages", "DeadletteredMessages")`,
    stampFromResourceId(ctx.envName) + stampFilter(ctx),
    `| summarize arg_max(TimeGenerated, Maximum) by Bin, Region, Stamp, _ResourceId, MetricName`,
    `| summarize Value = todouble(sum(Maximum)) by Bin, Region, Stamp, MetricName`,
    judge("servicebus", `iff(MetricName == "ActiveMessages", "activeMessages", "deadletteredMessages")`, thresholds),
  ].join("\n");
}

/**
 * Failed Key Vault operations: server errors, throttling and denied access (a missing secret is the
 * app's business). Read from AZKVAuditLogs, the resource-specific table the Key Vault diagnostic
 * settings write ("Dedicated"). The table appears in a workspace only once a setting sends to it (in
 * the global workspace, with the first stamp), so the union is fuzzy with an empty typed leg: the
 * function is valid, and answers nothing, before that.
 */
function keyVaultQuery(ctx: QueryContext, thresholds: Thresholds): string {
  return [
    ctx.regionsLet,
    `union isfuzzy=true`,
    `    (datatable(TimeGenerated: datetime, _ResourceId: string, HttpStatus: int) []),`,
    `    (AZKVAuditLogs | where TimeGenerated > ago(lookback) | project TimeGenerated, _ResourceId, HttpStatus = toint(HttpStatusCode))`,
    `| extend Bin = ${BIN_OF_ROW}`,
    stampFromResourceId(ctx.envName) + stampFilter(ctx),
    `| summarize Value = todouble(countif(HttpStatus >= 500 or HttpStatus in (401, 403, 429))) by Bin, Region, Stamp`,
    judge("keyvault", `"keyVaultErrors"`, thresholds),
  ].join("\n");
}

/**
 * Cosmos DB requests that were throttled (429) or failed on the server (5xx), per region that served
 * them, from CDBDataPlaneRequests (the account's diagnostic setting writes resource-specific
 * tables). Cosmos is global; its region is shared by every stamp there, so the row names no stamp
 * (the Components function hands it to each stamp of the region). Environment scope only.
 */
function cosmosQuery(ctx: QueryContext, thresholds: Thresholds): string {
  return [
    ctx.regionsLet,
    recentBinned("CDBDataPlaneRequests"),
    `| project Bin, RegionName, StatusCode = toint(StatusCode)`,
    `| lookup kind=inner (envRegions | project RegionName = RegionDisplayName, Region) on RegionName`,
    `| summarize Total = count(), Failed = countif(StatusCode == 429 or StatusCode >= 500) by Bin, Region`,
    `| extend Stamp = "", Value = round(100.0 * Failed / Total, 2)`,
    judge("cosmos", `"throttledOrFailedPercent"`, thresholds),
  ].join("\n");
}

/**
 * Front Door's own view of each origin. Its health-probe log records failed probes only, so the
 * signal follows Front Door's rule directly: an edge (POP) takes an origin out of rotation when more
 * than `sampleSize - successfulSamplesRequired` of its last `sampleSize` probes fail. Value is the
 * most failed probes any POP saw within one such probe window; one failure is yellow, enough to be
 * marked unhealthy is red. Front Door (Standard/Premium) writes AzureDiagnostics only, whose
 * service fields become columns when Front Door first logs: `column_ifexists` keeps the function
 * valid before that (Azure validates it against the workspace as it is when saved).
 */
function frontDoorQuery(ctx: QueryContext, probe: Environment["originHealthProbe"]): string {
  const windowSeconds = probe.intervalSeconds * probe.sampleSize;
  const thresholds = { yellow: 1, red: probe.sampleSize - probe.successfulSamplesRequired + 1 };
  return [
    ctx.regionsLet,
    recentBinned("AzureDiagnostics"),
    `| where ResourceProvider =~ "MICROSOFT.CDN" and Category == "FrontDoorHealthProbeLog"`,
    stampFromOriginName(ctx.envName, `column_ifexists("originName_s", "")`) + stampFilter(ctx),
    `| summarize Failed = count() by Bin, Region, Stamp, Pop = tostring(column_ifexists("POP_s", "")), Window = bin(TimeGenerated, ${windowSeconds}s)`,
    `| summarize Value = todouble(max(Failed)) by Bin, Region, Stamp`,
    judge("frontdoor", `"failedProbesPerWindow"`, thresholds),
  ].join("\n");
}

function componentsQuery(ctx: QueryContext, a: HealthFunctionAliases): string {
  const stampLevel = [a.apiFailures, a.apiLatency, a.dependencyFailures, a.queueBacklog, a.keyVaultErrors, ...(a.frontDoorOrigins ? [a.frontDoorOrigins] : [])]
    .map((alias) => `${alias}(lookback, binSize)`)
    .join(",\n    ");
  if (!a.cosmosErrors) {
    return [`union\n    ${stampLevel}`, `| project ${RESULT_COLUMNS}`].join("\n");
  }
  // A regional component counts for every stamp seen in its region in the same time bin (a stamp
  // destroyed half-way through the look-back does not go on scoring on Cosmos DB alone); with no
  // stamp there, it is still shown for the region (empty Stamp), so the workbook never hides a red
  // Cosmos DB.
  return [
    `let stampLevel = union\n    ${stampLevel};`,
    `let stamps = stampLevel | distinct TimeGenerated, Region, Stamp;`,
    `let regional = ${a.cosmosErrors}(lookback, binSize)`,
    `    | project-away Stamp`,
    `    | join kind=leftouter stamps on TimeGenerated, Region`,
    `    | extend Stamp = coalesce(Stamp, "")`,
    `    | project ${RESULT_COLUMNS};`,
    `union stampLevel, regional`,
    `| project ${RESULT_COLUMNS}`,
  ].join("\n");
}

function weightsLet(components: readonly ComponentInfo[]): string {
  const rows = components.map((c) => `"${c.name}", ${real(c.weight)}`).join(", ");
  return `let weights = datatable(Component: string, Weight: real) [${rows}];`;
}

function penaltyOf(statusColumn: string): string {
  return `case(${statusColumn} == ${STATUS.red}, ${real(STATUS_PENALTY[2])}, ${statusColumn} == ${STATUS.yellow}, ${real(STATUS_PENALTY[1])}, ${real(STATUS_PENALTY[0])})`;
}

/** Status of a 0..100 score: below yellow is degraded, below red unhealthy. */
function judgeScore(env: Environment): string {
  const s = env.healthModel.healthScore;
  return [
    `| extend Yellow = ${real(s.yellow)}, Red = ${real(s.red)}`,
    `| extend Status = case(Score < Red, ${STATUS.red}, Score < Yellow, ${STATUS.yellow}, ${STATUS.green})`,
  ].join("\n");
}

/**
 * 100 minus each component's share of the judged weight times its penalty (red: all of it, yellow:
 * half), per stamp and time bin. The shares are over the components this scope can judge, so a
 * stamp's own score (without Front Door and Cosmos DB) still spans 0..100. This is the only place
 * the score formula is written: StampScore is this function's single-bin case.
 */
function stampScoreOverTimeQuery(env: Environment, a: HealthFunctionAliases, components: readonly ComponentInfo[]): string {
  const total = components.reduce((sum, c) => sum + c.weight, 0);
  return [
    weightsLet(components),
    `${a.components}(lookback, binSize)`,
    `| where isnotempty(Stamp)`,
    `| summarize Status = max(Status) by TimeGenerated, Region, Stamp, Component`,
    `| lookup kind=inner weights on Component`,
    `| summarize Lost = sum(Weight * ${penaltyOf("Status")}), RedComponents = make_set_if(Component, Status == ${STATUS.red}), YellowComponents = make_set_if(Component, Status == ${STATUS.yellow}) by TimeGenerated, Region, Stamp`,
    `| extend Score = round(100.0 - 100.0 * Lost / ${real(total)}, 1)`,
    judgeScore(env),
    `| project TimeGenerated, Region, Stamp, Score, Status, Yellow, Red, RedComponents, YellowComponents`,
  ].join("\n");
}

/** The stamp score over the whole look-back: the over-time function with one bin, without its time column. */
function stampScoreQuery(a: HealthFunctionAliases): string {
  return [`${a.stampScoreOverTime}(lookback, 0s)`, `| project-away TimeGenerated`].join("\n");
}

/**
 * The environment's score: stamp scores weighted by the traffic each stamp served (plus one, so an
 * idle stamp still counts a little). A green stamp under test with no traffic does not drag the
 * environment down; its own stamp alert still fires.
 */
function environmentScoreQuery(env: Environment, ctx: QueryContext, a: HealthFunctionAliases): string {
  return [
    ctx.regionsLet,
    `let traffic = ${inLookback("AppRequests").replace("\n", "\n    ")}`,
    stampFromResourceId(ctx.envName).replace(/\n/g, "\n    ").replace(/^/, "    "),
    `    | summarize Requests = count() by Stamp;`,
    `${a.stampScore}(lookback)`,
    `| lookup kind=leftouter traffic on Stamp`,
    `| extend Requests = coalesce(Requests, 0)`,
    `| summarize Score = round(sum(Score * (Requests + 1)) / sum(Requests + 1), 1), MinStampScore = min(Score), Stamps = count(), DegradedStamps = countif(Status == ${STATUS.yellow}), UnhealthyStamps = countif(Status == ${STATUS.red}), Requests = sum(Requests)`,
    `| where Stamps > 0`,
    judgeScore(env),
    `| extend Environment = "${env.name}"`,
    `| project Environment, Score, Status, Yellow, Red, Stamps, DegradedStamps, UnhealthyStamps, MinStampScore, Requests`,
  ].join("\n");
}
