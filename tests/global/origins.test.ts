import { expect } from "chai";
import { InputError } from "../../environments/index.js";
import type { OriginSpec } from "../../global/contract.js";
import { originLogicalName, ROUTE_LOGICAL_NAME } from "../../global/front-door-origins.js";
import { globalProgram } from "../../global/program.js";
import type { RecordedResource } from "../../automation/offline/mock-runner.js";
import { blueOrigins, env, origin, programArgs, runGlobal, runGlobalWithDependencies, TYPES } from "./fixtures.js";

/** The deployed origins as `stamp -> {weight, enabled, priority, hostName}`, read from the resources. */
function deployed(resources: RecordedResource[]): Map<string, { weight: unknown; enabled: boolean; priority: unknown; hostName: unknown; originName: unknown }> {
  return new Map(
    resources
      .filter((r) => r.type === TYPES.origin && r.name.startsWith("origin-"))
      .map((r) => [
        r.name.replace(/^origin-/, ""),
        {
          weight: r.inputs["weight"],
          enabled: r.inputs["enabledState"] === "Enabled",
          priority: r.inputs["priority"],
          hostName: r.inputs["hostName"],
          originName: r.inputs["originName"],
        },
      ]),
  );
}

function asked(origins: OriginSpec[]) {
  return new Map(origins.map((o) => [o.stamp, { weight: o.weight, enabled: o.enabled, priority: o.priority, hostName: o.hostName }]));
}

