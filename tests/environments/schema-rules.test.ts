import { expect } from "chai";
import { InputError, loadEnvironment, type EnvironmentOverrides } from "../../environments/index.js";

/**
 * Every rule of environments/schema.ts with an input of its own that breaks only that rule, so
 * loosening any one rule (a bound, a pattern, a cross-field check) fails the case that names it.
 * Where a bound is a number, the value just past it is refused and the bound itself accepted.
 */

type Case = [title: string, env: string, overrides: EnvironmentOverrides, path: string, message: RegExp];

const nineRegions = ["westeurope", "northeurope", "swedencentral", "francecentral", "germanywestcentral", "uksouth", "eastus", "westus2", "centralus"];

const refused: Case[] = [
  ["a description that is empty", "dev", { description: "" }, "description", />=1/],
  ["a class that is not one of the three", "dev", { class: "prod" as never }, "class", /production|preproduction|development/],
  ["an owner that is not an identity", "dev", { owner: "bad owner!" }, "owner", /must be a user or pipeline identity/],
  ["no region", "dev", { regions: [] }, "regions", /needs at least one region/],
  ["nine regions", "prod", { regions: nineRegions }, "regions", /at most 8 regions/],
  ["a region twice", "staging", { regions: ["westeurope", "westeurope"] }, "regions", /regions must not repeat/],
  ["an unknown region", "dev", { regions: ["westeurop"] }, "regions.0", /unknown Azure region "westeurop"/],
  ["a region in the wrong case", "dev", { regions: ["WestEurope"] }, "regions.0", /unknown Azure region "WestEurope"/],
  ["a Front Door SKU that does not exist", "dev", { frontDoor: { sku: "Classic_AzureFrontDoor" as never } }, "frontDoor.sku", /Standard_AzureFrontDoor/],
  ["a WAF mode that does not exist", "dev", { frontDoor: { wafMode: "Off" as never } }, "frontDoor.wafMode", /Prevention/],
  ["a WAF rate limit below 10 a minute", "dev", { frontDoor: { rateLimitPerMinute: 9 } }, "frontDoor.rateLimitPerMinute", />=10/],
  ["an origin response timeout below 16 s", "dev", { frontDoor: { originResponseTimeoutSeconds: 15 } }, "frontDoor.originResponseTimeoutSeconds", />=16/],
  ["an origin response timeout above 240 s", "dev", { frontDoor: { originResponseTimeoutSeconds: 241 } }, "frontDoor.originResponseTimeoutSeconds", /<=240/],
  ["a probe path that is not absolute", "dev", { originHealthProbe: { path: "health/stamp" } }, "originHealthProbe.path", /must be an absolute URL path/],
  ["a Front Door probe interval below 5 s", "dev", { originHealthProbe: { intervalSeconds: 4 } }, "originHealthProbe.intervalSeconds", />=5/],
  ["a Front Door probe asking more successes than samples", "dev", { originHealthProbe: { sampleSize: 4, successfulSamplesRequired: 5 } }, "originHealthProbe", /successfulSamplesRequired must not exceed sampleSize/],
  ["a gate interval that is not a duration", "dev", { healthGate: { interval: "5 parsecs" } }, "healthGate.interval", /^interval /],
  ["a gate interval of zero", "dev", { healthGate: { interval: "0s" } }, "healthGate.interval", /interval must be greater than zero/],
  ["a gate sample size of 0", "dev", { healthGate: { sampleSize: 0, successesRequired: 0 } }, "healthGate.sampleSize", />=1/],
  ["a gate sample size of 101", "dev", { healthGate: { sampleSize: 101 } }, "healthGate.sampleSize", /<=100/],
  ["a gate sample size that is not whole", "dev", { healthGate: { sampleSize: 2.5 } }, "healthGate.sampleSize", /must be a whole number/],
  ["a gate asking more successes than samples", "dev", { healthGate: { sampleSize: 3, successesRequired: 4 } }, "healthGate", /successesRequired must not exceed sampleSize/],
  ["a gate probe timeout longer than its interval", "dev", { healthGate: { interval: "5s", probeTimeout: "6s" } }, "healthGate", /probeTimeout must not exceed interval/],
  ["a gate deadline shorter than its samples", "dev", { healthGate: { interval: "5s", sampleSize: 3, deadline: "14s" } }, "healthGate", /deadline must leave room for sampleSize probes/],
  ["no release step", "dev", { release: { steps: [] } }, "release.steps", /needs at least one step/],
  ["release steps that repeat", "prod", { release: { steps: [10, 10, 100] } }, "release.steps", /steps must strictly increase/],
  ["release steps that go down", "prod", { release: { steps: [50, 10, 100] } }, "release.steps", /steps must strictly increase/],
  ["release steps that stop short of 100", "prod", { release: { steps: [10, 50] } }, "release.steps", /steps must end at 100 percent/],
  ["a release step of 0", "prod", { release: { steps: [0, 100] } }, "release.steps.0", />=1/],
  ["a bake time that is not a duration", "dev", { release: { bakeTime: "soon" } }, "release.bakeTime", /^bakeTime /],
  ["an edge timeout that is not a duration", "dev", { release: { edgePropagationTimeout: "-5m" } }, "release.edgePropagationTimeout", /^edgePropagationTimeout /],
  ["a blue retention that is not a duration", "dev", { release: { blueRetention: "1 week" } }, "release.blueRetention", /^blueRetention /],
  ["an App Service SKU that is retiring", "dev", { appService: { skuName: "P1v2" as never } }, "appService.skuName", /P1v3/],
  ["no instance", "dev", { appService: { minInstances: 0 } }, "appService.minInstances", />=1/],
  ["31 instances", "dev", { appService: { maxInstances: 31 } }, "appService.maxInstances", /<=30/],
  ["a CPU scale-out threshold above 95 %", "dev", { appService: { cpuScaleOutPercent: 96 } }, "appService.cpuScaleOutPercent", /<=95/],
  ["more minimum than maximum instances", "dev", { appService: { minInstances: 2, maxInstances: 1 } }, "appService.minInstances", /must not exceed maxInstances/],
  ["a zone-redundant plan on a SKU without zones", "dev", { appService: { zoneRedundant: true, skuName: "S1", minInstances: 3, maxInstances: 3 } }, "appService.skuName", /zone redundancy needs a Premium v3 plan/],
  ["a zone-redundant plan with fewer than three instances", "dev", { appService: { zoneRedundant: true, skuName: "P1v3", minInstances: 2 } }, "appService.minInstances", /a zone-redundant plan needs at least 3 instances/],
  ["zone redundancy in a region without zones", "dev", { regions: ["ukwest"], cosmos: { zoneRedundant: true } }, "regions.0", /ukwest has no availability zones/],
  ["production in one region", "prod", { regions: ["westeurope"] }, "regions", /production needs at least 2 regions/],
  ["production on a plan older than Premium v3", "prod", { appService: { skuName: "S1", zoneRedundant: false } }, "appService.skuName", /production needs a Premium v3 plan/],
  ["two regions on a registry that cannot geo-replicate", "staging", { registry: { sku: "Standard" } }, "registry.sku", /geo-replication to every region needs the Premium registry/],
  ["a zone-redundant Service Bus on Standard", "dev", { serviceBus: { zoneRedundant: true } }, "serviceBus.sku", /zone redundancy needs Service Bus Premium/],
  ["a Service Bus capacity Azure does not sell", "dev", { serviceBus: { capacity: 3 as never } }, "serviceBus.capacity", /.+/],
  ["serverless Cosmos DB in two regions", "dev", { regions: ["westeurope", "northeurope"], registry: { sku: "Premium" } }, "cosmos.serverless", /serverless Cosmos DB supports a single region only/],
  ["a Key Vault soft-delete retention of 6 days", "dev", { keyVault: { softDeleteRetentionDays: 6 } }, "keyVault.softDeleteRetentionDays", />=7/],
  ["an address space outside 10/8", "dev", { network: { addressSpace: "192.168.0.0/16" } }, "network.addressSpace", /must be a 10.x.y.0\/16, \/20 or \/22 range/],
  ["an address space of the wrong size", "dev", { network: { addressSpace: "10.60.0.0/24" } }, "network.addressSpace", /must be a 10.x.y.0\/16, \/20 or \/22 range/],
  ["a log retention below 30 days", "dev", { monitoring: { logRetentionDays: 29 } }, "monitoring.logRetentionDays", />=30/],
  ["an alert address that is not one", "dev", { monitoring: { alertEmails: ["on-call"] } }, "monitoring.alertEmails.0", /email/i],
  ["no alert address", "dev", { monitoring: { alertEmails: [] } }, "monitoring.alertEmails", />=1/],
  ["no availability test location", "dev", { monitoring: { availabilityTestLocations: [] } }, "monitoring.availabilityTestLocations", />=1/],
  ["a red threshold below the yellow one", "dev", { healthModel: { failureRatePercent: { yellow: 20, red: 5 } } }, "healthModel.failureRatePercent", /red threshold must be at or above the yellow threshold/],
  ["a negative threshold", "dev", { healthModel: { latencyP95Ms: { yellow: -1, red: 10 } } }, "healthModel.latencyP95Ms.yellow", />=0/],
  ["a health score red above yellow", "dev", { healthModel: { healthScore: { yellow: 50, red: 80 } } }, "healthModel.healthScore", /healthScore.red must be at or below healthScore.yellow/],
  ["a health score above 100", "dev", { healthModel: { healthScore: { yellow: 101, red: 50 } } }, "healthModel.healthScore.yellow", /<=100/],
  ["a telemetry switch that is not true or false", "dev", { healthModel: { environmentWideTelemetry: "yes" as never } }, "healthModel.environmentWideTelemetry", /must be true or false/],
  ["a TTL default above its maximum", "dev", { ttl: { default: "8d", max: "7d" } }, "ttl", /ttl.default must not exceed ttl.max/],
  ["a TTL of zero", "dev", { ttl: { default: "0s" } }, "ttl.default", /ttl.default must be greater than zero/],
  ["an ephemeral environment without a TTL", "dev", { ttl: null }, "ttl", /an ephemeral environment needs a time-to-live/],
  ["an ephemeral environment that is protected", "dev", { protected: true }, "protected", /an ephemeral environment cannot be protected/],
  ["a tag name with a character Azure refuses", "dev", { tags: { "cost<center": "x" } }, "tags.cost<center", /tag names must be 1-512 characters/],
  ["a tag value of 257 characters", "dev", { tags: { team: "x".repeat(257) } }, "tags.team", /tag values must be at most 256 characters/],
];

