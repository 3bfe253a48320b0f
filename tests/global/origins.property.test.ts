import { expect } from "chai";
import fc from "fast-check";
import { InputError } from "../../environments/index.js";
import type { OriginSpec } from "../../global/contract.js";
import { validateOrigins } from "../../global/origin-list.js";
import { env, origin, runGlobal, TYPES } from "./fixtures.js";
import { propertyRuns } from "../property-runs.js";

const prod = env("prod");
const RELEASES = ["r1", "r2", "r3"];

/** Any list of distinct prod stamps with arbitrary weights (0..1001), priorities (0..6) and enabled flags. */
const anyList = fc
  .uniqueArray(fc.record({ region: fc.constantFrom(...prod.regions), release: fc.constantFrom(...RELEASES) }), {
    selector: (s) => `${s.region}/${s.release}`,
    maxLength: 6,
  })
  .chain((stamps) =>
    fc.tuple(
      ...stamps.map((s) =>
        fc.record({ weight: fc.integer({ min: 0, max: 1001 }), priority: fc.integer({ min: 0, max: 6 }), enabled: fc.boolean() }).map(
          (o): OriginSpec => origin(prod, s.region, s.release, o.weight, o.enabled, o.priority),
        ),
      ),
    ),
  );

// All disabled is deployable (green exposed for its gate before a first release: no shopper route);
// at most 24 stamps fit a Premium profile's 25 endpoints, far above the 6 generated here.
const deployable = (list: OriginSpec[]) => list.every((o) => o.weight >= 1 && o.weight <= 1000 && o.priority >= 1 && o.priority <= 5);

describe("global stack: origin lists (property)", () => {
  it("accepts exactly the lists Front Door can serve, and refuses the others with an InputError", () => {
    fc.assert(
      fc.property(anyList, (list) => {
        if (deployable(list)) {
          expect(validateOrigins(prod, list)).to.deep.equal(list);
        } else {
          expect(() => validateOrigins(prod, list)).to.throw(InputError);
        }
      }),
      propertyRuns(500),
    );
  });

  it("deploys any accepted list exactly, with a route if and only if there are origins", async () => {
    await fc.assert(
      fc.asyncProperty(anyList.filter(deployable), async (list) => {
        const run = await runGlobal(prod, list);
        const got = run.ofType(TYPES.origin).filter((r) => r.name.startsWith("origin-")).map((r) => ({
          stamp: r.name.replace(/^origin-/, ""),
          weight: r.inputs["weight"],
          priority: r.inputs["priority"],
          enabled: r.inputs["enabledState"] === "Enabled",
        }));
        const want = list.map((o) => ({ stamp: o.stamp, weight: o.weight, priority: o.priority, enabled: o.enabled }));
        const byStamp = (a: { stamp: string }, b: { stamp: string }) => a.stamp.localeCompare(b.stamp);
        expect(got.sort(byStamp)).to.deep.equal(want.sort(byStamp));
        // The shopper route exists while an origin is enabled; every stamp has its own route besides.
        expect(run.ofType(TYPES.route).filter((r) => r.name === "route-api")).to.have.length(list.some((o) => o.enabled) ? 1 : 0);
        expect(run.ofType(TYPES.route)).to.have.length((list.some((o) => o.enabled) ? 1 : 0) + list.length);
        expect(run.outputs.origins).to.deep.equal(list);
      }),
      { numRuns: 12 },
    );
  }).timeout(60_000);
});
