import type { Environment } from "../../environments/index.js";
import { COMPONENTS, DEFAULT_LOOKBACK, STATUS } from "./model.js";
import type { HealthFunctionAliases } from "./queries.js";

/**
 * The operators' dashboard: an Azure Monitor workbook (Notebook/1.0 JSON) that shows the health
 * model as traffic lights (environment, then stamp, then region x component) and Front Door's own
 * origin health. Every panel calls a saved function of the model, so the dashboard, the alerts and
 * the release gate read the same numbers.
 */

export interface WorkbookInputs {
  env: Environment;
  /** ARM id of the Log Analytics workspace that holds the functions. */
  workspaceId: string;
  /** ARM id of the Front Door profile (origin health metric). */
  frontDoorProfileId: string;
  aliases: HealthFunctionAliases;
}

/** Workbook parameters and the value each starts with (the workbook substitutes `{Name}` in queries). */
export const WORKBOOK_PARAMETERS = { Lookback: DEFAULT_LOOKBACK, Bin: "1m" } as const;

const LOOKBACK_CHOICES = [
  { value: "5m", label: "5 minutes" },
  { value: "15m", label: "15 minutes" },
  { value: "1h", label: "1 hour" },
  { value: "6h", label: "6 hours" },
  { value: "1d", label: "1 day" },
];

/** Time bins of the score chart: a point per bin and stamp. */
const BIN_CHOICES = [
  { value: "1m", label: "1 minute" },
  { value: "5m", label: "5 minutes" },
  { value: "15m", label: "15 minutes" },
  { value: "1h", label: "1 hour" },
];

const WORKSPACE_TYPE = "microsoft.operationalinsights/workspaces";

/** Green / yellow / red cells for a status column, with words for the colour-blind. */
function statusFormatter(columnMatch: string) {
  return {
    columnMatch,
    formatter: 18,
    formatOptions: {
      thresholdsOptions: "colors",
      thresholdsGrid: [
        { operator: "==", thresholdValue: String(STATUS.red), representation: "redBright", text: "Unhealthy" },
        { operator: "==", thresholdValue: String(STATUS.yellow), representation: "yellow", text: "Degraded" },
        { operator: "==", thresholdValue: String(STATUS.green), representation: "green", text: "Healthy" },
        { operator: "Default", thresholdValue: null, representation: "gray", text: "No data" },
      ],
    },
  };
}

function scoreFormatter(env: Environment) {
  const { yellow, red } = env.healthModel.healthScore;
  return {
    columnMatch: "^(Score|MinStampScore)$",
    formatter: 18,
    formatOptions: {
      thresholdsOptions: "colors",
      thresholdsGrid: [
        { operator: "<", thresholdValue: String(red), representation: "redBright", text: "{0}" },
        { operator: "<", thresholdValue: String(yellow), representation: "yellow", text: "{0}" },
        { operator: "Default", thresholdValue: null, representation: "green", text: "{0}" },
      ],
    },
  };
}

function queryItem(name: string, title: string, query: string, workspaceId: string, formatters: object[], visualization: "table" | "timechart" = "table") {
  return {
    type: 3,
    name,
    content: {
      version: "KqlItem/1.0",
      title,
      query,
      size: 0,
      queryType: 0,
      resourceType: WORKSPACE_TYPE,
      crossComponentResources: [workspaceId],
      // The functions apply their own look-back; the panel's time range only has to cover it.
      timeContext: { durationMs: 86_400_000 },
      visualization,
      gridSettings: { formatters },
    },
  };
}

/** Metric aggregations as MetricsItem/2.0 numbers them. */
const AGGREGATION = { sum: 1, average: 4 } as const;

/** A line chart of one Front Door profile metric over the last hour, a line per origin (so per stamp). */
function frontDoorOriginChart(name: string, title: string, profileId: string, metric: string, aggregation: number) {
  return {
    type: 10,
    name,
    content: {
      version: "MetricsItem/2.0",
      title,
      size: 0,
      chartType: 2,
      resourceType: "microsoft.cdn/profiles",
      metricScope: 0,
      resourceIds: [profileId],
      timeContext: { durationMs: 3_600_000 },
      metrics: [{ namespace: "microsoft.cdn/profiles", metric: `microsoft.cdn/profiles--${metric}`, aggregation, splitBy: "Origin" }],
    },
  };
}

