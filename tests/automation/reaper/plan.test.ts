import { expect } from "chai";
import { planReap, type ReapDecision } from "../../../automation/reaper/plan.js";
import { TAG } from "../../../environments/stacks.js";
import { globalOf, HOUR, input, intent, serving, stampOf } from "./world.js";

const byStack = (plan: ReapDecision[]) => Object.fromEntries(plan.map((d) => [d.stack, d]));

describe("reaper plan", () => {
  it("destroys an expired personal environment whole, stamps before the global stack", () => {
    const stacks = [globalOf("dev-a", { expires: -1 }), stampOf("dev-a", "r1", { expires: -1 }), stampOf("dev-a", "r2", { expires: -1 })];
    const plan = planReap(input(stacks, { "dev-a": { origins: serving("dev-a-weu-r1"), liveRelease: "r1" } }));
    expect(plan.map((d) => [d.stack, d.action, d.cause])).to.deep.equal([
      ["dev-a-weu-r1", "destroy", "expired"],
      ["dev-a-weu-r2", "destroy", "expired"],
      ["dev-a-global", "destroy", "expired"],
    ]);
    expect(plan[2]!.reason).to.match(/dev-a expired at .*owner tester/);
  });

  it("keeps an environment that has not expired yet, and says until when", () => {
    const stacks = [globalOf("dev-b", { expires: 3 }), stampOf("dev-b", "r1", { expires: 3 })];
    const plan = byStack(planReap(input(stacks, { "dev-b": { origins: serving("dev-b-weu-r1"), liveRelease: "r1" } })));
    expect(plan["dev-b-global"]!.action).to.equal("keep");
    expect(plan["dev-b-global"]!.reason).to.contain(`active until ${new Date(Date.parse(stacks[0]!.tags[TAG.expiresAt]!)).toISOString()}`);
    expect(plan["dev-b-weu-r1"]!.action).to.equal("keep");
    expect(plan["dev-b-weu-r1"]!.reason).to.match(/^serving: enabled Front Door origin/);
  });

  it("reaps an orphan stamp older than the grace period, keeps a young one and the serving one", () => {
    const stacks = [
      globalOf("dev-c", { expires: 48, live: "r1" }),
      stampOf("dev-c", "r1", { expires: 48 }),
      stampOf("dev-c", "r7", { expires: 48, created: -3 }),
      stampOf("dev-c", "r8", { expires: 48, created: -1 }),
    ];
    const plan = byStack(planReap(input(stacks, { "dev-c": { origins: serving("dev-c-weu-r1"), liveRelease: "r1" } })));
    expect(plan["dev-c-weu-r7"]).to.include({ action: "destroy", cause: "orphan" });
    expect(plan["dev-c-weu-r7"]!.reason).to.match(/orphan: no origin in dev-c-global .* created 3h ago \(grace 2h\)/);
    expect(plan["dev-c-weu-r8"]).to.include({ action: "keep" });
    expect(plan["dev-c-weu-r8"]!.reason).to.contain("within the grace period of 2h");
    expect(plan["dev-c-weu-r1"]!.action).to.equal("keep");
    expect(plan["dev-c-global"]!.action).to.equal("keep");
  });

  it("the grace period is --older-than", () => {
    const stacks = [globalOf("dev-c", { expires: 48 }), stampOf("dev-c", "r7", { expires: 48, created: -3 })];
    const traffic = { "dev-c": { origins: [], liveRelease: null } };
    expect(planReap(input(stacks, traffic, { graceMs: 4 * HOUR }))[0]!.action).to.equal("keep");
    expect(planReap(input(stacks, traffic, { graceMs: 0 }))[0]!.action).to.equal("destroy");
  });

  it("keeps a drained origin, the target and the blue of a release in progress, and the live release", () => {
    const stacks = [
      globalOf("dev-d", { expires: 48, intent: intent("r3", "r2") }),
      stampOf("dev-d", "r1"),
      stampOf("dev-d", "r2"),
      stampOf("dev-d", "r3"),
      stampOf("dev-d", "r4"),
    ];
    const traffic = { "dev-d": { origins: [{ stamp: "dev-d-weu-r1", enabled: false, weight: 0 }], liveRelease: "r4" } };
    const plan = byStack(planReap(input(stacks, traffic)));
    expect(plan["dev-d-weu-r1"]!.reason).to.match(/^drained origin still in dev-d-global/);
    expect(plan["dev-d-weu-r3"]!.reason).to.match(/^being released: release r3/);
    expect(plan["dev-d-weu-r2"]!.reason).to.match(/^blue of release r3/);
    expect(plan["dev-d-weu-r4"]!.reason).to.match(/live release r4/);
    expect(Object.values(plan).every((d) => d.action === "keep")).to.equal(true);
  });

  it("reaps stamps whose global stack is gone, whatever their age", () => {
    const stacks = [stampOf("dev-e", "r1", { expires: 48, created: -0.1 })];
    const [d] = planReap(input(stacks, {}));
    expect(d).to.include({ action: "destroy", cause: "orphan" });
    expect(d!.reason).to.contain("its global stack dev-e-global is gone");
  });

  it("keeps every stamp when the global stack's outputs do not say which origins exist", () => {
    const stacks = [globalOf("dev-f", { expires: 48 }), stampOf("dev-f", "r1", { created: -30 })];
    const [d] = planReap(input(stacks, { "dev-f": "unreadable" }));
    expect(d).to.include({ action: "keep" });
    expect(d!.reason).to.contain("do not say which origins exist");
  });

  it("never destroys prod or staging, even expired-looking, orphaned or global-less; it names the manual command", () => {
    const stacks = [
      globalOf("prod", { expires: -100 }),
      stampOf("prod", "r1", { created: -300, expires: -100 }),
      stampOf("staging", "r9", { created: -300, short: "neu", region: "northeurope" }),
    ];
    const plan = planReap(input(stacks, { prod: { origins: [], liveRelease: null } }, { graceMs: 0 }));
    expect(plan.every((d) => d.action === "keep")).to.equal(true);
    const prodStamp = byStack(plan)["prod-weu-r1"]!;
    expect(prodStamp.reason).to.contain("prod is a protected environment");
    expect(prodStamp.reason).to.contain("contoso stamp destroy --env prod --region weu --release r1 --confirm prod");
  });

  it("keeps a stack whose tags say it belongs to a protected environment even if its name does not", () => {
    const forged = { ...stampOf("dev-g", "r1", { expires: -5 }), tags: { ...stampOf("dev-g", "r1").tags, [TAG.env]: "prod" } };
    const stacks = [globalOf("dev-g", { expires: -5 }), forged];
    const plan = planReap(input(stacks, {}));
    expect(plan.every((d) => d.action === "keep")).to.equal(true);
  });

  it("keeps the global stack of an expired environment when one of its stamps must stay", () => {
    const odd = stampOf("dev-h", "r1", { expires: -5 });
    odd.tags[TAG.kind] = "global";
    const plan = byStack(planReap(input([globalOf("dev-h", { expires: -5 }), odd], {})));
    expect(plan["dev-h-weu-r1"]!.action).to.equal("keep");
    expect(plan["dev-h-weu-r1"]!.reason).to.contain("contradicts its name");
    expect(plan["dev-h-global"]!.action).to.equal("keep");
    expect(plan["dev-h-global"]!.reason).to.contain("dev-h-weu-r1 must stay (tags contradict names), so it is not reaped as a whole");
  });

  it("an expired environment that cannot go as a whole keeps its serving stamp (found by the property test)", () => {
    const odd = stampOf("dev-h", "r2", { expires: -5 });
    odd.tags[TAG.kind] = "global";
    const stacks = [globalOf("dev-h"), stampOf("dev-h", "r1", { expires: -5 }), odd, stampOf("dev-h", "r3", { expires: -5 })];
    const plan = byStack(planReap(input(stacks, { "dev-h": { origins: serving("dev-h-weu-r1"), liveRelease: null } })));
    expect(plan["dev-h-weu-r1"]!.action).to.equal("keep");
    expect(plan["dev-h-weu-r1"]!.reason).to.match(/^serving/);
    expect(plan["dev-h-weu-r3"]).to.include({ action: "destroy", cause: "orphan" });
    expect(plan["dev-h-global"]!.action).to.equal("keep");
  });

  it("keeps stacks it cannot place: unknown names and undefined environments", () => {
    const stray = { name: "my-experiment", tags: {} };
    const unknownEnv = stampOf("qa", "r1", { created: -50 });
    const plan = byStack(planReap(input([stray, unknownEnv], {})));
    expect(plan["my-experiment"]).to.include({ action: "keep", kind: "unknown" });
    expect(plan["qa-weu-r1"]).to.include({ action: "keep" });
    expect(plan["qa-weu-r1"]!.reason).to.contain("no environment definition describes qa");
  });

  it("an environment without an expiry tag never expires by itself", () => {
    const g = globalOf("dev-i");
    const plan = planReap(input([g], { "dev-i": { origins: [], liveRelease: null } }));
    expect(plan[0]).to.include({ action: "keep" });
    expect(plan[0]!.reason).to.contain("no readable contoso:expires-at tag");
  });

  it("--env limits the plan to one environment", () => {
    const stacks = [globalOf("dev-a", { expires: -1 }), globalOf("dev-b", { expires: -1 }), stampOf("dev-b", "r1", { expires: -1 })];
    const plan = planReap(input(stacks, {}, { env: "dev-b" }));
    expect(plan.map((d) => d.stack)).to.deep.equal(["dev-b-weu-r1", "dev-b-global"]);
  });

  it("the expiry is the global stack's, even when a later stamp carries a later one", () => {
    const stacks = [globalOf("dev-j", { expires: 5 }), stampOf("dev-j", "r1", { expires: -1 })];
    expect(planReap(input(stacks, { "dev-j": { origins: serving("dev-j-weu-r1"), liveRelease: "r1" } })).every((d) => d.action === "keep")).to.equal(true);
    const extendedGlobal = [globalOf("dev-j", { expires: -1 }), stampOf("dev-j", "r1", { expires: 5 })];
    expect(planReap(input(extendedGlobal, {})).every((d) => d.action === "destroy")).to.equal(true);
  });
});
