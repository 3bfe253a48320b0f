import { expect } from "chai";
import { decide, type ReleasePlan } from "../../../automation/release/decide.js";
import { intentFromTags, intentToTags, promotionToTag } from "../../../automation/release/intent-tags.js";
import type { ObservedStamp, ReleaseIntent, World } from "../../../automation/release/model.js";
import { originFor, originsForShare } from "../../../automation/release/weights.js";
import { environmentSchema } from "../../../environments/schema.js";
import { prod } from "../../../environments/prod.js";

/** Approval steps: a pause holds the weights and keeps watching green until `release promote`. */

const PLAN: ReleasePlan = { regions: ["weu", "neu"], steps: [10, 50, 100], pauseBefore: [2] };
const stamp = (region: string, release: string): ObservedStamp => ({
  stack: `prod-${region}-${release}`, region, release, deployed: true, hostName: `app-${region}-${release}.example`, gate: "passed",
});
const blue = PLAN.regions.map((r) => stamp(r, "r1"));
const green = PLAN.regions.map((r) => stamp(r, "r2"));
const at = (percent: number) => originsForShare(blue.map((s) => originFor(s, 1000, true)), green, percent);
const intent = (over: Partial<ReleaseIntent> = {}): ReleaseIntent => ({
  release: "r2", image: "shop:r2", mode: "rollout", blueRelease: "r1", keepFailed: false, startedAt: "2026-11-21T00:00:00Z", ...over,
});
const world = (percent: number, over: Partial<ReleaseIntent> = {}): World => ({
  env: "prod",
  global: { exists: true, origins: at(percent), liveRelease: "r1" },
  stamps: [...blue, ...green],
  intent: intent(over),
});

describe("decide: pauses and promote", () => {
  it("pauses after the 50 % bake, before the paused step, holding the weights", () => {
    expect(decide(world(50), PLAN, { bakedStep: 1 })).to.deep.equal({
      kind: "pause", step: 1, percent: 50, nextStep: 2, nextPercent: 100, stacks: ["prod-weu-r2", "prod-neu-r2"],
    });
    // Steps before the pause run on their own, and the bake still comes before the pause.
    expect(decide(world(10), PLAN, { bakedStep: 0 })).to.deep.include({ kind: "shift", step: 1 });
    expect(decide(world(50), PLAN, { bakedStep: 0 })).to.deep.include({ kind: "bake", step: 1 });
  });

  it("continues once promoted through the pause; a promotion of an earlier pause does not count", () => {
    expect(decide(world(50, { promotion: { through: 2 } }), PLAN, { bakedStep: 1 })).to.deep.include({ kind: "shift", step: 2, percent: 100 });
    expect(decide(world(50, { promotion: { through: 1 } }), PLAN, { bakedStep: 1 }).kind).to.equal("pause");
  });

  it("--full skips the remaining steps and their bakes: straight to 100 %", () => {
    expect(decide(world(10, { promotion: { full: true } }), PLAN, { bakedStep: null })).to.deep.include({ kind: "shift", step: 2, percent: 100 });
    expect(decide(world(100, { promotion: { full: true } }), PLAN, { bakedStep: null })).to.deep.include({ kind: "bake", step: 2 });
  });

  it("--auto-promote passes pauses; a plan without pauses never pauses", () => {
    expect(decide(world(50, { autoPromote: true }), PLAN, { bakedStep: 1 })).to.deep.include({ kind: "shift", step: 2 });
    expect(decide(world(50), { regions: PLAN.regions, steps: PLAN.steps }, { bakedStep: 1 })).to.deep.include({ kind: "shift", step: 2 });
  });

  it("an abort requested while paused turns back to blue", () => {
    expect(decide(world(50, { mode: "abort" }), PLAN, { bakedStep: 1 }).kind).to.equal("restore-blue");
  });

  it("the promote tag survives a run rewriting the record, and never approves another release", () => {
    const tags = { ...intentToTags(intent()), ...promotionToTag("r2", { through: 2 }) };
    const rewritten = { ...tags, ...intentToTags({ ...intent(), mode: "rollback", reason: "bake failed" }) };
    expect(intentFromTags(rewritten)?.promotion).to.deep.equal({ through: 2 });
    expect(intentFromTags({ ...tags, ...intentToTags(intent({ release: "r3" })) })?.promotion).to.equal(undefined);
    expect(intentFromTags({ ...tags, ...intentToTags(null) })).to.equal(null);
  });

  it("prod's definition pauses before 100 %; a trailing or doubled pause is refused", () => {
    const parsed = environmentSchema.parse(prod);
    expect(parsed.release.steps).to.deep.equal([10, 50, 100]);
    expect(parsed.release.pauseBefore).to.deep.equal([2]);
    const trailing = environmentSchema.safeParse({ ...prod, release: { ...prod.release, steps: [10, 100, "pause"] } });
    expect(trailing.success).to.equal(false);
    expect(JSON.stringify(trailing.error?.issues)).to.contain("a pause must come before a step");
    const doubled = environmentSchema.safeParse({ ...prod, release: { ...prod.release, steps: [10, "pause", "pause", 100] } });
    expect(JSON.stringify(doubled.error?.issues)).to.contain("two pauses in a row");
    const unordered = environmentSchema.safeParse({ ...prod, release: { ...prod.release, steps: [50, "pause", 10, 100] } });
    expect(JSON.stringify(unordered.error?.issues)).to.contain("steps must strictly increase");
  });
});