const accepted: [title: string, env: string, overrides: EnvironmentOverrides][] = [
  ["the bounds themselves", "dev", {
    frontDoor: { rateLimitPerMinute: 10, originResponseTimeoutSeconds: 240 },
    originHealthProbe: { intervalSeconds: 5, sampleSize: 4, successfulSamplesRequired: 4 },
    healthGate: { interval: "5s", probeTimeout: "5s", sampleSize: 3, successesRequired: 3, deadline: "15s" },
    appService: { minInstances: 2, maxInstances: 2, cpuScaleOutPercent: 95 },
    keyVault: { softDeleteRetentionDays: 7 },
    monitoring: { logRetentionDays: 30 },
    healthModel: { failureRatePercent: { yellow: 5, red: 5 }, healthScore: { yellow: 100, red: 100 } },
    ttl: { default: "7d", max: "7d" },
    tags: { team: "x".repeat(256) },
  }],
  ["eight regions, a zone-redundant Premium v3 plan of three instances", "prod", {
    regions: nineRegions.slice(0, 8).filter((r) => r !== "ukwest"),
    appService: { zoneRedundant: true, skuName: "P1v3", minInstances: 3 },
  }],
  ["a single release step of 100", "dev", { release: { steps: [100] } }],
];

describe("environment schema: every rule refuses its own bad input (environments/schema.ts)", () => {
  for (const [title, env, overrides, path, message] of refused) {
    it(`refuses ${title}`, () => {
      let error: unknown;
      try {
        loadEnvironment(env, overrides);
      } catch (err) {
        error = err;
      }
      expect(error, `${title} was accepted`).to.be.instanceOf(InputError);
      const text = (error as Error).message;
      const prefix = `environment "${env}": ${path}: `;
      expect(text.startsWith(prefix), `"${text}" should start with "${prefix}"`).to.equal(true);
      expect(text.slice(prefix.length)).to.match(message);
      expect(text.split("\n")).to.have.length(1);
    });
  }

  it("refuses environment names past 12 characters or off the pattern, and accepts 12", () => {
    const refusal = (name: string) => {
      try {
        loadEnvironment(name);
      } catch (err) {
        expect(err).to.be.instanceOf(InputError);
        return (err as Error).message;
      }
      return "accepted";
    };
    expect(refusal("dev-abcdefghi")).to.equal('environment name "dev-abcdefghi" must be at most 12 characters');
    expect(refusal("dev-abcdefgh")).to.equal("accepted");
    for (const bad of ["Dev-alice", "dev_alice", "dev-a-b", "1dev", "dev-"]) {
      expect(refusal(bad), bad).to.match(/must be lower-case letters and digits, starting with a letter, with at most one '-'/);
    }
  });

  for (const [title, env, overrides] of accepted) {
    it(`accepts ${title}`, () => {
      expect(() => loadEnvironment(env, overrides)).not.to.throw();
    });
  }
});