describe("global stack: origins follow the driver's list", () => {
  const prod = env("prod");
  const dev = env("dev");

  it("deploys exactly the listed origins, with their weights, priorities and enabled state, in the API origin group", async () => {
    const list = [
      origin(prod, "westeurope", "r1", 900, true),
      origin(prod, "northeurope", "r1", 1, true, 2),
      origin(prod, "westeurope", "r2", 100, false, 5),
      origin(prod, "swedencentral", "r2", 1000, true),
    ];
    const run = await runGlobal(prod, list);
    const got = deployed(run.resources);
    expect([...got.keys()].sort()).to.deep.equal(list.map((o) => o.stamp).sort());
    for (const [stamp, want] of asked(list)) expect(got.get(stamp)).to.deep.include(want);
    const group = run.one(TYPES.originGroup, "frontdoor-origin-group");
    for (const o of run.ofType(TYPES.origin).filter((r) => r.name.startsWith("origin-"))) {
      expect(o.inputs["originGroupName"]).to.equal(group.outputs["name"]);
      expect(o.inputs["originHostHeader"]).to.equal(o.inputs["hostName"]);
      expect(o.inputs).to.include({ httpsPort: 443, enforceCertificateNameCheck: true });
    }
    expect(run.outputs.origins).to.deep.equal(list);
  });

  it("changes weights and enabled state in place, adds new stamps and removes dropped ones (two runs compared)", async () => {
    const blue = [origin(prod, "westeurope", "r1"), origin(prod, "northeurope", "r1"), origin(prod, "swedencentral", "r1")];
    const switching = [
      origin(prod, "westeurope", "r1", 50, true),
      origin(prod, "northeurope", "r1", 100, false),
      origin(prod, "westeurope", "r2", 950, true),
      origin(prod, "northeurope", "r2", 10, true),
    ];
    const [before, after] = [await runGlobal(prod, blue), await runGlobal(prod, switching)];
    const was = deployed(before.resources);
    const now = deployed(after.resources);

    const kept = [...now.keys()].filter((s) => was.has(s));
    const added = [...now.keys()].filter((s) => !was.has(s));
    const removed = [...was.keys()].filter((s) => !now.has(s));
    expect(kept.sort()).to.deep.equal(["prod-neu-r1", "prod-weu-r1"]);
    expect(added.sort()).to.deep.equal(["prod-neu-r2", "prod-weu-r2"]);
    expect(removed).to.deep.equal(["prod-sdc-r1"]);
    // Same logical and Azure names for a kept stamp: Pulumi updates it rather than replacing it.
    for (const stamp of kept) expect(now.get(stamp)!.originName).to.equal(was.get(stamp)!.originName);
    expect(now.get("prod-weu-r1")).to.deep.include({ weight: 50, enabled: true });
    expect(now.get("prod-neu-r1")).to.deep.include({ weight: 100, enabled: false });
    for (const [stamp, want] of asked(switching)) expect(now.get(stamp)).to.deep.include(want);
    expect(after.outputs.origins).to.deep.equal(switching);
    expect(after.outputs.liveRelease).to.equal("r1");
  });

  it("names each origin after its stamp stack, so Azure names never collide between releases or regions", async () => {
    const list = [origin(prod, "westeurope", "r1"), origin(prod, "westeurope", "r2"), origin(prod, "northeurope", "r1")];
    const run = await runGlobal(prod, list);
    const shopper = run.ofType(TYPES.origin).filter((o) => o.name.startsWith("origin-"));
    expect(shopper.map((o) => o.name).sort()).to.deep.equal(list.map((o) => originLogicalName(o.stamp)).sort());
    expect(shopper.map((o) => o.inputs["originName"]).sort()).to.deep.equal([
      "origin-shoes-prod-neu-r1",
      "origin-shoes-prod-weu-r1",
      "origin-shoes-prod-weu-r2",
    ]);
  });

  for (const environment of [prod, dev]) {
    it(`deploys ${environment.name} with zero stamps: origin group and WAF but no origins and no route`, async () => {
      const run = await runGlobal(environment, []);
      expect(run.ofType(TYPES.origin)).to.have.length(0);
      expect(run.ofType(TYPES.route)).to.have.length(0);
      expect(run.ofType(TYPES.originGroup)).to.have.length(1);
      expect(run.ofType(TYPES.securityPolicy)).to.have.length(1);
      expect(run.outputs.origins).to.deep.equal([]);
      expect(run.outputs.liveRelease).to.equal(null);
    });
  }

  it("gives every stamp in the list its own endpoint: one route, /health/* only, to an origin group holding that stamp alone, under the WAF", async () => {
    const list = [origin(prod, "westeurope", "r1"), origin(prod, "westeurope", "r2", 100, false)];
    const run = await runGlobal(prod, list);
    const endpoints = run.ofType(TYPES.endpoint).filter((e) => e.name.startsWith("stamp-endpoint-"));
    expect(endpoints.map((e) => e.name).sort()).to.deep.equal(["stamp-endpoint-prod-weu-r1", "stamp-endpoint-prod-weu-r2"]);
    for (const spec of list) {
      const endpoint = run.one(TYPES.endpoint, `stamp-endpoint-${spec.stamp}`);
      const route = run.one(TYPES.route, `stamp-endpoint-${spec.stamp}-route`);
      const group = run.one(TYPES.originGroup, `stamp-endpoint-${spec.stamp}-group`);
      const only = run.one(TYPES.origin, `stamp-endpoint-${spec.stamp}-origin`);
      expect(route.inputs["endpointName"]).to.equal(endpoint.inputs["endpointName"]);
      expect(route.inputs["patternsToMatch"]).to.deep.equal(["/health/*"]);
      expect(route.inputs["forwardingProtocol"]).to.equal("HttpsOnly");
      expect((route.inputs["originGroup"] as { id: string }).id).to.equal(group.id);
      // Always enabled, even while the stamp's shopper origin is disabled: the gate needs it before traffic.
      expect(only.inputs).to.include({ hostName: spec.hostName, originHostHeader: spec.hostName, enabledState: "Enabled", originGroupName: group.inputs["originGroupName"] });
      expect(group.inputs["healthProbeSettings"]).to.equal(undefined);
    }
    expect(run.outputs.stampEndpoints).to.deep.equal(list.map((o) => ({ stamp: o.stamp, hostName: run.one(TYPES.endpoint, `stamp-endpoint-${o.stamp}`).outputs["hostName"] })));
    const policy = run.one(TYPES.securityPolicy);
    const domains = (policy.inputs["parameters"] as { associations: { domains: { id: string }[] }[] }).associations[0]!.domains.map((d) => d.id);
    expect(domains).to.have.length(3);
    for (const e of run.ofType(TYPES.endpoint)) expect(domains).to.include(e.id);
  });

  it("deploys a list of only disabled origins (green exposed for its gate before a first release): stamp endpoints, no shopper route", async () => {
    const run = await runGlobal(prod, blueOrigins(prod).map((o) => ({ ...o, enabled: false })));
    expect(run.ofType(TYPES.route).filter((r) => r.name === ROUTE_LOGICAL_NAME)).to.have.length(0);
    expect(run.outputs.stampEndpoints).to.have.length(3);
  });

  it("creates the route only after every origin, so it never points at a group without an enabled origin", async () => {
    const list = [origin(dev, "westeurope", "r1"), origin(dev, "westeurope", "r2", 10, false)];
    const { dependsOn } = await runGlobalWithDependencies(dev, list);
    expect(dependsOn(ROUTE_LOGICAL_NAME).sort()).to.deep.equal(list.map((o) => originLogicalName(o.stamp)).sort());
  });

  it("disables origins only after the enabled ones are in place, so a switch never leaves zero enabled origins", async () => {
    const list = [
      origin(prod, "westeurope", "r1", 100, false),
      origin(prod, "northeurope", "r1", 100, false),
      origin(prod, "westeurope", "r2", 100, true),
      origin(prod, "northeurope", "r2", 100, true),
    ];
    const { dependsOn } = await runGlobalWithDependencies(prod, list);
    const enabled = ["origin-prod-weu-r2", "origin-prod-neu-r2"].sort();
    expect(dependsOn("origin-prod-weu-r1").sort()).to.deep.equal(enabled);
    expect(dependsOn("origin-prod-neu-r1").sort()).to.deep.equal(enabled);
    expect(dependsOn("origin-prod-weu-r2")).to.deep.equal([]);
    expect(dependsOn("origin-prod-neu-r2")).to.deep.equal([]);
  });

  describe("refuses lists Front Door would reject, with one line, before any program runs", () => {
    const good = () => blueOrigins(prod);
    const refusals: [string, () => OriginSpec[], RegExp][] = [
      ["weight 0", () => [{ ...good()[0]!, weight: 0 }, good()[1]!], /weight 0 must be a whole number from 1 to 1000/],
      ["weight 1001", () => [{ ...good()[0]!, weight: 1001 }], /weight 1001/],
      ["a fractional weight", () => [{ ...good()[0]!, weight: 2.5 }], /weight 2\.5/],
      ["priority 0", () => [{ ...good()[0]!, priority: 0 }], /priority 0 must be a whole number from 1 to 5/],
      ["priority 6", () => [{ ...good()[0]!, priority: 6 }], /priority 6/],
      ["a stamp listed twice", () => [good()[0]!, { ...good()[0]!, hostName: "other.azurewebsites.net" }], /listed twice/],
      ["a host name listed twice", () => [good()[0]!, { ...good()[1]!, hostName: good()[0]!.hostName }], /hostName .* listed twice/],
      [
        "more stamps than the profile has endpoints for (Standard: 10 endpoints, one is the environment's)",
        () => Array.from({ length: 10 }, (_, i) => origin(dev, "westeurope", `r${i + 1}`)),
        /10 stamps need 11 Front Door endpoints .* more than the 10 a Standard_AzureFrontDoor profile allows/,
      ],
      ["a stamp of another environment", () => [origin(env("staging"), "westeurope", "r1")], /belongs to environment staging, not prod/],
      ["a region the environment does not have", () => [{ ...origin(prod, "westeurope", "r1"), stamp: "prod-eus-r1", region: "eastus" }], /not a region of prod/],
      ["a region that does not match the stamp", () => [{ ...good()[0]!, region: "northeurope" }], /does not match the stamp's region/],
      ["a release that does not match the stamp", () => [{ ...good()[0]!, release: "r9" }], /does not match the stamp's release/],
      ["a stamp name that is not one", () => [{ ...good()[0]!, stamp: "prod-global" }], /global stack, not a stamp/],
      ["a host name with a scheme", () => [{ ...good()[0]!, hostName: "https://app.azurewebsites.net" }], /not a lower-case DNS host name/],
      ["a missing enabled flag", () => [{ ...good()[0]!, enabled: undefined as unknown as boolean }], /enabled must be true or false/],
    ];
    for (const [what, list, message] of refusals) {
      it(what, () => {
        let thrown: unknown;
        try {
          const origins = list();
          globalProgram(programArgs(origins[0]?.stamp.startsWith("dev-") ? dev : prod, origins));
        } catch (err) {
          thrown = err;
        }
        expect(thrown).to.be.instanceOf(InputError);
        const text = (thrown as InputError).message;
        expect(text).to.match(message);
        expect(text).not.to.include("\n");
      });
    }

    it("a bad live release", () => {
      expect(() => globalProgram(programArgs(prod, good(), { liveRelease: "R-1" }))).to.throw(InputError, /release "R-1"/);
    });
  });
});
