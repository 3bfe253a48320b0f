import { expect } from "chai";
import { decide, highestStepReached, isPromoted, onRepeatedFailure, sameOrigins, type ReleasePlan } from "../../../automation/release/decide.js";
import type { Action, ObservedStamp, ReleaseIntent, World } from "../../../automation/release/model.js";
import { originFor } from "../../../automation/release/weights.js";

/** decide() as the pure function it is: a world in, one action out, for every branch of a release. */

const PLAN: ReleasePlan = { regions: ["weu", "neu"], steps: [10, 50, 100] };

const stamp = (region: string, release: string, over: Partial<ObservedStamp> = {}): ObservedStamp => ({
  stack: `prod-${region}-${release}`, region, release, deployed: true, hostName: `app-${region}-${release}.example`, gate: "passed", ...over,
});

const intent = (over: Partial<ReleaseIntent> = {}): ReleaseIntent => ({
  release: "r2", image: "shop:r2", mode: "rollout", blueRelease: "r1", keepFailed: false, startedAt: "2026-11-21T00:00:00Z", ...over,
});

const blue = PLAN.regions.map((r) => stamp(r, "r1"));
const green = PLAN.regions.map((r) => stamp(r, "r2"));
const blueLive = blue.map((s) => originFor(s, 1000, true));

function world(over: { stamps?: ObservedStamp[]; origins?: World["global"]["origins"]; liveRelease?: string | null; intent?: ReleaseIntent | null; exists?: boolean } = {}): World {
  return {
    env: "prod",
    global: { exists: over.exists ?? true, origins: over.origins ?? blueLive, liveRelease: over.liveRelease === undefined ? "r1" : over.liveRelease },
    stamps: over.stamps ?? [...blue, ...green],
    intent: over.intent === undefined ? intent() : over.intent,
  };
}

const at = (percent: number) => [
  ...blue.map((s) => originFor(s, 1000 - 10 * percent, true)),
  ...green.map((s) => originFor(s, 10 * percent, true)),
];

