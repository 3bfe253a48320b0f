import { expect } from "chai";
import { stampRun } from "../stamp/fixtures.js";
import { blueOrigins, env, runGlobal } from "./fixtures.js";

/** The health model is deployed by the stacks themselves, with each environment's thresholds. */
describe("health model in the stacks", () => {
  for (const name of ["prod", "dev"]) {
    it(`${name}: the global stack deploys the workbook, the saved functions and the alerts with ${name}'s thresholds`, async () => {
      const environment = env(name);
      const run = await runGlobal(environment, blueOrigins(environment));
      expect(run.ofType("azure-native:applicationinsights:Workbook"), "workbook").to.have.length(1);
      const functions = run.ofType("azure-native:operationalinsights:SavedSearch");
      expect(functions.map((f) => String(f.inputs["functionAlias"]))).to.include("ContosoHealth_EnvironmentScore");
      const scoreAlert = run.ofType("azure-native:monitor:ScheduledQueryRule");
      expect(scoreAlert).to.have.length.at.least(1);
      expect(JSON.stringify(scoreAlert[0]!.inputs)).to.contain(String(environment.healthModel.healthScore.red));
      expect(run.ofType("azure-native:monitor:MetricAlert").length, "origin health and availability alerts").to.be.at.least(2);
      expect(run.ofType("azure-native:applicationinsights:WebTest")).to.have.length(1);
    });

    it(`${name}: the workbook charts the traffic split per origin, and its portal address is a global output`, async () => {
      const environment = env(name);
      const run = await runGlobal(environment, blueOrigins(environment));
      const workbook = run.one("azure-native:applicationinsights:Workbook");
      const items = (JSON.parse(String(workbook.inputs["serializedData"])) as { items: { name: string; content: { metrics?: { metric: string; splitBy: string }[]; resourceIds?: string[] } }[] }).items;
      const split = items.find((i) => i.name === "traffic-split");
      expect(split?.content.metrics).to.deep.equal([{ namespace: "microsoft.cdn/profiles", metric: "microsoft.cdn/profiles--OriginRequestCount", aggregation: 1, splitBy: "Origin" }]);
      expect(split?.content.resourceIds).to.deep.equal([run.outputs.frontDoorProfileId]);
      expect(run.outputs.healthWorkbookUrl).to.equal(`https://portal.azure.com/#resource${workbook.id}`);
    });

    it(`${name}: every stamp saves its component functions and a score alert in its own workspace`, async () => {
      const run = await stampRun(name);
      const functions = run.ofType("azure-native:operationalinsights:SavedSearch").map((f) => String(f.inputs["functionAlias"]));
      expect(functions.some((f) => /_StampScore$/.test(f)), functions.join(", ")).to.equal(true);
      const alert = run.one("azure-native:monitor:ScheduledQueryRule");
      expect(JSON.stringify(alert.inputs)).to.contain(String(env(name).healthModel.healthScore.red));
    });
  }
});
