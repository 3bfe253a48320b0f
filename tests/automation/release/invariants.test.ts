import { expect } from "chai";
import type { OriginSpec } from "../../../global/contract.js";
import { checkDestroy, checkOriginUpdate, InvariantError } from "../../../automation/release/invariants.js";
import type { Action, GateState, ObservedStamp, World } from "../../../automation/release/model.js";
import { guard, reconcile, type ReleasePorts } from "../../../automation/release/reconciler.js";
import { refused } from "./guard-refusal.js";

/**
 * The safety net itself, given the bad actions it exists to refuse (DESIGN.md's invariants):
 * traffic only to gated, deployed stamps; never zero enabled origins once something served; never
 * destroy a stamp whose origin is enabled. `decide` never proposes these, so only these tests show
 * that the guard would stop a bug in it.
 */

const stamp = (stack: string, release: string, gate: GateState, deployed = true): ObservedStamp => ({
  stack, region: "westeurope", release, deployed, gate, hostName: `${stack}.azurewebsites.net`,
});
const origin = (stack: string, release: string, weight: number, enabled = true): OriginSpec => ({
  stamp: stack, region: "westeurope", release, hostName: `${stack}.azurewebsites.net`, weight, enabled, priority: 1,
});

const blue = stamp("prod-weu-r1", "r1", "passed");
const blueOrigin = origin("prod-weu-r1", "r1", 1000);

function world(stamps: ObservedStamp[], origins: OriginSpec[], intent: Partial<NonNullable<World["intent"]>> = {}): World {
  return {
    env: "prod",
    global: { exists: true, origins, liveRelease: "r1", frontDoorHostName: "fd.example" },
    stamps,
    intent: { release: "r2", image: "cr/shop:r2", mode: "rollout", blueRelease: "r1", keepFailed: false, startedAt: "2026-01-01T00:00:00Z", ...intent },
  };
}


