import { expect } from "chai";
import { APP_SETTING } from "../../stamp/app-settings.js";
import { BUILT_IN_ROLES } from "../../stamp/roles.js";
import { blueOrigins, env, runGlobal } from "../global/fixtures.js";
import { stampRun, T } from "./fixtures.js";

/**
 * Issue 12, defect 5: Application Insights accepts only Entra-authenticated telemetry
 * (disableLocalAuth), and the app authenticates with its managed identity: the
 * APPLICATIONINSIGHTS_AUTHENTICATION_STRING setting names the identity's client id, and the identity
 * holds Monitoring Metrics Publisher on the component (learn.microsoft.com/azure/azure-monitor/app/azure-ad-authentication).
 */
describe("Application Insights: Entra ID only (defect 5)", function () {
  this.timeout(300_000);

  for (const envName of ["prod", "dev"]) {
    it(`${envName} stamp: local auth off, the app authenticates with its identity`, async function () {
      const run = await stampRun(envName);
      const appi = run.one(T.appInsights);
      expect(appi.inputs["disableLocalAuth"]).to.equal(true);

      const identity = run.one(T.identity);
      const settings = run.one(T.webApp).inputs["siteConfig"] as { appSettings: { name: string; value: string }[] };
      const setting = (name: string) => settings.appSettings.find((s) => s.name === name)?.value;
      expect(setting(APP_SETTING.appInsightsAuthentication)).to.equal(`Authorization=AAD;ClientId=${String(identity.outputs["clientId"])}`);

      const publisher = run
        .ofType(T.roleAssignment)
        .filter((a) => String(a.inputs["roleDefinitionId"]).endsWith(`/roleDefinitions/${BUILT_IN_ROLES.monitoringMetricsPublisher}`));
      expect(publisher.map((a) => a.inputs["scope"])).to.deep.equal([appi.outputs["id"]]);
      expect(publisher[0]!.inputs["principalId"]).to.equal(identity.outputs["principalId"]);
    });
  }

  it("global availability component: local auth off", async function () {
    const prod = env("prod");
    const run = await runGlobal(prod, blueOrigins(prod));
    const components = run.ofType(T.appInsights);
    expect(components.length).to.be.greaterThan(0);
    for (const c of components) expect(c.inputs["disableLocalAuth"], c.name).to.equal(true);
  });
});
