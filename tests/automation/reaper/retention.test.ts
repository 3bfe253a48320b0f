import { expect } from "chai";
import { executeReap } from "../../../automation/reaper/execute.js";
import { planReap, type ReapDecision } from "../../../automation/reaper/plan.js";
import { RETENTION_TAG, retentionToTags } from "../../../automation/release/retention-tag.js";
import type { Engine } from "../../../automation/engine/port.js";
import type { ReapStack } from "../../../automation/reaper/plan.js";
import type { ReleaseIntent } from "../../../automation/release/model.js";
import { at, globalOf, HOUR, input, intent, NOW, stampOf } from "./world.js";

/**
 * The undo window's end (issue 17): a release that promoted with `blueRetention` kept blue's stamps
 * (origins disabled) and recorded it on the global stack; the reaper carries out that deferred
 * destroy once the window has ended — in protected environments too, since it is the owning
 * release's decision — and keeps everything it cannot be sure of.
 */

const byStack = (plan: ReapDecision[]) => Object.fromEntries(plan.map((d) => [d.stack, d]));
const REGIONS = [
  { short: "weu", region: "westeurope" },
  { short: "neu", region: "northeurope" },
];

/** prod (or another env): r2 live in two regions, r1 retained (stamps deployed, origins disabled) until `untilHours` from NOW. */
function retainedWorld(env: string, untilHours: number, opts: { originsOfR1?: "disabled" | "absent" | "enabled"; tags?: Record<string, string>; intent?: ReleaseIntent } = {}) {
  const global = globalOf(env, { live: "r2", ...(env.startsWith("dev-") ? { expires: 48 } : {}), ...(opts.intent ? { intent: opts.intent } : {}) });
  Object.assign(global.tags, retentionToTags({ release: "r1", from: "r2", until: at(untilHours) }), opts.tags ?? {});
  const stamps: ReapStack[] = REGIONS.flatMap(({ short, region }) => [stampOf(env, "r1", { short, region, created: -30 }), stampOf(env, "r2", { short, region, created: -3 })]);
  const r1 = opts.originsOfR1 ?? "disabled";
  const origins = [
    ...REGIONS.map(({ short }) => ({ stamp: `${env}-${short}-r2`, enabled: true, weight: 1000 })),
    ...(r1 === "absent" ? [] : REGIONS.map(({ short }) => ({ stamp: `${env}-${short}-r1`, enabled: r1 === "enabled", weight: 1000 }))),
  ];
  return input([global, ...stamps], { [env]: { origins, liveRelease: "r2" } });
}