describe("release invariants and the guard (automation/release/invariants.ts)", () => {
  describe("traffic only to gated stamps", () => {
    for (const gate of ["pending", "failed"] as const) {
      it(`refuses a shift that gives weight to a green stamp whose gate is ${gate}`, () => {
        const green = stamp("prod-weu-r2", "r2", gate);
        const w = world([blue, green], [blueOrigin]);
        const msg = refused({ kind: "shift", step: 0, percent: 10, origins: [origin(blue.stack, "r1", 900), origin(green.stack, "r2", 100)], liveRelease: "r1" }, w);
        expect(msg).to.contain("traffic only to gated stamps (prod-weu-r2 would get weight 100 without a passed health gate)");
      });
    }

    it("refuses a promote to a stamp that passed its gate but is not deployed (destroyed or emptied since)", () => {
      const green = stamp("prod-weu-r2", "r2", "passed", false);
      const msg = refused({ kind: "promote", origins: [origin(green.stack, "r2", 1000)], liveRelease: "r2" }, world([blue, green], [blueOrigin]));
      expect(msg).to.contain("prod-weu-r2 would get traffic but is not deployed");
    });

    it("refuses traffic to a stamp that does not exist at all", () => {
      const msg = refused({ kind: "shift", step: 0, percent: 10, origins: [blueOrigin, origin("prod-weu-r9", "r9", 100)], liveRelease: "r1" }, world([blue], [blueOrigin]));
      expect(msg).to.contain("prod-weu-r9 would get weight 100 without a passed health gate").and.contain("prod-weu-r9 would get traffic but is not deployed");
    });

    it("refuses a restore-blue that enables a blue stamp which neither served nor passed a gate", () => {
      const stale = stamp("prod-neu-r1", "r1", "pending");
      const green = stamp("prod-weu-r2", "r2", "passed");
      const w = world([blue, stale, green], [origin(blue.stack, "r1", 1000, false), origin(green.stack, "r2", 1000)], { mode: "rollback" });
      const msg = refused({ kind: "restore-blue", origins: [origin(blue.stack, "r1", 1000), origin(stale.stack, "r1", 1000)], liveRelease: "r1" }, w);
      expect(msg).to.contain("prod-neu-r1 would get weight 1000 without a passed health gate");
      expect(msg).not.to.contain("prod-weu-r1 would");
    });

    it("lets a stamp that already served keep its weight without a gate tag (blue), and a gated green in", () => {
      const ungatedBlue = stamp("prod-weu-r1", "r1", "pending");
      const green = stamp("prod-weu-r2", "r2", "passed");
      const before = [origin(ungatedBlue.stack, "r1", 1000)];
      const next = [origin(ungatedBlue.stack, "r1", 900), origin(green.stack, "r2", 100)];
      expect(checkOriginUpdate(next, before, [ungatedBlue, green])).to.deep.equal([]);
      expect(() => guard({ kind: "shift", step: 0, percent: 10, origins: next, liveRelease: "r1" }, world([ungatedBlue, green], before))).not.to.throw();
    });
  });

  describe("never zero enabled origins once something served", () => {
    const green = stamp("prod-weu-r2", "r2", "passed");
    it("refuses a shift, a promote and a restore-blue that leave no enabled origin", () => {
      const w = world([blue, green], [blueOrigin]);
      const none = [origin(blue.stack, "r1", 1000, false), origin(green.stack, "r2", 1000, false)];
      for (const action of [
        { kind: "shift", step: 2, percent: 100, origins: none, liveRelease: "r1" },
        { kind: "promote", origins: [], liveRelease: "r2" },
        { kind: "restore-blue", origins: none, liveRelease: "r1" },
      ] satisfies Action[]) {
        expect(refused(action, w), action.kind).to.contain("never zero enabled origins");
      }
    });

    it("allows an empty list only to roll back an environment's first release (nothing to go back to)", () => {
      const first = world([green], [origin(green.stack, "r2", 1000)], { mode: "rollback", blueRelease: null });
      expect(() => guard({ kind: "restore-blue", origins: [], liveRelease: null }, first)).not.to.throw();
      // The same update in a rollout, or with a blue release to go back to, is refused.
      expect(refused({ kind: "shift", step: 0, percent: 100, origins: [], liveRelease: null }, first)).to.contain("never zero enabled origins");
      const withBlue = world([blue, green], [origin(green.stack, "r2", 1000)], { mode: "rollback" });
      expect(refused({ kind: "restore-blue", origins: [], liveRelease: "r1" }, withBlue)).to.contain("never zero enabled origins");
    });

    it("allows an empty list when nothing served before (the environment's first deploy)", () => {
      expect(checkOriginUpdate([], [], [])).to.deep.equal([]);
      expect(checkOriginUpdate([], [origin(blue.stack, "r1", 1000, false)], [blue])).to.deep.equal([]);
    });
  });

  describe("never destroy a serving stamp", () => {
    it("refuses to destroy a stamp whose origin is enabled, naming it, whatever the reason", () => {
      for (const why of ["blue", "failed-green"] as const) {
        const msg = refused({ kind: "destroy-stamps", stacks: ["prod-neu-r1", blue.stack], why }, world([blue], [blueOrigin]));
        expect(msg).to.contain("never destroy a serving stamp (prod-weu-r1 still has an enabled Front Door origin)");
        expect(msg).not.to.contain("prod-neu-r1");
      }
    });

    it("allows destroying a stamp whose origin is disabled or gone", () => {
      expect(checkDestroy(blue.stack, [origin(blue.stack, "r1", 1000, false)])).to.deep.equal([]);
      expect(checkDestroy(blue.stack, [origin("prod-weu-r2", "r2", 1000)])).to.deep.equal([]);
    });
  });

  it("the reconciler runs the guard before every action: a refused step is never executed", async () => {
    // An inconsistent world `decide` takes at face value: rolling back, blue's only stamp lost its
    // gate tag and its origin is disabled, so restoring it would send traffic to an ungated stamp.
    const ungated = stamp("prod-weu-r1", "r1", "pending");
    const green = stamp("prod-weu-r2", "r2", "passed");
    const w = world([ungated, green], [origin(ungated.stack, "r1", 1000, false), origin(green.stack, "r2", 1000)], { mode: "rollback" });
    const executed: string[] = [];
    const ports: ReleasePorts = {
      observe: async () => w,
      execute: async (action) => {
        executed.push(action.kind);
        return { ok: true };
      },
      checkpoint: () => undefined,
      emit: () => undefined,
    };
    let error: unknown;
    await reconcile({ regions: ["westeurope"], steps: [10, 50, 100] }, ports).catch((err: unknown) => (error = err));
    expect(error).to.be.instanceOf(InvariantError);
    expect((error as Error).message).to.contain("prod-weu-r1 would get weight 1000 without a passed health gate");
    expect(executed).to.deep.equal([]);
  });
});
