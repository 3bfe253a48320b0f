import { expect } from "chai";
import type { GlobalOutputs } from "../../global/contract.js";
import { prop, type ProgramRun } from "../harness/pulumi.js";
import { blueOrigins, env, runGlobal, TYPES } from "./fixtures.js";

describe("global stack: Front Door", () => {
  const cases = [
    { name: "prod", sku: "Premium_AzureFrontDoor", probeInterval: 30, successes: 3, managedRules: ["Microsoft_DefaultRuleSet", "Microsoft_BotManagerRuleSet"], rateLimit: 3000 },
    { name: "dev", sku: "Standard_AzureFrontDoor", probeInterval: 60, successes: 2, managedRules: [], rateLimit: 600 },
  ];

  for (const c of cases) {
    describe(c.name, () => {
      const environment = env(c.name);
      let run: ProgramRun<GlobalOutputs>;
      before(async () => {
        run = await runGlobal(environment, blueOrigins(environment));
      });

      it(`has a ${c.sku} profile with the environment's origin timeout`, () => {
        const profile = run.one(TYPES.profile);
        expect(prop(profile, "sku.name")).to.equal(c.sku);
        expect(profile.inputs["location"]).to.equal("global");
        expect(profile.inputs["originResponseTimeoutSeconds"]).to.equal(environment.frontDoor.originResponseTimeoutSeconds);
        expect(profile.inputs["profileName"]).to.equal(`afd-shoes-${c.name}`);
      });

      it("has an enabled endpoint with a globally unique name and reports its host name and FDID", () => {
        const endpoint = run.one(TYPES.endpoint, "frontdoor-endpoint");
        expect(endpoint.inputs["endpointName"]).to.match(new RegExp(`^fde-shoes-${c.name}-[a-z0-9]{5}$`));
        expect(endpoint.inputs["enabledState"]).to.equal("Enabled");
        expect(run.outputs.frontDoorEndpointHostName).to.equal(endpoint.outputs["hostName"]);
        expect(run.outputs.frontDoorEndpointHostName).to.match(/\.azurefd\.net$/);
        const profile = run.one(TYPES.profile);
        expect(run.outputs.frontDoorId).to.equal(profile.outputs["frontDoorId"]);
        expect(run.outputs.frontDoorId).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        expect(run.outputs.frontDoorProfileId).to.equal(profile.id);
      });

      it("probes every origin over HTTPS on /health/stamp with the environment's probe settings (latency-based)", () => {
        const group = run.one(TYPES.originGroup, "frontdoor-origin-group");
        expect(prop(group, "healthProbeSettings")).to.deep.equal({
          probePath: "/health/stamp",
          probeProtocol: "Https",
          probeRequestType: "HEAD",
          probeIntervalInSeconds: c.probeInterval,
        });
        expect(prop(group, "loadBalancingSettings")).to.deep.equal({
          sampleSize: environment.originHealthProbe.sampleSize,
          successfulSamplesRequired: c.successes,
          additionalLatencyInMilliseconds: environment.originHealthProbe.additionalLatencyMs,
        });
        expect(group.inputs["sessionAffinityState"]).to.equal("Disabled");
      });

      it("routes HTTPS only, redirecting HTTP, to the API origin group", () => {
        const route = run.one(TYPES.route, "route-api");
        const group = run.one(TYPES.originGroup, "frontdoor-origin-group");
        const endpoint = run.one(TYPES.endpoint, "frontdoor-endpoint");
        expect(route.inputs).to.include({ httpsRedirect: "Enabled", forwardingProtocol: "HttpsOnly", linkToDefaultDomain: "Enabled", enabledState: "Enabled" });
        expect(route.inputs["supportedProtocols"]).to.have.members(["Http", "Https"]);
        expect(route.inputs["patternsToMatch"]).to.deep.equal(["/*"]);
        expect(prop(route, "originGroup.id")).to.equal(group.id);
        expect(route.inputs["endpointName"]).to.equal(endpoint.outputs["name"]);
      });

      it(`has a WAF policy in Prevention mode with a rate limit of ${c.rateLimit}/min per client${c.managedRules.length ? " and the managed default and bot rule sets" : ""}`, () => {
        const waf = run.one(TYPES.waf);
        expect(prop(waf, "sku.name")).to.equal(c.sku);
        expect(prop(waf, "policySettings.mode")).to.equal("Prevention");
        expect(prop(waf, "policySettings.enabledState")).to.equal("Enabled");
        const sets = prop(waf, "managedRules.managedRuleSets") as { ruleSetType: string; ruleSetVersion: string }[];
        expect(sets.map((s) => s.ruleSetType)).to.deep.equal(c.managedRules);
        const rules = prop(waf, "customRules.rules") as Record<string, unknown>[];
        expect(rules).to.have.length(1);
        expect(rules[0]).to.include({ ruleType: "RateLimitRule", rateLimitDurationInMinutes: 1, rateLimitThreshold: c.rateLimit, action: "Block", enabledState: "Enabled" });
        expect(rules[0]!["groupBy"]).to.deep.equal([{ variableName: "SocketAddr" }]);
        expect(rules[0]!["matchConditions"]).to.deep.equal([{ matchVariable: "RemoteAddr", operator: "IPMatch", matchValue: ["0.0.0.0/0", "::/0"] }]);
      });

      it("attaches the WAF policy to the endpoint with a security policy", () => {
        const policy = run.one(TYPES.securityPolicy);
        const waf = run.one(TYPES.waf);
        const endpoint = run.one(TYPES.endpoint, "frontdoor-endpoint");
        expect(prop(policy, "parameters.type")).to.equal("WebApplicationFirewall");
        expect(prop(policy, "parameters.wafPolicy.id")).to.equal(waf.id);
        // The environment's endpoint first, then every stamp's own (origins.test.ts checks those).
        const stampEndpoints = run.ofType(TYPES.endpoint).filter((e) => e.name.startsWith("stamp-endpoint-"));
        expect(prop(policy, "parameters.associations")).to.deep.equal([{ domains: [{ id: endpoint.id }, ...stampEndpoints.map((e) => ({ id: e.id }))], patternsToMatch: ["/*"] }]);
      });
    });
  }
});
