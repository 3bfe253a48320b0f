import { expect } from "chai";
import { decide, type ReleasePlan } from "../../../automation/release/decide.js";
import type { ObservedStamp, ReleaseIntent, Retention, World } from "../../../automation/release/model.js";
import { originFor } from "../../../automation/release/weights.js";
import { planUndo } from "../../../automation/release/undo.js";
import { isInputError } from "../../../environments/errors.js";

/**
 * Issue 17's undo window as pure decisions: promotion keeps blue (origins disabled) and records it,
 * the next release drops the window first, an undo restores blue in one update and removes the
 * undone release; `planUndo` refuses every undo that could not put blue back whole.
 */

const HOUR = 3_600_000;
const PLAN: ReleasePlan = { regions: ["weu", "neu"], steps: [10, 50, 100], blueRetentionMs: HOUR };
const NO_RETENTION: ReleasePlan = { ...PLAN, blueRetentionMs: 0 };

const stamp = (region: string, release: string, over: Partial<ObservedStamp> = {}): ObservedStamp => ({
  stack: `prod-${region}-${release}`, region, release, deployed: true, hostName: `app-${region}-${release}.example`, probeHostName: `ep-${region}-${release}.example`, gate: "passed", ...over,
});
const intent = (over: Partial<ReleaseIntent> = {}): ReleaseIntent => ({
  release: "r2", image: "shop:r2", mode: "rollout", blueRelease: "r1", keepFailed: false, startedAt: "2026-11-21T00:00:00Z", ...over,
});
const r0 = PLAN.regions.map((r) => stamp(r, "r0"));
const blue = PLAN.regions.map((r) => stamp(r, "r1"));
const green = PLAN.regions.map((r) => stamp(r, "r2"));
const on = (stamps: ObservedStamp[]) => stamps.map((s) => originFor(s, 1000, true));
const off = (stamps: ObservedStamp[]) => stamps.map((s) => originFor(s, 1000, false));

function world(over: Partial<Omit<World, "global">> & { origins: World["global"]["origins"]; liveRelease: string | null }): World {
  return {
    env: "prod",
    global: { exists: true, origins: over.origins, liveRelease: over.liveRelease },
    stamps: over.stamps ?? [...blue, ...green],
    intent: over.intent === undefined ? intent() : over.intent,
    retention: over.retention ?? null,
  };
}
const retained: Retention = { release: "r1", from: "r2", until: "2026-11-21T02:00:00.000Z" };
const baked = { bakedStep: 2 };

describe("decide with an undo window (blueRetention)", () => {
  it("promotes with blue's origins kept disabled at their weights (removed when blueRetention is 0)", () => {
    const at100 = world({ origins: [...off(blue), ...on(green)], liveRelease: "r1" });
    expect(decide(at100, PLAN, baked)).to.deep.equal({ kind: "promote", origins: [...on(green), ...off(blue)], liveRelease: "r2" });
    expect(decide(at100, NO_RETENTION, baked)).to.deep.equal({ kind: "promote", origins: on(green), liveRelease: "r2" });
  });

  it("after promotion records the retention instead of destroying blue, then finishes; blueRetention 0 destroys blue as before", () => {
    const promoted = world({ origins: [...on(green), ...off(blue)], liveRelease: "r2" });
    expect(decide(promoted, PLAN, baked)).to.deep.equal({ kind: "retain-blue", release: "r1", from: "r2", retentionMs: HOUR });
    expect(decide({ ...promoted, retention: retained }, PLAN, baked)).to.deep.equal({ kind: "finish", outcome: "released" });
    // Without retention the disabled blue origins are stale: removed, then blue destroyed.
    expect(decide(promoted, NO_RETENTION, baked)).to.deep.equal({ kind: "promote", origins: on(green), liveRelease: "r2" });
    expect(decide(world({ origins: on(green), liveRelease: "r2" }), NO_RETENTION, baked)).to.deep.equal({ kind: "destroy-stamps", stacks: blue.map((s) => s.stack), why: "blue" });
  });

  it("a blue stamp without an origin cannot be undone to: it is destroyed, the others are retained", () => {
    const promoted = world({ origins: [...on(green), ...off(blue.slice(0, 1))], liveRelease: "r2" });
    expect(decide(promoted, PLAN, baked)).to.deep.equal({ kind: "destroy-stamps", stacks: [blue[1]!.stack], why: "blue" });
  });

  it("an environment's first release retains nothing", () => {
    const first = world({ stamps: green, origins: on(green), liveRelease: "r2", intent: intent({ blueRelease: null }) });
    expect(decide(first, PLAN, baked)).to.deep.equal({ kind: "finish", outcome: "released" });
  });

  it("a new release first drops an earlier window: origins (one update, serving ones untouched), then stamps, then the record", () => {
    const earlier: Retention = { release: "r0", from: "r1", until: "2026-11-21T02:00:00.000Z" };
    const start = world({ stamps: [...r0, ...blue], origins: [...on(blue), ...off(r0)], liveRelease: "r1", retention: earlier });
    expect(decide(start, PLAN, { bakedStep: null })).to.deep.equal({ kind: "drop-retained", release: "r0", origins: on(blue), liveRelease: "r1" });
    const originsGone = { ...start, global: { ...start.global, origins: on(blue) } };
    expect(decide(originsGone, PLAN, { bakedStep: null })).to.deep.equal({ kind: "destroy-stamps", stacks: r0.map((s) => s.stack), why: "retained-blue" });
    const stampsGone = { ...originsGone, stamps: blue };
    expect(decide(stampsGone, PLAN, { bakedStep: null })).to.deep.equal({ kind: "forget-retention", release: "r0" });
    expect(decide({ ...stampsGone, retention: null }, PLAN, { bakedStep: null })).to.deep.equal({ kind: "deploy-green", regions: ["weu", "neu"] });
  });

  it("refuses to drop a 'retained' release that takes traffic", () => {
    const earlier: Retention = { release: "r0", from: "r1", until: "2026-11-21T02:00:00.000Z" };
    const wrong = world({ stamps: [...r0, ...blue], origins: [...on(blue), ...on(r0)], liveRelease: "r1", retention: earlier });
    expect(decide(wrong, PLAN, { bakedStep: null }).kind).to.equal("blocked");
  });

  it("a rollback before the drop keeps blue's own undo window (its retained origins stay disabled)", () => {
    const earlier: Retention = { release: "r0", from: "r1", until: "2026-11-21T02:00:00.000Z" };
    const rolling = world({ stamps: [...r0, ...blue], origins: [...on(blue), ...off(r0)], liveRelease: "r1", retention: earlier, intent: intent({ mode: "abort" }) });
    expect(decide(rolling, PLAN, { bakedStep: null })).to.deep.equal({ kind: "finish", outcome: "aborted" });
    const withGreen = { ...rolling, global: { ...rolling.global, origins: [...on(blue), ...off(r0), ...off(green)] } };
    expect(decide(withGreen, PLAN, { bakedStep: null })).to.deep.equal({ kind: "restore-blue", origins: [...on(blue), ...off(r0)], liveRelease: "r1" });
  });

  describe("undo", () => {
    const undo = intent({ mode: "undo" });
    it("enables blue at its recorded weights and removes the undone release's origins in one update", () => {
      const weighted = off(blue).map((o, i) => ({ ...o, weight: 700 + i }));
      const w = world({ origins: [...on(green), ...weighted], liveRelease: "r2", intent: undo, retention: retained });
      expect(decide(w, PLAN, { bakedStep: null })).to.deep.equal({ kind: "restore-blue", origins: weighted.map((o) => ({ ...o, enabled: true })), liveRelease: "r1" });
    });

    it("then destroys the undone release's stamps and finishes undone; it never deploys", () => {
      const restored = world({ origins: on(blue), liveRelease: "r1", intent: undo, retention: retained });
      expect(decide(restored, PLAN, { bakedStep: null })).to.deep.equal({ kind: "destroy-stamps", stacks: green.map((s) => s.stack), why: "undone" });
      expect(decide({ ...restored, stamps: blue }, PLAN, { bakedStep: null })).to.deep.equal({ kind: "finish", outcome: "undone" });
    });

    it("blocks when blue has no origins to restore", () => {
      const w = world({ origins: on(green), liveRelease: "r2", intent: undo, retention: retained });
      expect(decide(w, PLAN, { bakedStep: null }).kind).to.equal("blocked");
    });
  });
});

