import { expect } from "chai";
import { executeReap, type RetainedOriginsOps } from "../../../automation/reaper/execute.js";
import type { ReapDecision } from "../../../automation/reaper/plan.js";
import { OperationError, type Engine } from "../../../automation/engine/port.js";

/**
 * The executor against a recording engine: how many destroys run at once, in which order, and
 * what a failure does to its environment's global stack.
 */

function recordingEngine(failing: Set<string> = new Set()) {
  const log: string[] = [];
  let running = 0;
  let peak = 0;
  const engine = {
    kind: "offline",
    description: "recording",
    stateDir: "/nonexistent",
    async destroy(stack: string) {
      running++;
      peak = Math.max(peak, running);
      log.push(`destroy ${stack}`);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      if (failing.has(stack)) throw new OperationError(stack, "destroy", "injected");
      log.push(`destroyed ${stack}`);
    },
    async remove(stack: string) {
      log.push(`removed ${stack}`);
    },
    async outputs() {
      return undefined;
    },
  } as unknown as Engine;
  return { engine, log, peak: () => peak };
}

const destroy = (stack: string, env: string, kind: "global" | "stamp"): ReapDecision => ({ stack, env, kind, action: "destroy", reason: "test", cause: "expired" });

describe("reaper executor", () => {
  const plan: ReapDecision[] = [];
  for (const env of ["dev-a", "dev-b", "dev-c"]) {
    for (const r of ["r1", "r2", "r3"]) plan.push(destroy(`${env}-weu-${r}`, env, "stamp"));
    plan.push(destroy(`${env}-global`, env, "global"));
  }

  it("runs at most --concurrency destroys at once, and each global stack after all its stamps are removed", async () => {
    const { engine, log, peak } = recordingEngine();
    const outcomes = await executeReap(engine, plan, { concurrency: 2 });
    expect(peak()).to.equal(2);
    expect(outcomes.every((o) => o.result === "destroyed")).to.equal(true);
    for (const env of ["dev-a", "dev-b", "dev-c"]) {
      const globalStart = log.indexOf(`destroy ${env}-global`);
      for (const r of ["r1", "r2", "r3"]) expect(log.indexOf(`removed ${env}-weu-${r}`)).to.be.within(0, globalStart);
    }
  });

  it("a failed stamp is reported and keeps its global stack; other environments go on", async () => {
    const { engine, log } = recordingEngine(new Set(["dev-b-weu-r2"]));
    const outcomes = Object.fromEntries((await executeReap(engine, plan, { concurrency: 3 })).map((o) => [o.stack, o]));
    expect(outcomes["dev-b-weu-r2"]).to.include({ result: "failed" });
    expect(outcomes["dev-b-weu-r2"]!.detail).to.match(/injected; retried next run$/);
    expect(outcomes["dev-b-global"]).to.include({ result: "skipped" });
    expect(log).to.not.include("destroy dev-b-global");
    expect(outcomes["dev-a-global"]!.result).to.equal("destroyed");
    expect(outcomes["dev-c-global"]!.result).to.equal("destroyed");
  });

  it("starts no destroy of an environment whose release lock was lost; other environments go on", async () => {
    const { engine, log } = recordingEngine();
    // dev-b's lease is lost once its first stamp finished: its later destroys must not start.
    const confirmHeld = async (env: string) => {
      if (env === "dev-b" && log.includes("removed dev-b-weu-r1")) throw new Error("lost the release lock of dev-b: lease broken");
    };
    const outcomes = Object.fromEntries((await executeReap(engine, plan, { concurrency: 1, confirmHeld })).map((o) => [o.stack, o]));
    expect(outcomes["dev-b-weu-r1"]!.result).to.equal("destroyed");
    for (const stack of ["dev-b-weu-r2", "dev-b-weu-r3"]) {
      expect(outcomes[stack]).to.include({ result: "failed" });
      expect(outcomes[stack]!.detail).to.equal("lost the release lock of dev-b: lease broken; retried next run");
      expect(log).to.not.include(`destroy ${stack}`);
    }
    expect(outcomes["dev-b-global"]).to.include({ result: "skipped" });
    expect(log).to.not.include("destroy dev-b-global");
    for (const env of ["dev-a", "dev-c"]) expect(outcomes[`${env}-global`]!.result).to.equal("destroyed");
  });

  it("refuses at the edge whatever the plan says: a protected or unknown environment is not touched", async () => {
    const { engine, log } = recordingEngine();
    const forged = [destroy("prod-weu-r1", "prod", "stamp"), destroy("staging-global", "staging", "global"), destroy("qa-weu-r1", "qa", "stamp")];
    const outcomes = await executeReap(engine, forged, { concurrency: 4 });
    expect(outcomes.map((o) => o.result)).to.deep.equal(["skipped", "skipped", "skipped"]);
    expect(log).to.deep.equal([]);
  });

  describe("a retained blue whose undo window ended", () => {
    const ended = (stack: string, env = "prod"): ReapDecision => ({ stack, env, kind: "stamp", action: "destroy", reason: "test", cause: "retention-ended" });
    const retainedPlan = [ended("prod-weu-r1"), ended("prod-neu-r1"), destroy("dev-a-weu-r7", "dev-a", "stamp")];
    function recordingOrigins(log: string[], failDrop = new Set<string>()): RetainedOriginsOps {
      return {
        async drop(_engine, env, release) {
          log.push(`drop origins ${env} ${release}`);
          if (failDrop.has(env)) throw new Error("the global update failed (injected)");
          return 3;
        },
        async forget(_engine, env, release) {
          log.push(`forget ${env} ${release}`);
          return true;
        },
      };
    }

    it("leaves Front Door (its origins, one update) before any of its stamps is destroyed, and its record is cleared after the last", async () => {
      const { engine, log } = recordingEngine();
      const outcomes = await executeReap(engine, retainedPlan, { concurrency: 2, retainedOrigins: recordingOrigins(log) });
      expect(outcomes.map((o) => o.result)).to.deep.equal(["destroyed", "destroyed", "destroyed"]);
      const drop = log.indexOf("drop origins prod r1");
      const forget = log.indexOf("forget prod r1");
      expect(log.filter((l) => l.startsWith("drop") || l.startsWith("forget"))).to.deep.equal(["drop origins prod r1", "forget prod r1"]);
      for (const stack of ["prod-weu-r1", "prod-neu-r1"]) {
        expect(log.indexOf(`destroy ${stack}`), stack).to.be.greaterThan(drop);
        expect(log.indexOf(`removed ${stack}`), stack).to.be.within(drop, forget);
      }
    });

    it("whose origins could not be removed keeps every stamp (failed, retried next run) and its record; other environments go on", async () => {
      const { engine, log } = recordingEngine();
      const outcomes = Object.fromEntries((await executeReap(engine, retainedPlan, { concurrency: 2, retainedOrigins: recordingOrigins(log, new Set(["prod"])) })).map((o) => [o.stack, o]));
      for (const stack of ["prod-weu-r1", "prod-neu-r1"]) {
        expect(outcomes[stack]).to.include({ result: "failed" });
        expect(outcomes[stack]!.detail).to.equal("removing the disabled origins of r1 from Front Door first failed: the global update failed (injected); retried next run");
        expect(log).to.not.include(`destroy ${stack}`);
      }
      expect(log).to.not.include("forget prod r1");
      expect(outcomes["dev-a-weu-r7"]!.result).to.equal("destroyed");
    });

    it("keeps its record while one of its stamps is left (a failed destroy): the next run finishes and clears it", async () => {
      const { engine, log } = recordingEngine(new Set(["prod-neu-r1"]));
      const outcomes = await executeReap(engine, retainedPlan, { concurrency: 2, retainedOrigins: recordingOrigins(log) });
      expect(outcomes.map((o) => o.result)).to.deep.equal(["destroyed", "failed", "destroyed"]);
      expect(log).to.include("drop origins prod r1");
      expect(log).to.not.include("forget prod r1");
    });

    it("touches no Front Door where the stamps are not the reaper's to destroy (an environment without a definition)", async () => {
      const { engine, log } = recordingEngine();
      const outcomes = await executeReap(engine, [ended("qa-weu-r1", "qa")], { concurrency: 2, retainedOrigins: recordingOrigins(log) });
      expect(outcomes.map((o) => o.result)).to.deep.equal(["skipped"]);
      expect(log).to.deep.equal([]);
    });

    it("an expired personal environment's stamps (not retained) cause no origin update", async () => {
      const { engine, log } = recordingEngine();
      await executeReap(engine, plan, { concurrency: 3, retainedOrigins: recordingOrigins(log) });
      expect(log.filter((l) => l.startsWith("drop") || l.startsWith("forget"))).to.deep.equal([]);
    });
  });
});
