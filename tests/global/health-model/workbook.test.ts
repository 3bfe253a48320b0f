import { expect } from "chai";
import { loadEnvironment } from "../../../environments/index.js";
import {
  COMPONENTS,
  healthFunctionAliases,
  healthFunctions,
  serializeWorkbook,
  substituteParameters,
  workbookQueries,
} from "../../../global/health-model/index.js";
import { describe as explain, resultColumns, semanticErrors, syntaxErrors } from "./kusto.js";
import { declarations, LOG_TABLES } from "./log-tables.js";

const WORKSPACE = "/subscriptions/00000000-0000-4000-8000-00000000c0de/resourceGroups/rg-shoes-prod/providers/Microsoft.OperationalInsights/workspaces/log-shoes-prod";
const PROFILE = "/subscriptions/00000000-0000-4000-8000-00000000c0de/resourceGroups/rg-shoes-prod/providers/Microsoft.Cdn/profiles/afd-shoes-prod";

for (const name of ["prod", "dev"]) {
  describe(`health workbook (${name})`, function () {
    // Semantic analysis expands every nested function call: seconds, not milliseconds.
    this.timeout(120_000);
    const env = loadEnvironment(name);
    const aliases = healthFunctionAliases({ kind: "environment" });
    const serialized = serializeWorkbook({ env, workspaceId: WORKSPACE, frontDoorProfileId: PROFILE, aliases });
    const workbook = JSON.parse(serialized);

    it("is a Notebook/1.0 workbook bound to the workspace", () => {
      expect(workbook.version).to.equal("Notebook/1.0");
      expect(workbook.fallbackResourceIds).to.deep.equal([WORKSPACE]);
      const names = workbook.items.map((i: { name: string }) => i.name);
      expect(new Set(names).size).to.equal(names.length);
      for (const item of workbook.items.filter((i: { type: number }) => i.type === 3)) {
        expect(item.content.crossComponentResources, item.name).to.deep.equal([WORKSPACE]);
        expect(item.content.resourceType).to.equal("microsoft.operationalinsights/workspaces");
      }
    });

    it("runs only queries that parse and analyse cleanly once its parameters are filled in", () => {
      const queries = workbookQueries(serialized);
      expect(queries.length).to.be.at.least(5);
      const declared = declarations(healthFunctions(env, { kind: "environment" }));
      for (const { name: item, query } of queries) {
        expect(query, item).to.include("{Lookback}");
        const text = substituteParameters(query);
        expect(text).to.not.match(/\{\w+\}/);
        expect(syntaxErrors(text), `${item}: ${explain(syntaxErrors(text))}`).to.deep.equal([]);
        const errors = semanticErrors(text, LOG_TABLES, declared);
        expect(errors, `${item}: ${explain(errors)}`).to.deep.equal([]);
      }
    });

    it("shows the model through its saved functions: environment, stamps, region x component lights", () => {
      const text = workbookQueries(serialized).map((q) => q.query).join("\n");
      for (const alias of [aliases.environmentScore!, aliases.stampScore, aliases.components, aliases.frontDoorOrigins]) {
        expect(text).to.include(`${alias}({Lookback})`);
      }
      const lights = workbook.items.find((i: { name: string }) => i.name === "traffic-lights");
      expect(lights.content.query).to.include("by Region, Stamp");
      for (const c of COMPONENTS) expect(lights.content.query).to.include(`${c.name} = maxif(Status, Component == "${c.name}")`);
      const formatter = lights.content.gridSettings.formatters[0];
      expect(formatter.formatter).to.equal(18);
      expect(formatter.formatOptions.thresholdsGrid.map((t: { representation: string }) => t.representation)).to.include.members(["green", "yellow", "redBright"]);
    });

    it("charts each stamp's score over time, per bin, from the stamp score's own function", () => {
      const chart = workbook.items.find((i: { name: string }) => i.name === "stamp-score-over-time");
      expect(chart.type).to.equal(3);
      expect(chart.content.visualization).to.equal("timechart");
      // The first column is the time axis, the string column names each line, Score is the value.
      expect(chart.content.query).to.match(new RegExp(`^${aliases.stampScoreOverTime}\\(\\{Lookback\\}, \\{Bin\\}\\)\\n\\| project TimeGenerated, Stamp, Score\\b`));
      const parameters = workbook.items.find((i: { name: string }) => i.name === "parameters").content.parameters;
      const binParameter = parameters.find((p: { name: string }) => p.name === "Bin");
      expect(binParameter.value).to.equal("1m");
      const choices = JSON.parse(binParameter.jsonData).map((c: { value: string }) => c.value);
      expect(choices).to.include("1m");
      // Every bin the operator can pick gives a query the language service accepts.
      const declared = declarations(healthFunctions(env, { kind: "environment" }));
      for (const value of choices) {
        const text = substituteParameters(chart.content.query, { Lookback: "1h", Bin: value });
        const errors = semanticErrors(text, LOG_TABLES, declared);
        expect(errors, `${value}: ${explain(errors)}`).to.deep.equal([]);
      }
      // What a time chart draws: the first column (datetime) is the x-axis, the string column names
      // each line, the numeric column is the value (Kusto docs, "Time chart visualization").
      expect(resultColumns(substituteParameters(chart.content.query), LOG_TABLES, declared)).to.deep.equal([
        { name: "TimeGenerated", type: "datetime" },
        { name: "Stamp", type: "string" },
        { name: "Score", type: "real" },
      ]);
      // The chart asks for the columns the function returns: a misspelt one is refused.
      const misspelt = substituteParameters(chart.content.query.replace("Score", "Scores"));
      expect(semanticErrors(misspelt, LOG_TABLES, declared)).to.not.be.empty;
    });

    it("shows Front Door origin health from the profile's metric", () => {
      const metric = workbook.items.find((i: { type: number }) => i.type === 10);
      expect(metric.content.resourceIds).to.deep.equal([PROFILE]);
      expect(metric.content.metrics[0].metric).to.equal("microsoft.cdn/profiles--OriginHealthPercentage");
      expect(metric.content.metrics[0].splitBy).to.equal("Origin");
    });

    it("states the environment's thresholds", () => {
      const title = workbook.items[0].content.json as string;
      const hm = env.healthModel;
      expect(title).to.include(`| API latency p95 (ms) | ${hm.latencyP95Ms.yellow} | ${hm.latencyP95Ms.red} |`);
      expect(title).to.include(`below ${hm.healthScore.red} unhealthy`);
      const score = workbook.items.find((i: { name: string }) => i.name === "stamp-scores");
      const grid = score.content.gridSettings.formatters[1].formatOptions.thresholdsGrid;
      expect(grid[0]).to.include({ operator: "<", thresholdValue: String(hm.healthScore.red) });
    });
  });
}

describe("workbook parameters", () => {
  it("substitutes known parameters and leaves unknown ones for the checks to catch", () => {
    expect(substituteParameters("F({Lookback})")).to.equal("F(15m)");
    expect(substituteParameters("F({Lookback}, {Bin})")).to.equal("F(15m, 1m)");
    expect(substituteParameters("F({Lookback}, {Other})", { Lookback: "1h" })).to.equal("F(1h, {Other})");
  });
});