describe("planUndo (release undo's checks, before anything changes)", () => {
  const inside = new Date("2026-11-21T01:30:00Z");
  const ready = world({ origins: [...on(green), ...off(blue)], liveRelease: "r2", intent: null, retention: retained });
  const refusal = (w: World, now = inside): string => {
    try {
      planUndo(w, now);
    } catch (err) {
      expect(isInputError(err), String(err)).to.equal(true);
      return (err as Error).message;
    }
    throw new Error("planUndo allowed it");
  };

  it("allows an undo inside the window with every retained stamp deployed", () => {
    const plan = planUndo(ready, inside);
    expect({ ...plan, stamps: plan.stamps.map((s) => s.stack) }).to.deep.equal({ retained: "r1", undone: "r2", stamps: blue.map((s) => s.stack), until: retained.until });
  });

  it("refuses at and after the end of the window", () => {
    expect(refusal(ready, new Date(retained.until))).to.match(/^cannot undo in prod: the undo window of r1 ended at 2026-11-21T02:00:00.000Z .*release r1 again instead; nothing was changed$/);
    expect(refusal(ready, new Date("2026-11-22T00:00:00Z"))).to.contain("ended");
  });

  it("refuses without a retention, with a stale one, or while a release is in progress", () => {
    expect(refusal({ ...ready, retention: null })).to.contain("no previous release is retained");
    expect(refusal({ ...ready, global: { ...ready.global, liveRelease: "r3" } })).to.contain("was kept when r2 went live, but r3 is live now");
    expect(refusal({ ...ready, intent: intent({ release: "r3", blueRelease: "r2" }) })).to.contain("release r3 is in progress");
  });

  it("refuses when a retained stamp is gone, not deployed or serves another host", () => {
    expect(refusal({ ...ready, stamps: [blue[0]!, ...green] })).to.contain("the retained stamp prod-neu-r1 no longer exists");
    expect(refusal({ ...ready, stamps: [blue[0]!, stamp("neu", "r1", { deployed: false, hostName: undefined }), ...green] })).to.contain("prod-neu-r1 no longer exists");
    expect(refusal({ ...ready, stamps: [blue[0]!, stamp("neu", "r1", { hostName: "other.example" }), ...green] })).to.contain("serves other.example");
  });

  it("refuses when the retained origins are gone, or one already takes traffic", () => {
    expect(refusal({ ...ready, global: { ...ready.global, origins: on(green) } })).to.contain("origins of r1 are gone");
    expect(refusal({ ...ready, global: { ...ready.global, origins: [...on(green), ...on(blue)] } })).to.contain("already takes traffic");
  });

  it("refuses an undo that would serve from fewer regions", () => {
    const oneRegion = { ...ready, global: { ...ready.global, origins: [...on(green), ...off(blue.slice(0, 1))] } };
    expect(refusal(oneRegion)).to.contain("r1 has no stamp in neu, where r2 serves: an undo would serve from fewer regions");
  });
});
