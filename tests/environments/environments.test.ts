import { expect } from "chai";
import { InputError, listEnvironments, loadEnvironment, validateEnvironment } from "../../environments/index.js";
import { prod } from "../../environments/prod.js";
import { findRegion } from "../../environments/regions.js";

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(InputError);
    const message = (err as Error).message;
    expect(message.split("\n")).to.have.length(1, "an error is one line");
    return message;
  }
  throw new Error("expected the input to be refused");
}

describe("environments", () => {
  it("defines prod, staging and the dev template", () => {
    expect(listEnvironments()).to.have.members(["prod", "staging", "dev"]);
  });

  it("prod runs zone-redundant in at least three zone-capable regions with staged releases", () => {
    const env = loadEnvironment("prod");
    expect(env.regions.length).to.be.at.least(3);
    for (const r of env.regions) expect(findRegion(r)?.availabilityZones, r).to.equal(true);
    expect(env.appService.zoneRedundant).to.equal(true);
    expect(env.appService.minInstances).to.be.at.least(3);
    expect(env.appService.skuName).to.match(/v3$/);
    expect(env.frontDoor.sku).to.equal("Premium_AzureFrontDoor");
    expect(env.network.isolation).to.equal(true);
    expect(env.release.steps).to.deep.equal([10, 50, 100]);
    expect(env.release.bakeTime).to.equal(15 * 60_000);
    expect(env.protected).to.equal(true);
    expect(env.ttl).to.equal(null);
  });

  it("staging mirrors prod's shape but is its own environment", () => {
    const [p, s] = [loadEnvironment("prod"), loadEnvironment("staging")];
    expect(s.regions).to.deep.equal(p.regions);
    expect(s.appService).to.deep.equal(p.appService);
    expect(s.network.isolation).to.equal(true);
    expect(s.protected).to.equal(true);
    expect(s.class).to.not.equal(p.class);
  });

  it("dev is one region on cheap SKUs with a time-to-live", () => {
    const env = loadEnvironment("dev");
    expect(env.regions).to.have.length(1);
    expect(env.appService.skuName).to.equal("B1");
    expect(env.frontDoor.sku).to.equal("Standard_AzureFrontDoor");
    expect(env.ttl).to.deep.equal({ default: 8 * 3_600_000, max: 7 * 86_400_000 });
    expect(env.protected).to.equal(false);
  });

  it("a personal environment is the dev template with a name and an owner", () => {
    const env = loadEnvironment("dev-alice");
    expect(env.name).to.equal("dev-alice");
    expect(env.owner).to.equal("alice");
    expect(env.class).to.equal("development");
    expect(loadEnvironment("dev-bob", { owner: "bob@contoso" }).owner).to.equal("bob@contoso");
  });

  it("every defined environment sends its stamps' health signals to the global workspace too", () => {
    for (const name of [...listEnvironments(), "dev-alice"]) {
      expect(loadEnvironment(name).healthModel.environmentWideTelemetry, name).to.equal(true);
    }
    expect(loadEnvironment("dev", { healthModel: { environmentWideTelemetry: false } }).healthModel.environmentWideTelemetry).to.equal(false);
  });

  it("applies valid overrides field by field", () => {
    const env = loadEnvironment("prod", { release: { steps: [5, 25, 100], bakeTime: "30s" } });
    expect(env.release.steps).to.deep.equal([5, 25, 100]);
    expect(env.release.bakeTime).to.equal(30_000);
    expect(env.release.edgePropagationTimeout).to.equal(25 * 60_000, "untouched fields keep their values");
  });

  describe("refuses bad definitions with the field named", () => {
    it("an unknown region", () => {
      expect(refusal(() => loadEnvironment("prod", { regions: ["westeurope", "narnia", "northeurope"] }))).to.match(
        /^environment "prod": regions\.1: unknown Azure region "narnia"/,
      );
    });
    it("steps that do not end at 100", () => {
      expect(refusal(() => loadEnvironment("prod", { release: { steps: [10, 50] } }))).to.match(/release\.steps: steps must end at 100/);
    });
    it("steps that do not increase", () => {
      expect(refusal(() => loadEnvironment("prod", { release: { steps: [50, 10, 100] } }))).to.match(/release\.steps: steps must strictly increase/);
    });
    it("a step outside 1..100", () => {
      expect(refusal(() => loadEnvironment("prod", { release: { steps: [0, 100] } }))).to.match(/release\.steps\.0/);
    });
    it("a negative duration", () => {
      expect(refusal(() => loadEnvironment("prod", { release: { bakeTime: "-5m" } }))).to.match(/release\.bakeTime: bakeTime must not be negative/);
    });
    it("a duration that is not one", () => {
      expect(refusal(() => loadEnvironment("dev", { healthGate: { interval: "soon" } }))).to.match(/healthGate\.interval: interval must be a duration/);
    });
    it("an over-long name", () => {
      expect(refusal(() => loadEnvironment("dev-averyveryverylongname"))).to.match(/environment name "dev-averyveryverylongname" must be at most 12 characters/);
    });
    it("a name with bad characters", () => {
      expect(refusal(() => loadEnvironment("Prod_1"))).to.match(/environment name "Prod_1" must be lower-case/);
    });
    it("an unknown environment", () => {
      expect(refusal(() => loadEnvironment("qa"))).to.match(/unknown environment "qa" \(known: prod, staging, dev/);
    });
    it("an override of a setting that does not exist", () => {
      expect(refusal(() => loadEnvironment("prod", { release: { bakeTim: "5m" } } as never))).to.match(/override release\.bakeTim is not a setting/);
    });
    it("a zone-redundant plan with fewer than three instances", () => {
      expect(refusal(() => loadEnvironment("prod", { appService: { minInstances: 2 } }))).to.match(/appService\.minInstances: a zone-redundant plan needs at least 3/);
    });
    it("zone redundancy in a region without zones", () => {
      expect(refusal(() => loadEnvironment("prod", { regions: ["westeurope", "ukwest"] }))).to.match(/regions\.1: ukwest has no availability zones/);
    });
    it("production in a single region", () => {
      expect(refusal(() => loadEnvironment("prod", { regions: ["westeurope"] }))).to.match(/regions: production needs at least 2 regions/);
    });
    it("a health gate asking more successes than samples", () => {
      expect(refusal(() => loadEnvironment("prod", { healthGate: { successesRequired: 9 } }))).to.match(/healthGate: successesRequired must not exceed sampleSize/);
    });
    it("a Front Door probe asking more successes than samples", () => {
      expect(refusal(() => loadEnvironment("prod", { originHealthProbe: { successfulSamplesRequired: 5 } }))).to.match(/originHealthProbe/);
    });
    it("a TTL default above its maximum", () => {
      expect(refusal(() => loadEnvironment("dev", { ttl: { default: "30d", max: "7d" } }))).to.match(/ttl: ttl\.default must not exceed ttl\.max/);
    });
    it("an environment-wide telemetry switch that is not true or false", () => {
      expect(refusal(() => loadEnvironment("prod", { healthModel: { environmentWideTelemetry: "yes" as never } }))).to.match(
        /^environment "prod": healthModel\.environmentWideTelemetry: must be true or false/,
      );
    });
    it("a health model without the environment-wide telemetry switch", () => {
      const { environmentWideTelemetry: _, ...healthModel } = prod.healthModel;
      expect(refusal(() => validateEnvironment({ ...prod, healthModel }))).to.match(/healthModel\.environmentWideTelemetry: must be true or false/);
    });
    it("a whole definition missing a section", () => {
      const { healthGate: _, ...incomplete } = prod;
      expect(refusal(() => validateEnvironment(incomplete))).to.match(/^environment "prod": healthGate: /);
    });
  });
});