describe("decide (pure release decisions)", () => {
  it("blocks when no release is in progress or the global stack is missing", () => {
    expect(decide(world({ intent: null }), PLAN, { bakedStep: null })).to.deep.include({ kind: "blocked", reason: "no release in progress" });
    const missing = decide(world({ exists: false }), PLAN, { bakedStep: null });
    expect(missing.kind).to.equal("blocked");
    expect(missing.kind === "blocked" && missing.reason).to.match(/global stack of prod does not exist/);
  });

  it("deploys green only where it is missing or its stack holds nothing", () => {
    const action = decide(world({ stamps: [...blue, stamp("weu", "r2"), stamp("neu", "r2", { deployed: false, hostName: undefined })] }), PLAN, { bakedStep: null });
    expect(action).to.deep.equal({ kind: "deploy-green", regions: ["neu"] });
    expect(decide(world({ stamps: blue }), PLAN, { bakedStep: null })).to.deep.equal({ kind: "deploy-green", regions: ["weu", "neu"] });
  });

  it("exposes pending green stamps through Front Door (disabled origins: no traffic) before their gate", () => {
    const stamps = [...blue, stamp("weu", "r2", { gate: "pending" }), stamp("neu", "r2", { gate: "pending" })];
    const action = decide(world({ stamps }), PLAN, { bakedStep: null });
    expect(action).to.deep.equal({ kind: "expose", origins: [...blueLive, ...green.map((s) => originFor(s, 1000, false))], liveRelease: "r1" });
    // Only the ones not in the list yet; blue keeps its weights.
    const half = decide(world({ stamps, origins: [...blueLive, originFor(green[0]!, 1000, false)] }), PLAN, { bakedStep: null });
    expect(half).to.deep.equal({ kind: "expose", origins: [...blueLive, originFor(green[0]!, 1000, false), originFor(green[1]!, 1000, false)], liveRelease: "r1" });
    // An environment's first release: green exposed alone, still without traffic.
    const first = decide(world({ stamps: stamps.slice(2), origins: [], liveRelease: null, intent: intent({ blueRelease: null }) }), PLAN, { bakedStep: null });
    expect(first).to.deep.equal({ kind: "expose", origins: green.map((s) => originFor(s, 1000, false)), liveRelease: null });
  });

  it("gates pending stamps and rolls back on the first failed gate", () => {
    const exposed = [...blueLive, ...green.map((s) => originFor(s, 1000, false))];
    const pending = decide(world({ stamps: [...blue, stamp("weu", "r2"), stamp("neu", "r2", { gate: "pending" })], origins: exposed }), PLAN, { bakedStep: null });
    expect(pending).to.deep.equal({ kind: "gate", stacks: ["prod-neu-r2"] });
    const failed = decide(world({ stamps: [...blue, stamp("weu", "r2", { gate: "failed" }), stamp("neu", "r2", { gate: "pending" })] }), PLAN, { bakedStep: null });
    expect(failed).to.deep.equal({ kind: "begin-rollback", reason: "health gate failed for prod-weu-r2" });
  });

  it("walks the steps: shift, bake, next shift, and promotes after the last bake", () => {
    const first = decide(world(), PLAN, { bakedStep: null });
    expect(first.kind).to.equal("shift");
    expect(first.kind === "shift" && [first.step, first.percent]).to.deep.equal([0, 10]);
    expect(first.kind === "shift" && sameOrigins(first.origins, at(10))).to.equal(true);

    expect(decide(world({ origins: at(10) }), PLAN, { bakedStep: null })).to.deep.equal({ kind: "bake", step: 0, percent: 10, stacks: ["prod-weu-r2", "prod-neu-r2"] });
    const second = decide(world({ origins: at(10) }), PLAN, { bakedStep: 0 });
    expect(second.kind === "shift" && second.percent).to.equal(50);

    const full = [...blue.map((s) => originFor(s, 1000, false)), ...green.map((s) => originFor(s, 1000, true))];
    expect(decide(world({ origins: full }), PLAN, { bakedStep: null })).to.deep.include({ kind: "bake", step: 2, percent: 100 });
    const promote = decide(world({ origins: full }), PLAN, { bakedStep: 2 });
    expect(promote.kind).to.equal("promote");
    expect(promote.kind === "promote" && promote.liveRelease).to.equal("r2");
    expect(promote.kind === "promote" && promote.origins.map((o) => [o.stamp, o.weight, o.enabled])).to.deep.equal(green.map((s) => [s.stack, 1000, true]));
  });

  it("re-applies the highest step the observed share still reaches when the origins drifted", () => {
    // Someone raised a blue weight by hand: green now has about 46 %, which reaches only the 10 % step.
    const drifted = at(50).map((o) => (o.stamp === "prod-neu-r1" ? { ...o, weight: 700 } : o));
    const action = decide(world({ origins: drifted }), PLAN, { bakedStep: 1 });
    expect(action.kind === "shift" && [action.step, action.percent]).to.deep.equal([0, 10]);
    expect(action.kind === "shift" && sameOrigins(action.origins, at(10))).to.equal(true);
    // A priority change is drift too, even at the same weights.
    const reprioritised = at(50).map((o) => (o.stamp === "prod-weu-r2" ? { ...o, priority: 2 } : o));
    const again = decide(world({ origins: reprioritised }), PLAN, { bakedStep: 1 });
    expect(again.kind === "shift" && sameOrigins(again.origins, at(50))).to.equal(true);
  });

  it("sends a first release straight to the last step: with no blue, green takes everything anyway", () => {
    const action = decide(world({ stamps: green, origins: [], liveRelease: null, intent: intent({ blueRelease: null }) }), PLAN, { bakedStep: null });
    expect(action.kind === "shift" && [action.step, action.percent]).to.deep.equal([2, 100]);
  });

  it("after promotion removes blue origins, then destroys blue stamps, then finishes", () => {
    const promotedWithBlue = world({ origins: [...blue.map((s) => originFor(s, 1000, false)), ...green.map((s) => originFor(s, 1000, true))], liveRelease: "r2" });
    expect(decide(promotedWithBlue, PLAN, { bakedStep: null }).kind).to.equal("promote");
    const greenOnly = green.map((s) => originFor(s, 1000, true));
    expect(decide(world({ origins: greenOnly, liveRelease: "r2" }), PLAN, { bakedStep: null })).to.deep.equal({ kind: "destroy-stamps", stacks: ["prod-weu-r1", "prod-neu-r1"], why: "blue" });
    // A half-finished destroy carries on with what is left.
    expect(decide(world({ stamps: [blue[1]!, ...green], origins: greenOnly, liveRelease: "r2" }), PLAN, { bakedStep: null })).to.deep.equal({ kind: "destroy-stamps", stacks: ["prod-neu-r1"], why: "blue" });
    expect(decide(world({ stamps: green, origins: greenOnly, liveRelease: "r2" }), PLAN, { bakedStep: null })).to.deep.equal({ kind: "finish", outcome: "released" });
  });

  it("rolls back: blue at full weight and green origins removed in one update, then green destroyed, then finish", () => {
    const rollback = intent({ mode: "rollback", reason: "bake failed" });
    const restore = decide(world({ origins: at(50), intent: rollback }), PLAN, { bakedStep: null });
    expect(restore).to.deep.equal({ kind: "restore-blue", origins: blueLive, liveRelease: "r1" });
    expect(decide(world({ intent: rollback }), PLAN, { bakedStep: null })).to.deep.equal({ kind: "destroy-stamps", stacks: ["prod-weu-r2", "prod-neu-r2"], why: "failed-green" });
    expect(decide(world({ intent: { ...rollback, keepFailed: true } }), PLAN, { bakedStep: null })).to.deep.equal({ kind: "finish", outcome: "rolled-back" });
    expect(decide(world({ stamps: blue, intent: { ...rollback, mode: "abort" } }), PLAN, { bakedStep: null })).to.deep.equal({ kind: "finish", outcome: "aborted" });
  });

  it("never rolls back a promoted release, even onto blue stamps that are still there", () => {
    const greenOnly = green.map((s) => originFor(s, 1000, true));
    for (const stamps of [[...blue, ...green], [blue[1]!, ...green], green]) {
      const action = decide(world({ stamps, origins: greenOnly, liveRelease: "r2", intent: intent({ mode: "rollback" }) }), PLAN, { bakedStep: null });
      expect(action.kind).to.equal("blocked");
      expect(action.kind === "blocked" && action.reason).to.match(/already promoted.*release r1 again/);
    }
  });

  it("an action that keeps failing rolls back only a rollout that has not been promoted", () => {
    const shift: Action = { kind: "shift", step: 0, percent: 10, origins: at(10), liveRelease: "r1" };
    const destroyBlue: Action = { kind: "destroy-stamps", stacks: ["prod-weu-r1"], why: "blue" };
    expect(onRepeatedFailure(world(), shift)).to.equal("roll-back");
    expect(onRepeatedFailure(world({ liveRelease: "r2" }), destroyBlue)).to.equal("stop");
    expect(onRepeatedFailure(world({ intent: intent({ mode: "rollback" }) }), destroyBlue)).to.equal("stop");
    expect(onRepeatedFailure(world(), { kind: "begin-rollback", reason: "x" })).to.equal("stop");
    expect(isPromoted(world({ liveRelease: "r2" }))).to.equal(true);
    expect(isPromoted(world())).to.equal(false);
    expect(isPromoted(world({ liveRelease: "r2", intent: null }))).to.equal(false);
  });

  it("finds the highest step a share reaches", () => {
    expect(highestStepReached([10, 50, 100], 0)).to.equal(-1);
    expect(highestStepReached([10, 50, 100], 10)).to.equal(0);
    expect(highestStepReached([10, 50, 100], 99)).to.equal(1);
    expect(highestStepReached([10, 50, 100], 100)).to.equal(2);
  });
});
