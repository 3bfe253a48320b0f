import { expect } from "chai";
import { planReap, type ReapDecision } from "../../../automation/reaper/plan.js";
import { TAG } from "../../../environments/stacks.js";
import { globalOf, HOUR, input, intent, stampOf } from "./world.js";

/**
 * Each reaper rule on its own (automation/reaper/plan.ts): one old stamp in a live environment
 * that exactly one rule keeps, so dropping that rule destroys it here and nowhere else; and the
 * boundaries of the two clocks (grace period, expiry) pinned to the millisecond.
 */

const byStack = (plan: ReapDecision[]) => Object.fromEntries(plan.map((d) => [d.stack, d]));
/** An environment that is not expired, with a global stack, and one stamp created a day ago. */
const live = (env: string, globalOpts: Parameters<typeof globalOf>[1] = {}) => [globalOf(env, { expires: 48, ...globalOpts }), stampOf(env, "r5")];

describe("reaper plan: each rule on its own", () => {
  it("the baseline: an old stamp nothing keeps is an orphan (so each rule below is what keeps it)", () => {
    const plan = byStack(planReap(input(live("dev-a"), { "dev-a": { origins: [], liveRelease: null } })));
    expect(plan["dev-a-weu-r5"]).to.include({ action: "destroy", cause: "orphan" });
    expect(plan["dev-a-global"]).to.include({ action: "keep" });
  });

  it("an enabled origin keeps it", () => {
    const plan = byStack(planReap(input(live("dev-a"), { "dev-a": { origins: [{ stamp: "dev-a-weu-r5", enabled: true, weight: 7 }], liveRelease: null } })));
    expect(plan["dev-a-weu-r5"]).to.deep.include({ action: "keep", reason: "serving: enabled Front Door origin in dev-a-global (weight 7)" });
  });

  it("a drained (disabled) origin keeps it", () => {
    const plan = byStack(planReap(input(live("dev-a"), { "dev-a": { origins: [{ stamp: "dev-a-weu-r5", enabled: false, weight: 0 }], liveRelease: null } })));
    expect(plan["dev-a-weu-r5"]).to.deep.include({ action: "keep", reason: "drained origin still in dev-a-global (blue retention or rollback may need it)" });
  });

  it("being the target of a release in progress keeps it", () => {
    const plan = byStack(planReap(input(live("dev-a", { intent: intent("r5", "r4") }), { "dev-a": { origins: [], liveRelease: null } })));
    expect(plan["dev-a-weu-r5"]).to.deep.include({ action: "keep", reason: "being released: release r5 of dev-a is in progress (rollout)" });
  });

  it("being the blue of a release in progress keeps it", () => {
    const plan = byStack(planReap(input(live("dev-a", { intent: intent("r6", "r5", "rollback") }), { "dev-a": { origins: [], liveRelease: null } })));
    expect(plan["dev-a-weu-r5"]).to.deep.include({ action: "keep", reason: "blue of release r6, which is in progress (rollback)" });
  });

  it("being of the live release keeps it", () => {
    const plan = byStack(planReap(input(live("dev-a"), { "dev-a": { origins: [], liveRelease: "r5" } })));
    expect(plan["dev-a-weu-r5"]).to.deep.include({ action: "keep", reason: "a stamp of the live release r5" });
  });

  it("a stamp of unknown age is kept", () => {
    const stacks = live("dev-a");
    delete stacks[1]!.tags[TAG.createdAt];
    const plan = byStack(planReap(input(stacks, { "dev-a": { origins: [], liveRelease: null } })));
    expect(plan["dev-a-weu-r5"]).to.deep.include({ action: "keep", reason: `no readable ${TAG.createdAt} tag: its age is unknown` });
  });

  it("the grace period: kept 1 ms before it ends, an orphan when it has", () => {
    const young = [globalOf("dev-a", { expires: 48 }), stampOf("dev-a", "r5", { created: -(2 * HOUR - 1) / HOUR })];
    expect(byStack(planReap(input(young, { "dev-a": { origins: [], liveRelease: null } })))["dev-a-weu-r5"]!.action).to.equal("keep");
    const due = [globalOf("dev-a", { expires: 48 }), stampOf("dev-a", "r5", { created: -2 })];
    expect(byStack(planReap(input(due, { "dev-a": { origins: [], liveRelease: null } })))["dev-a-weu-r5"]).to.include({ action: "destroy", cause: "orphan" });
  });

  it("expiry: an environment 1 ms from its expiry stays whole; at its expiry it goes whole", () => {
    const traffic = { "dev-a": { origins: [{ stamp: "dev-a-weu-r5", enabled: true, weight: 1000 }], liveRelease: "r5" } };
    const notYet = planReap(input([globalOf("dev-a", { expires: 1 / HOUR }), stampOf("dev-a", "r5")], traffic));
    expect(notYet.map((d) => d.action)).to.deep.equal(["keep", "keep"]);
    const now = planReap(input([globalOf("dev-a", { expires: 0 }), stampOf("dev-a", "r5")], traffic));
    expect(now.map((d) => [d.stack, d.action, d.cause])).to.deep.equal([
      ["dev-a-weu-r5", "destroy", "expired"],
      ["dev-a-global", "destroy", "expired"],
    ]);
  });

  it("protected by tag: one stack tagged for a protected environment keeps every stack of its environment, orphans included", () => {
    // Expiry is already blocked by the contradicting tag; what only the protected-by-tag rule keeps
    // is the environment's *other* stamps, an orphan here, and it says why in the protected terms.
    const forged = stampOf("dev-g", "r1");
    forged.tags[TAG.env] = "prod";
    const stacks = [globalOf("dev-g", { expires: -5 }), forged, stampOf("dev-g", "r2", { created: -300 })];
    const plan = byStack(planReap(input(stacks, { "dev-g": { origins: [], liveRelease: null } }, { graceMs: 0 })));
    for (const name of ["dev-g-global", "dev-g-weu-r1", "dev-g-weu-r2"]) {
      expect(plan[name], name).to.deep.include({ action: "keep", reason: "dev-g is a protected environment: the reaper never destroys its stacks" });
    }
  });

  it("a tag naming an unprotected environment does not protect (the rule is about protection, not any mismatch)", () => {
    const odd = stampOf("dev-g", "r1");
    odd.tags[TAG.env] = "dev-h";
    const stacks = [globalOf("dev-g", { expires: -5 }), odd, stampOf("dev-g", "r2", { created: -300 })];
    const plan = byStack(planReap(input(stacks, { "dev-g": { origins: [], liveRelease: null } }, { graceMs: 0 })));
    expect(plan["dev-g-weu-r1"]!.reason).to.contain("contradicts its name");
    expect(plan["dev-g-weu-r2"]).to.include({ action: "destroy", cause: "orphan" });
  });
});
