import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { loadEnvironment } from "../../../environments/index.js";
import {
  FUNCTION_CATEGORY,
  HealthModel,
  StampHealthFunctions,
  healthFunctions,
  substituteParameters,
  workbookGuid,
  workbookQueries,
} from "../../../global/health-model/index.js";
import { prop, runProgram } from "../../harness/pulumi.js";
import { describe as explain, semanticErrors, syntaxErrors } from "./kusto.js";
import { declarations, LOG_TABLES } from "./log-tables.js";
import type { RecordedResource } from "../../../automation/offline/mock-runner.js";

const SUB = "/subscriptions/00000000-0000-4000-8000-00000000c0de";
const T = {
  savedSearch: "azure-native:operationalinsights:SavedSearch",
  workbook: "azure-native:applicationinsights:Workbook",
  component: "azure-native:applicationinsights:Component",
  webTest: "azure-native:applicationinsights:WebTest",
  metricAlert: "azure-native:monitor:MetricAlert",
  queryRule: "azure-native:monitor:ScheduledQueryRule",
};

function globalProgram(envName: string) {
  const env = loadEnvironment(envName);
  const rg = `rg-shoes-${env.name}`;
  return async () => {
    const model = new HealthModel("health", {
      env,
      resourceGroupName: rg,
      location: env.regions[0]!,
      workspaceId: `${SUB}/resourceGroups/${rg}/providers/Microsoft.OperationalInsights/workspaces/log-shoes-${env.name}`,
      workspaceName: `log-shoes-${env.name}`,
      frontDoorProfileId: `${SUB}/resourceGroups/${rg}/providers/Microsoft.Cdn/profiles/afd-shoes-${env.name}`,
      frontDoorEndpointHostName: pulumi.output(`fde-shoes-${env.name}-abcde.z01.azurefd.net`),
      actionGroupId: `${SUB}/resourceGroups/${rg}/providers/Microsoft.Insights/actionGroups/ag-shoes-${env.name}`,
      tags: { "contoso:env": env.name, "contoso:kind": "global" },
    });
    return { aliases: model.functionAliases, workbookId: model.workbookId, alertRuleIds: model.alertRuleIds, webTestId: model.availabilityTestId };
  };
}

function expectCleanKql(query: string, envName: string, what: string) {
  const errors = syntaxErrors(query);
  expect(errors, `${what}: ${explain(errors)}`).to.deep.equal([]);
  const declared = declarations(healthFunctions(loadEnvironment(envName), { kind: "environment" }));
  const semantic = semanticErrors(query, LOG_TABLES, declared);
  expect(semantic, `${what}: ${explain(semantic)}`).to.deep.equal([]);
}

