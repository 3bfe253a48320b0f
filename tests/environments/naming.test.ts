import { expect } from "chai";
import fc from "fast-check";
import { NAME_RULES, resourceName, checkName, type ResourceKind } from "../../environments/naming.js";
import { knownRegions } from "../../environments/regions.js";
import { globalStackName, parseStackName, stackTags, stampStackName, TAG, validateRelease } from "../../environments/stacks.js";
import { propertyRuns } from "../property-runs.js";

describe("naming", () => {
  it("follows CAF abbreviations with the workload, environment, region and release", () => {
    expect(resourceName("resourceGroup", { env: "prod", region: "westeurope", release: "r42" })).to.equal("rg-shoes-prod-weu-r42");
    expect(resourceName("appServicePlan", { env: "prod", region: "northeurope", release: "r42" })).to.equal("asp-shoes-prod-neu-r42");
    expect(resourceName("frontDoorProfile", { env: "prod" })).to.equal("afd-shoes-prod");
  });

  it("runs parts together where Azure forbids hyphens", () => {
    expect(resourceName("containerRegistry", { env: "dev-alice", suffix: "x1y2z" })).to.equal("crshoesdevalicex1y2z");
    expect(resourceName("storageAccount", { env: "prod", region: "swedencentral", release: "r42", suffix: "ab12c" })).to.equal("stshoesprodsdcr42ab12c");
  });

  it("demands a random suffix for globally unique names", () => {
    expect(() => resourceName("keyVault", { env: "prod", region: "westeurope", release: "r1" })).to.throw(/globally unique/);
  });

  it("fits every kind, for any valid environment, region and release, within Azure's rules", () => {
    const envName = fc.stringMatching(/^[a-z][a-z0-9]{0,2}(-[a-z0-9]{1,8})?$/).filter((s) => s.length <= 12);
    const release = fc.stringMatching(/^[a-z][a-z0-9]{0,7}$/).filter((r) => r !== "global");
    const region = fc.constantFrom(...knownRegions().map((r) => r.name));
    const kind = fc.constantFrom(...(Object.keys(NAME_RULES) as ResourceKind[]));
    fc.assert(
      fc.property(envName, region, release, kind, fc.stringMatching(/^[a-z0-9]{5}$/), (env, reg, rel, k, suffix) => {
        const name = resourceName(k, { env, region: reg, release: rel, suffix });
        expect(name.length).to.be.at.most(NAME_RULES[k].max);
        expect(() => checkName(k, name)).not.to.throw();
      }),
      propertyRuns(300),
    );
  });

  it("keeps different inputs apart when it has to shorten", () => {
    const a = resourceName("keyVault", { env: "dev-alice1", region: "westus3", release: "r1234567", suffix: "abcde" });
    const b = resourceName("keyVault", { env: "dev-alice2", region: "westus3", release: "r1234567", suffix: "abcde" });
    expect(a).to.not.equal(b);
    expect(a.length).to.be.at.most(24);
  });

  it("rejects names Azure would reject", () => {
    expect(() => checkName("keyVault", "kv--double")).to.throw(/consecutive hyphens/);
    expect(() => checkName("storageAccount", "st-with-hyphen")).to.throw(/only lower-case letters and digits/);
    expect(() => checkName("keyVault", "kv")).to.throw(/3-24 characters/);
  });
});

describe("stack names and tags", () => {
  it("names global and stamp stacks and parses them back", () => {
    expect(globalStackName("prod")).to.equal("prod-global");
    expect(stampStackName("prod", "westeurope", "r42")).to.equal("prod-weu-r42");
    expect(stampStackName("dev-alice", "eastus2", "r7")).to.equal("dev-alice-eus2-r7");
    expect(parseStackName("prod-global")).to.deep.equal({ kind: "global", env: "prod" });
    expect(parseStackName("dev-alice-eus2-r7")).to.deep.equal({ kind: "stamp", env: "dev-alice", region: "eastus2", regionShort: "eus2", release: "r7" });
  });

  it("refuses names it would never make", () => {
    for (const bad of ["prod", "prod-xyz-r1", "Prod-weu-r1", "prod-weu-R1", "prod-weu-", "-global"]) {
      expect(() => parseStackName(bad), bad).to.throw(/neither <env>-global nor/);
    }
    expect(() => validateRelease("global")).to.throw(/not "global"/);
    expect(() => validateRelease("r-42")).to.throw(/release "r-42"/);
    expect(() => validateRelease("r123456789")).to.throw(/1-8/);
    expect(() => stampStackName("prod", "mars", "r1")).to.throw(/unknown Azure region "mars"/);
  });

  it("carries the facts DESIGN.md names as tags", () => {
    const tags = stackTags({
      env: "dev-alice", kind: "stamp", region: "westeurope", release: "r1", owner: "alice",
      createdAt: new Date("2026-11-21T10:00:00Z"), expiresAt: new Date("2026-11-21T18:00:00Z"),
    });
    expect(tags).to.deep.equal({
      [TAG.env]: "dev-alice", [TAG.kind]: "stamp", [TAG.region]: "westeurope", [TAG.release]: "r1", [TAG.owner]: "alice",
      [TAG.createdAt]: "2026-11-21T10:00:00.000Z", [TAG.expiresAt]: "2026-11-21T18:00:00.000Z",
    });
  });
});
