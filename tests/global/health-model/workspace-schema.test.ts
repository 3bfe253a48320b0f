import { expect } from "chai";
import { validateQueries } from "../../../automation/offline/azure-model/query-validation.js";
import { AzureSubscription } from "../../../automation/offline/azure-model/subscription.js";
import { componentsJudgedIn } from "../../../global/health-model/model.js";
import { blueOrigins, env, runGlobal } from "../fixtures.js";
import { stampRun } from "../../stamp/fixtures.js";

/**
 * Issue 12, defect 2: Azure validates a log alert rule (and here every saved function and workbook
 * panel) against the workspace it runs in, as that workspace is when the rule is saved. The global
 * stack's queries must hold in the global workspace on the first deployment, before any stamp exists
 * and before Front Door has logged anything; a stamp's functions in its regional workspace, which
 * never receives Front Door or Cosmos DB telemetry.
 */
describe("health model queries against the schema of the workspace that runs them (defect 2)", function () {
  this.timeout(300_000);

  for (const envName of ["prod", "dev"]) {
    it(`${envName} global stack: every function, alert and workbook panel, first deployment`, async function () {
      const environment = env(envName);
      const run = await runGlobal(environment, blueOrigins(environment));
      const resources = AzureSubscription.modelResources(`${envName}-global`, run.resources.filter((r) => r.custom));
      const checked = resources.filter((r) => /SavedSearch|ScheduledQueryRule|Workbook/.test(r.type));
      expect(checked.length).to.be.greaterThan(5);
      expect(validateQueries(resources, resources, new Set()).map((p) => `${p.resource.name}: ${p.message}`)).to.deep.equal([]);
    });

    it(`${envName} stamp: its functions and score alert in its regional workspace`, async function () {
      const run = await stampRun(envName);
      const resources = AzureSubscription.modelResources(`${envName}-stamp`, run.resources.filter((r) => r.custom));
      expect(resources.filter((r) => r.type.endsWith("SavedSearch")).length).to.be.greaterThan(3);
      expect(validateQueries(resources, resources, new Set()).map((p) => `${p.resource.name}: ${p.message}`)).to.deep.equal([]);
    });
  }

  it("a stamp's score weighs only what reaches its workspace, so its weights still span the whole score", async function () {
    const run = await stampRun("prod");
    // The formula lives in the over-time function; StampScore is its one-bin call.
    const score = run.ofType("azure-native:operationalinsights:SavedSearch").find((s) => String(s.inputs["functionAlias"]).endsWith("_StampScoreOverTime"))!;
    const query = String(score.inputs["query"]);
    const judged = componentsJudgedIn("stamp");
    expect(judged.map((c) => c.name)).to.not.include.members(["frontdoor", "cosmos"]);
    for (const c of judged) expect(query).to.include(`"${c.name}", real(${c.weight})`);
    expect(query).to.not.include(`"frontdoor"`);
    expect(query).to.not.include(`"cosmos"`);
    expect(query).to.include(`100.0 * Lost / real(${judged.reduce((sum, c) => sum + c.weight, 0)})`);
  });
});
