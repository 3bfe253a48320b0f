import { expect } from "chai";
import { reconcile, type ReconcilerEvent } from "../../../automation/release/reconciler.js";
import { InterruptedError, TurnBackRequested } from "../../../automation/release/interruption.js";
import { BLUE, GREEN, SimulatedWorld } from "./simulated-world.js";

/**
 * Issue 13: the reconciler treats a cancel as an interruption (stop where it is: no failure
 * counted, no retry, no rollback, nothing recorded) and an abort asked for by another process as a
 * reason to observe again, not as a failure.
 */
const script = { regions: ["weu", "neu"], steps: [10, 50, 100], firstRelease: false, greenHealth: ["healthy", "healthy"] as const, operationFaults: [], crashes: [] };

describe("reconciler: interruptions (issue 13)", () => {
  it("an action interrupted by SIGTERM stops the run with the interruption: no failure, no retry, no rollback", async () => {
    const world = new SimulatedWorld({ ...script, greenHealth: [...script.greenHealth] });
    const events: ReconcilerEvent[] = [];
    const controller = new AbortController();
    const base = world.ports(events);
    let retries = 0;
    const ports = {
      ...base,
      interruption: () => (controller.signal.aborted ? (controller.signal.reason as Error) : undefined),
      execute: async (...args: Parameters<typeof base.execute>) => {
        if (args[0].kind === "bake") {
          // The signal lands during the bake; the interrupted wait rejects (health-gate.ts).
          controller.abort(new InterruptedError("interrupted by SIGTERM"));
          throw controller.signal.reason;
        }
        return base.execute(...args);
      },
    };
    let thrown: unknown;
    await reconcile({ regions: script.regions, steps: script.steps }, ports, { beforeRetry: async () => void retries++ }).catch((e: unknown) => (thrown = e));
    expect(thrown).to.be.instanceOf(InterruptedError);
    expect(events.filter((e) => e.type === "action-failed"), "no failure counted").to.have.length(0);
    expect(retries).to.equal(0);
    expect(world.intent?.mode, "still a rollout, where it stopped").to.equal("rollout");
    expect(events.filter((e) => e.type === "action").map((e) => (e as { action: { kind: string } }).action.kind).pop()).to.equal("bake");
  });

  it("a bake stopped by an abort request observes again (the holder then turns back): no failure, no rollback by the bake", async () => {
    const world = new SimulatedWorld({ ...script, greenHealth: [...script.greenHealth] });
    const events: ReconcilerEvent[] = [];
    const base = world.ports(events);
    let asked = false;
    const ports = {
      ...base,
      observe: async () => {
        // The holder applies the request at its next observation (run-release.ts).
        if (asked && world.intent?.mode === "rollout") world.intent = { ...world.intent, mode: "abort", reason: "aborted by an operator" };
        return base.observe();
      },
      execute: async (...args: Parameters<typeof base.execute>) => {
        if (args[0].kind === "bake" && !asked) {
          asked = true;
          throw new TurnBackRequested("abort of r2 requested");
        }
        return base.execute(...args);
      },
    };
    const outcome = await reconcile({ regions: script.regions, steps: script.steps }, ports);
    expect(outcome).to.equal("aborted");
    expect(events.filter((e) => e.type === "action-failed")).to.have.length(0);
    expect(world.liveRelease).to.equal(BLUE);
    expect([...world.stamps.keys()].some((s) => s.endsWith(GREEN)), "green destroyed").to.equal(false);
  });
});