describe("reaper: retained blue after its undo window (issue 17)", () => {
  it("destroys prod's retained stamps once the window has ended, and nothing else of prod", () => {
    const plan = byStack(planReap(retainedWorld("prod", -0.5)));
    for (const short of ["weu", "neu"]) {
      expect(plan[`prod-${short}-r1`]).to.include({ action: "destroy", cause: "retention-ended" });
      expect(plan[`prod-${short}-r1`]!.reason).to.equal(`retained blue of r1 (kept for release undo when r2 went live): its window ended at ${at(-0.5)}`);
      expect(plan[`prod-${short}-r2`]).to.include({ action: "keep" });
    }
    expect(plan["prod-global"]).to.include({ action: "keep" });
  });

  it("keeps them inside the window (up to the millisecond it ends), in prod and in an ephemeral environment", () => {
    const inside = byStack(planReap({ ...retainedWorld("prod", 1), now: NOW }));
    expect(inside["prod-weu-r1"]).to.include({ action: "keep" });
    const lastMs = retainedWorld("prod", 1);
    const justBefore = byStack(planReap({ ...lastMs, now: new Date(NOW.getTime() + HOUR - 1) }));
    expect(justBefore["prod-weu-r1"]!.action).to.equal("keep");
    expect(byStack(planReap({ ...lastMs, now: new Date(NOW.getTime() + HOUR) }))["prod-weu-r1"]).to.include({ action: "destroy", cause: "retention-ended" });
    const dev = byStack(planReap(retainedWorld("dev-a", 1)));
    expect(dev["dev-a-weu-r1"]).to.deep.include({ action: "keep", reason: `retained for release undo until ${at(1)} (blue of r2)` });
    expect(byStack(planReap(retainedWorld("dev-a", -1)))["dev-a-weu-r1"]).to.include({ action: "destroy", cause: "retention-ended" });
  });

  it("destroys them when their origins are already gone too", () => {
    expect(byStack(planReap(retainedWorld("prod", -1, { originsOfR1: "absent" })))["prod-weu-r1"]).to.include({ action: "destroy", cause: "retention-ended" });
  });

  it("keeps a stamp the record does not name: another old release in a protected environment stays for a person", () => {
    const world = retainedWorld("prod", -1);
    world.stacks.push(stampOf("prod", "r0", { created: -100 }));
    const plan = byStack(planReap(world));
    expect(plan["prod-weu-r0"]).to.include({ action: "keep" });
    expect(plan["prod-weu-r0"]!.reason).to.match(/^prod is a protected environment: the reaper never destroys its stacks \(looks orphaned/);
  });

  it("keeps a retained stamp whose origin is enabled (it serves: not the release's to remove)", () => {
    const plan = byStack(planReap(retainedWorld("prod", -1, { originsOfR1: "enabled" })));
    expect(plan["prod-weu-r1"]).to.include({ action: "keep" });
  });

  it("keeps them while an undo (or any release naming them) is in progress, or once they are live again", () => {
    const undoing = byStack(planReap(retainedWorld("prod", -1, { intent: intent("r2", "r1", "undo") })));
    expect(undoing["prod-weu-r1"]).to.include({ action: "keep" });
    const world = retainedWorld("prod", -1);
    (world.traffic["prod"] as { liveRelease: string | null }).liveRelease = "r1";
    expect(byStack(planReap(world))["prod-weu-r1"]).to.include({ action: "keep" });
  });

  it("keeps everything when the retention or release record cannot be read", () => {
    for (const bad of ["{not json", JSON.stringify({ v: 1, r: "r1", f: "r2", u: "yesterday" }), JSON.stringify({ v: 9, r: "r1", f: "r2", u: at(-1) })]) {
      const plan = byStack(planReap(retainedWorld("prod", -1, { tags: { [RETENTION_TAG]: bad } })));
      expect(plan["prod-weu-r1"], bad).to.include({ action: "keep" });
    }
    const dev = byStack(planReap(retainedWorld("dev-a", -1, { tags: { [RETENTION_TAG]: "{" } })));
    expect(dev["dev-a-weu-r1"]).to.deep.include({ action: "keep", reason: "the blue retention record of dev-a-global is unreadable: every stamp of dev-a is kept" });
    const unreadableRecord = byStack(planReap(retainedWorld("prod", -1, { tags: { "contoso:release-record": "{" } })));
    expect(unreadableRecord["prod-weu-r1"]).to.include({ action: "keep" });
    const noTraffic = retainedWorld("prod", -1);
    noTraffic.traffic["prod"] = "unreadable";
    expect(byStack(planReap(noTraffic))["prod-weu-r1"]).to.include({ action: "keep" });
  });

  it("the executor carries out a retention-ended destroy in prod, and still refuses any other destroy there", async () => {
    const log: string[] = [];
    const engine = {
      kind: "offline",
      description: "recording",
      stateDir: "/nonexistent",
      async destroy(stack: string) {
        log.push(`destroy ${stack}`);
      },
      async remove(stack: string) {
        log.push(`removed ${stack}`);
      },
      async outputs() {
        return undefined;
      },
    } as unknown as Engine;
    const decision = (stack: string, cause: ReapDecision["cause"], kind: ReapDecision["kind"] = "stamp"): ReapDecision => ({ stack, env: "prod", kind, action: "destroy", reason: "test", ...(cause ? { cause } : {}) });
    const outcomes = await executeReap(engine, [decision("prod-weu-r1", "retention-ended"), decision("prod-neu-r0", "orphan"), decision("prod-global", "retention-ended", "global")], { concurrency: 2 });
    expect(outcomes.map((o) => `${o.stack} ${o.result}`)).to.deep.equal(["prod-weu-r1 destroyed", "prod-neu-r0 skipped", "prod-global skipped"]);
    expect(log.filter((l) => l.startsWith("destroy"))).to.deep.equal(["destroy prod-weu-r1"]);
    // A forged "retention-ended" on a global stack, on its own (no stamp failure in front of it), is refused too.
    const forged = await executeReap(engine, [decision("prod-global", "retention-ended", "global")], { concurrency: 1 });
    expect(forged.map((o) => `${o.stack} ${o.result}`)).to.deep.equal(["prod-global skipped"]);
    expect(log.filter((l) => l.startsWith("destroy"))).to.deep.equal(["destroy prod-weu-r1"]);
  });
});
