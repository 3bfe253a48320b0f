import { expect } from "chai";
import type { OriginSpec } from "../../../global/contract.js";
import { InvariantError } from "../../../automation/release/invariants.js";
import type { Action, GateState, ObservedStamp, ReleaseIntent, World } from "../../../automation/release/model.js";
import { guard } from "../../../automation/release/reconciler.js";
import { refused } from "./guard-refusal.js";

/**
 * The guard's retention and undo invariants, given the bad actions they exist to refuse: retained
 * stamps take no traffic (after promotion only the live release is enabled; dropping a window moves
 * no traffic), an undo never serves from fewer regions than before, and an undo gives traffic only
 * to deployed stamps that passed their gate. `decide` never proposes these.
 */

const stamp = (region: string, release: string, gate: GateState = "passed", deployed = true): ObservedStamp => ({
  stack: `prod-${region}-${release}`, region, release, deployed, gate, ...(deployed ? { hostName: `app-${region}-${release}.example` } : {}),
});
const origin = (region: string, release: string, weight: number, enabled: boolean): OriginSpec => ({
  stamp: `prod-${region}-${release}`, region, release, hostName: `app-${region}-${release}.example`, weight, enabled, priority: 1,
});
const REGIONS = ["weu", "neu"];
const all = (release: string, weight: number, enabled: boolean) => REGIONS.map((r) => origin(r, release, weight, enabled));

function world(origins: OriginSpec[], liveRelease: string, intent: Partial<ReleaseIntent>, stamps?: ObservedStamp[]): World {
  return {
    env: "prod",
    global: { exists: true, origins, liveRelease, frontDoorHostName: "fd.example" },
    stamps: stamps ?? [...REGIONS.map((r) => stamp(r, "r0")), ...REGIONS.map((r) => stamp(r, "r1")), ...REGIONS.map((r) => stamp(r, "r2"))],
    intent: { release: "r2", image: "cr/shop:r2", mode: "rollout", blueRelease: "r1", keepFailed: false, startedAt: "2026-01-01T00:00:00Z", ...intent },
    retention: { release: "r1", from: "r2", until: "2026-01-01T02:00:00Z" },
  };
}

describe("retention and undo invariants (the guard)", () => {
  describe("retained stamps take no traffic", () => {
    it("refuses a promotion that leaves a blue origin enabled beside the live release", () => {
      const w = world([...all("r1", 1000, false), ...all("r2", 1000, true)], "r1", {});
      const bad = refused({ kind: "promote", origins: [...all("r2", 1000, true), origin("weu", "r1", 1000, true), origin("neu", "r1", 1000, false)], liveRelease: "r2" }, w);
      expect(bad).to.contain("retained stamps take no traffic (prod-weu-r1 of release r1 would stay enabled after r2 is promoted)");
      expect(() => guard({ kind: "promote", origins: [...all("r2", 1000, true), ...all("r1", 1000, false)], liveRelease: "r2" }, w)).not.to.throw();
    });

    it("refuses recording a retention while the retained release still serves, or before the new one is live", () => {
      const serving = world([...all("r1", 500, true), ...all("r2", 500, true)], "r2", {});
      expect(refused({ kind: "retain-blue", release: "r1", from: "r2", retentionMs: 1000 }, serving)).to.contain("prod-weu-r1 of release r1 would stay enabled");
      const notLive = world([...all("r1", 1000, false), ...all("r2", 1000, true)], "r1", {});
      expect(refused({ kind: "retain-blue", release: "r1", from: "r2", retentionMs: 1000 }, notLive)).to.contain("r1 can be retained only once r2 is live");
      const fine = world([...all("r1", 1000, false), ...all("r2", 1000, true)], "r2", {});
      expect(() => guard({ kind: "retain-blue", release: "r1", from: "r2", retentionMs: 1000 }, fine)).not.to.throw();
    });

    it("refuses a drop of the window that changes the serving origins or removes another release's origin", () => {
      const w = world([...all("r1", 1000, true), ...all("r0", 1000, false)], "r1", { release: "r2", blueRelease: "r1" });
      expect(refused({ kind: "drop-retained", release: "r0", origins: [origin("weu", "r1", 1000, true), origin("neu", "r1", 500, true)], liveRelease: "r1" }, w))
        .to.contain("retained stamps take no traffic (dropping r0 would change the serving origins");
      expect(refused({ kind: "drop-retained", release: "r0", origins: [origin("weu", "r1", 1000, true)], liveRelease: "r1" }, w)).to.contain("dropping r0 would also remove prod-neu-r1 of release r1");
      expect(refused({ kind: "drop-retained", release: "r0", origins: [...all("r1", 1000, true), origin("weu", "r0", 1000, false)], liveRelease: "r1" }, world([...all("r1", 1000, true), ...all("r0", 1000, false), origin("sdc", "r9", 1000, false)], "r1", {})))
        .to.contain("dropping r0 would also remove prod-sdc-r9 of release r9");
      expect(() => guard({ kind: "drop-retained", release: "r0", origins: all("r1", 1000, true), liveRelease: "r1" }, w)).not.to.throw();
    });

    it("refuses destroying a retained stamp once an undo enabled its origin", () => {
      const w = world(all("r1", 1000, true), "r1", { mode: "undo" });
      expect(refused({ kind: "destroy-stamps", stacks: ["prod-weu-r1"], why: "retained-blue" }, w)).to.contain("never destroy a serving stamp");
    });
  });

  describe("undo", () => {
    const before = [...all("r2", 1000, true), ...all("r1", 1000, false)];
    it("refuses an undo that serves from fewer regions than before", () => {
      const w = world(before, "r2", { mode: "undo" });
      expect(refused({ kind: "restore-blue", origins: [origin("weu", "r1", 1000, true)], liveRelease: "r1" }, w))
        .to.contain("never fewer serving regions (the update would leave neu without an enabled origin)");
      expect(() => guard({ kind: "restore-blue", origins: all("r1", 1000, true), liveRelease: "r1" }, w)).not.to.throw();
    });

    it("refuses an undo to a retained stamp that is not deployed or whose gate did not pass", () => {
      const gone = world(before, "r2", { mode: "undo" }, [stamp("weu", "r1"), stamp("neu", "r1", "passed", false), ...REGIONS.map((r) => stamp(r, "r2"))]);
      expect(refused({ kind: "restore-blue", origins: all("r1", 1000, true), liveRelease: "r1" }, gone)).to.contain("prod-neu-r1 would get traffic but is not deployed");
      const sick = world(before, "r2", { mode: "undo" }, [stamp("weu", "r1", "failed"), stamp("neu", "r1"), ...REGIONS.map((r) => stamp(r, "r2"))]);
      expect(refused({ kind: "restore-blue", origins: all("r1", 1000, true), liveRelease: "r1" }, sick)).to.contain("prod-weu-r1 would get weight 1000 without a passed health gate");
    });

    it("refuses destroying the undone release before its origins are gone", () => {
      const w = world(before, "r2", { mode: "undo" });
      expect(refused({ kind: "destroy-stamps", stacks: ["prod-neu-r2"], why: "undone" }, w)).to.contain("prod-neu-r2 still has an enabled Front Door origin");
    });
  });
});