for (const envName of ["prod", "dev"]) {
  describe(`HealthModel in the global stack (${envName})`, function () {
    this.timeout(120_000);
    const env = loadEnvironment(envName);
    let run: Awaited<ReturnType<typeof runProgram<{ aliases: { environmentScore?: string; stampScore: string } }>>>;
    before(async () => {
      run = await runProgram(globalProgram(envName), `${envName}-global`);
    });

    it("saves the environment-wide functions in the workspace, with the environment's thresholds", () => {
      const searches = run.ofType(T.savedSearch);
      const expected = healthFunctions(env, { kind: "environment" });
      expect(searches.map((s) => s.inputs["functionAlias"])).to.deep.equal(expected.map((f) => f.alias));
      for (const s of searches) {
        const fn = expected.find((f) => f.alias === s.inputs["functionAlias"])!;
        expect(s.inputs).to.include({ category: FUNCTION_CATEGORY, workspaceName: `log-shoes-${envName}`, resourceGroupName: `rg-shoes-${envName}`, functionParameters: fn.parameters });
        expect(s.inputs["query"]).to.equal(fn.body);
        expect(syntaxErrors(String(s.inputs["query"])), String(s.inputs["functionAlias"])).to.deep.equal([]);
      }
      const score = searches.find((s) => s.inputs["functionAlias"] === "ContosoHealth_StampScoreOverTime")!;
      expect(score.inputs["functionParameters"]).to.equal("lookback:timespan = 15m, binSize:timespan = 0s");
      expect(score.inputs["query"]).to.include(`Red = real(${env.healthModel.healthScore.red})`);
      const failures = searches.find((s) => s.inputs["functionAlias"] === "ContosoHealth_ApiFailures")!;
      expect(failures.inputs["query"]).to.include(`Red = real(${env.healthModel.failureRatePercent.red})`);
    });

    it("alerts on the environment score below the red threshold", () => {
      const rule = run.one(T.queryRule);
      const condition = (prop(rule, "criteria.allOf") as Record<string, unknown>[])[0]!;
      expect(condition).to.include({ operator: "LessThan", threshold: env.healthModel.healthScore.red, metricMeasureColumn: "Score", timeAggregation: "Minimum" });
      expect(condition["query"]).to.equal("ContosoHealth_EnvironmentScore(15m)");
      expectCleanKql(String(condition["query"]), envName, "score alert");
      expect(rule.inputs).to.include({ kind: "LogAlert", windowSize: "PT15M", enabled: true });
      expect(prop(rule, "scopes")).to.deep.equal([`${SUB}/resourceGroups/rg-shoes-${envName}/providers/Microsoft.OperationalInsights/workspaces/log-shoes-${envName}`]);
      expect(prop(rule, "actions.actionGroups")).to.deep.equal([`${SUB}/resourceGroups/rg-shoes-${envName}/providers/Microsoft.Insights/actionGroups/ag-shoes-${envName}`]);
    });

    it("alerts on Front Door origin health below the share of probes Front Door needs", () => {
      const alert = run.ofType(T.metricAlert).find((a) => String(prop(a, "criteria.odataType")).includes("SingleResource"))!;
      const criterion = (prop(alert, "criteria.allOf") as Record<string, unknown>[])[0]!;
      const p = env.originHealthProbe;
      expect(criterion).to.include({ metricName: "OriginHealthPercentage", metricNamespace: "Microsoft.Cdn/profiles", operator: "LessThan", timeAggregation: "Average" });
      expect(criterion["threshold"]).to.equal(Math.round((100 * p.successfulSamplesRequired) / p.sampleSize));
      expect(prop(alert, "scopes")).to.deep.equal([`${SUB}/resourceGroups/rg-shoes-${envName}/providers/Microsoft.Cdn/profiles/afd-shoes-${envName}`]);
      expect((prop(alert, "actions") as { actionGroupId: string }[])[0]!.actionGroupId).to.match(/actionGroups\/ag-shoes-/);
    });

    it("tests availability of the health contract through Front Door from the environment's locations", () => {
      const insights = run.one(T.component);
      expect(insights.inputs).to.include({ kind: "web", applicationType: "web", ingestionMode: "LogAnalytics" });
      expect(insights.inputs["workspaceResourceId"]).to.match(/workspaces\/log-shoes-/);
      const test = run.one(T.webTest);
      expect(test.inputs).to.include({ kind: "standard", webTestKind: "standard", enabled: true });
      expect(test.inputs["syntheticMonitorId"]).to.equal(test.inputs["webTestName"]);
      expect((prop(test, "locations") as { location: string }[]).map((l) => l.location)).to.deep.equal(env.monitoring.availabilityTestLocations);
      expect(prop(test, "request.requestUrl")).to.equal(`https://fde-shoes-${envName}-abcde.z01.azurefd.net/health/stamp`);
      expect(prop(test, "validationRules.expectedHttpStatusCode")).to.equal(200);
      const tags = test.inputs["tags"] as Record<string, string>;
      expect(tags[`hidden-link:${insights.outputs["id"]}`]).to.equal("Resource");
      const alert = run.ofType(T.metricAlert).find((a) => String(prop(a, "criteria.odataType")).includes("Webtest"))!;
      expect(prop(alert, "criteria")).to.include({ webTestId: test.outputs["id"], componentId: insights.outputs["id"], failedLocationCount: Math.min(2, env.monitoring.availabilityTestLocations.length) });
      expect(prop(alert, "scopes")).to.deep.equal([test.outputs["id"], insights.outputs["id"]]);
    });

    it("deploys a shared workbook whose JSON is valid, references the functions and parses", () => {
      const workbook = run.one(T.workbook);
      expect(workbook.inputs).to.include({ kind: "shared", category: "workbook", version: "Notebook/1.0", resourceName: workbookGuid(envName) });
      expect(workbook.inputs["resourceName"]).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const serialized = String(workbook.inputs["serializedData"]);
      expect(() => JSON.parse(serialized)).to.not.throw();
      expect(serialized).to.include("ContosoHealth_EnvironmentScore({Lookback})").and.include("ContosoHealth_Components({Lookback})");
      expect(serialized).to.include(`afd-shoes-${envName}`);
      for (const { name, query } of workbookQueries(serialized)) expectCleanKql(substituteParameters(query), envName, `workbook ${name}`);
    });

    it("tags every resource it creates", () => {
      const own = run.resources.filter((r: RecordedResource) => r.custom);
      expect(own.length).to.equal(run.ofType(T.savedSearch).length + 6);
      for (const r of own.filter((r) => r.type !== T.savedSearch)) expect((r.inputs["tags"] as Record<string, string>)["contoso:env"], r.name).to.equal(envName);
      for (const r of run.ofType(T.savedSearch)) expect(r.inputs["tags"]).to.deep.include({ name: "contoso:env", value: envName });
    });
  });
}