/** The workbook as an object (serialise with `serializeWorkbook`). */
export function healthWorkbook(input: WorkbookInputs) {
  const { env, workspaceId, frontDoorProfileId, aliases } = input;
  const hm = env.healthModel;
  const lookback = "{Lookback}";
  const bin = "{Bin}";
  const componentColumns = COMPONENTS.map((c) => c.name);
  const trafficLights = [
    `${aliases.components}(${lookback})`,
    `| summarize ${COMPONENTS.map((c) => `${c.name} = maxif(Status, Component == "${c.name}")`).join(", ")} by Region, Stamp`,
    `| order by Region asc, Stamp asc`,
  ].join("\n");
  const thresholdRows = [
    ["API failure rate (%)", hm.failureRatePercent],
    ["API latency p95 (ms)", hm.latencyP95Ms],
    ["Dependency and Cosmos DB failures (%)", hm.dependencyFailurePercent],
    ["Service Bus backlog (messages)", hm.queueBacklog],
    ["Key Vault errors", hm.keyVaultErrors],
  ] as const;
  const markdown = [
    `# Contoso Shoes health model: ${env.name}`,
    `Component → stamp → environment. Each component is judged against the environment's thresholds; a stamp's score is 100 minus the weight of each red component (half of it for yellow): ${COMPONENTS.map((c) => `${c.label} ${c.weight}`).join(", ")}. A score below ${hm.healthScore.yellow} is degraded, below ${hm.healthScore.red} unhealthy.`,
    "",
    "| Signal | Yellow at | Red at |",
    "|---|---|---|",
    ...thresholdRows.map(([label, t]) => `| ${label} | ${t.yellow} | ${t.red} |`),
    `| Front Door failed probes at one POP within ${env.originHealthProbe.sampleSize} probes | 1 | ${env.originHealthProbe.sampleSize - env.originHealthProbe.successfulSamplesRequired + 1} |`,
  ].join("\n");

  return {
    version: "Notebook/1.0",
    items: [
      { type: 1, name: "title", content: { json: markdown } },
      {
        type: 9,
        name: "parameters",
        content: {
          version: "KqlParameterItem/1.0",
          parameters: [
            {
              id: "6f1c3a52-1b7e-4d0c-9a55-2f7f7d1a0c01",
              version: "KqlParameterItem/1.0",
              name: "Lookback",
              label: "Look back",
              type: 2,
              isRequired: true,
              jsonData: JSON.stringify(LOOKBACK_CHOICES),
              value: WORKBOOK_PARAMETERS.Lookback,
            },
            {
              id: "0b9e64d2-5c3f-4a8e-8f61-7d2b1c4e9a02",
              version: "KqlParameterItem/1.0",
              name: "Bin",
              label: "Score chart bin",
              type: 2,
              isRequired: true,
              jsonData: JSON.stringify(BIN_CHOICES),
              value: WORKBOOK_PARAMETERS.Bin,
            },
          ],
          style: "pills",
          queryType: 0,
          resourceType: WORKSPACE_TYPE,
        },
      },
      queryItem("environment-score", "Environment health", `${aliases.environmentScore ?? aliases.stampScore}(${lookback})`, workspaceId, [
        statusFormatter("Status"),
        scoreFormatter(env),
      ]),
      queryItem("stamp-scores", "Stamp health scores", `${aliases.stampScore}(${lookback})\n| order by Region asc, Stamp asc`, workspaceId, [
        statusFormatter("Status"),
        scoreFormatter(env),
      ]),
      // Each stamp's score per bin, from the same saved function as the table above (StampScore is
      // its one-bin case). A time chart takes its x-axis from the first (datetime) column and draws
      // a line per value of the string column (Kusto docs, "Time chart visualization").
      queryItem(
        "stamp-score-over-time",
        "Stamp health score over time",
        `${aliases.stampScoreOverTime}(${lookback}, ${bin})\n| project TimeGenerated, Stamp, Score\n| order by TimeGenerated asc`,
        workspaceId,
        [],
        "timechart",
      ),
      queryItem("traffic-lights", "Traffic lights per region and component", trafficLights, workspaceId, [
        statusFormatter(`^(${componentColumns.join("|")})$`),
      ]),
      queryItem(
        "component-signals",
        "Component signals against thresholds",
        `${aliases.components}(${lookback})\n| order by Status desc, Region asc, Stamp asc, Component asc`,
        workspaceId,
        [statusFormatter("Status")],
      ),
      frontDoorOriginChart("frontdoor-origin-health", "Front Door origin health (% of successful health probes)", frontDoorProfileId, "OriginHealthPercentage", AGGREGATION.average),
      // The traffic split as Front Door serves it: requests to each origin (named after its stamp
      // stack, so after its release) over time. A release moving shows as one line rising while
      // the other falls; read with the steps, it is the live release's progress. Metric and
      // dimension from Azure Monitor's supported metrics for Microsoft.Cdn/profiles
      // (OriginRequestCount, split by Origin).
      frontDoorOriginChart("traffic-split", "Traffic split: requests per origin (stamp and release)", frontDoorProfileId, "OriginRequestCount", AGGREGATION.sum),
      // Front Door reports to the global workspace only: the panel exists where its function does.
      ...(aliases.frontDoorOrigins
        ? [
            queryItem(
              "frontdoor-origin-probes",
              "Front Door origin probes per stamp",
              `${aliases.frontDoorOrigins}(${lookback})\n| order by Region asc, Stamp asc`,
              workspaceId,
              [statusFormatter("Status")],
            ),
          ]
        : []),
    ],
    fallbackResourceIds: [workspaceId],
    $schema: "https://github.com/Microsoft/Application-Insights-Workbooks/blob/master/schema/workbook.json",
  };
}

export function serializeWorkbook(input: WorkbookInputs): string {
  return JSON.stringify(healthWorkbook(input));
}

/** Every KQL query a serialised workbook runs (for checks: the tests parse each one). */
export function workbookQueries(serialized: string): { name: string; query: string }[] {
  const workbook = JSON.parse(serialized) as { items: { type: number; name: string; content: { query?: string } }[] };
  return workbook.items.filter((i) => i.type === 3 && typeof i.content.query === "string").map((i) => ({ name: i.name, query: i.content.query! }));
}

/** What the workbook does before running a query: replaces `{Parameter}` with the parameter's value. */
export function substituteParameters(query: string, values: Record<string, string> = WORKBOOK_PARAMETERS): string {
  return query.replace(/\{(\w+)\}/g, (match, name: string) => values[name] ?? match);
}