describe("HealthModel thresholds differ between environments", function () {
  this.timeout(120_000);
  it("prod alerts at 70 and dev at 50; prod's origin alert is stricter", async () => {
    const [prod, dev] = await Promise.all([runProgram(globalProgram("prod"), "prod-global"), runProgram(globalProgram("dev"), "dev-global")]);
    const threshold = (r: typeof prod) => (prop(r.one(T.queryRule), "criteria.allOf") as { threshold: number }[])[0]!.threshold;
    expect(threshold(prod)).to.equal(70);
    expect(threshold(dev)).to.equal(50);
    const apiFailures = (r: typeof prod) => String(r.ofType(T.savedSearch).find((s) => s.inputs["functionAlias"] === "ContosoHealth_ApiFailures")!.inputs["query"]);
    expect(apiFailures(prod)).to.include("Yellow = real(1), Red = real(5)");
    expect(apiFailures(dev)).to.include("Yellow = real(5), Red = real(20)");
    const origin = (r: typeof prod) =>
      (prop(r.ofType(T.metricAlert).find((a) => String(prop(a, "criteria.odataType")).includes("SingleResource"))!, "criteria.allOf") as { threshold: number }[])[0]!.threshold;
    expect(origin(prod)).to.equal(75);
    expect(origin(dev)).to.equal(50);
  });
});

for (const envName of ["prod", "dev"]) {
  describe(`StampHealthFunctions in a stamp stack (${envName})`, function () {
    this.timeout(120_000);
    const env = loadEnvironment(envName);
    const region = "westeurope";
    const stampRg = `rg-shoes-${envName}-weu-r42`;
    const workspaceId = `${SUB}/resourceGroups/${stampRg}/providers/Microsoft.OperationalInsights/workspaces/log-shoes-${envName}-weu-r42`;
    let run: Awaited<ReturnType<typeof runProgram<{ aliases: { stampScore: string } }>>>;
    before(async () => {
      run = await runProgram(async () => {
        const stamp = new StampHealthFunctions("health", {
          env,
          region,
          release: "r42",
          resourceGroupName: stampRg,
          workspaceId,
          workspaceName: `log-shoes-${envName}-weu-r42`,
          actionGroupId: `${SUB}/resourceGroups/rg-shoes-${envName}/providers/Microsoft.Insights/actionGroups/ag-shoes-${envName}`,
          tags: { "contoso:env": envName, "contoso:kind": "stamp" },
        });
        return { aliases: stamp.functionAliases };
      }, `${envName}-weu-r42`);
    });

    it("saves the stamp's component functions and score under aliases that name the stamp", () => {
      const searches = run.ofType(T.savedSearch);
      const aliases = searches.map((s) => String(s.inputs["functionAlias"]));
      expect(aliases).to.include.members([
        "ContosoHealth_weu_r42_ApiFailures",
        "ContosoHealth_weu_r42_ApiLatency",
        "ContosoHealth_weu_r42_DependencyFailures",
        "ContosoHealth_weu_r42_QueueBacklog",
        "ContosoHealth_weu_r42_KeyVaultErrors",
        "ContosoHealth_weu_r42_StampScore",
      ]);
      // Cosmos DB and Front Door report to the global workspace only (issue 12, defect 2).
      expect(aliases).to.not.include("ContosoHealth_weu_r42_CosmosErrors");
      expect(aliases).to.not.include("ContosoHealth_weu_r42_FrontDoorOrigins");
      expect(aliases.every((a) => a.startsWith("ContosoHealth_weu_r42_"))).to.equal(true);
      for (const s of searches) {
        expect(s.inputs).to.include({ category: FUNCTION_CATEGORY, workspaceName: `log-shoes-${envName}-weu-r42` });
        expect(syntaxErrors(String(s.inputs["query"])), String(s.inputs["functionAlias"])).to.deep.equal([]);
      }
      const latency = searches.find((s) => s.inputs["functionAlias"] === "ContosoHealth_weu_r42_ApiLatency")!;
      expect(latency.inputs["query"]).to.include(`Yellow = real(${env.healthModel.latencyP95Ms.yellow}), Red = real(${env.healthModel.latencyP95Ms.red})`);
      expect(latency.inputs["query"]).to.include(`| where Stamp == "${envName}-weu-r42"`);
    });

    it("alerts per stamp when the stamp's score falls below the red threshold", () => {
      const rule = run.one(T.queryRule);
      const condition = (prop(rule, "criteria.allOf") as Record<string, unknown>[])[0]!;
      expect(condition).to.include({ operator: "LessThan", threshold: env.healthModel.healthScore.red, metricMeasureColumn: "Score" });
      expect(condition["query"]).to.equal("ContosoHealth_weu_r42_StampScore(15m)");
      expect(condition["dimensions"]).to.deep.equal([{ name: "Stamp", operator: "Include", values: ["*"] }]);
      const declared = declarations(healthFunctions(env, { kind: "stamp", region, release: "r42" }));
      const text = String(condition["query"]);
      expect(syntaxErrors(text)).to.deep.equal([]);
      expect(semanticErrors(text, LOG_TABLES, declared), explain(semanticErrors(text, LOG_TABLES, declared))).to.deep.equal([]);
      expect(rule.inputs).to.include({ location: region, kind: "LogAlert" });
      expect(prop(rule, "scopes")).to.deep.equal([workspaceId]);
      expect(String(rule.inputs["ruleName"])).to.include("weu-r42");
      expect(prop(rule, "actions.customProperties")).to.deep.equal({ stamp: `${envName}-weu-r42`, region, release: "r42" });
    });
  });
}
