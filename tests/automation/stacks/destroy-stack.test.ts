import { expect } from "chai";
import type { Engine, EngineEvent } from "../../../automation/engine/port.js";
import { destroyStack } from "../../../automation/stacks/destroy-stack.js";
import { KillSwitchError, type KillSwitchArmer } from "../../../automation/stacks/kill-switch.js";

/**
 * destroyStack against a recording engine and armer: the order of the calls, and what a failure
 * of each part does to the rest.
 */

const STAMP = "prod-weu-r42";
const BLOB = `https://stshoeskillprodk3x9q.blob.core.windows.net/killswitch/${STAMP}`;

function recording(outputs: Record<string, Record<string, unknown>>, fail: { outputs?: boolean; disarm?: boolean } = {}) {
  const calls: string[] = [];
  const engine = {
    kind: "pulumi",
    async outputs(stack: string) {
      calls.push(`outputs ${stack}`);
      if (fail.outputs) throw new Error("backend unreachable\nstack trace");
      return outputs[stack];
    },
    async destroy(stack: string) {
      calls.push(`destroy ${stack}`);
      // A destroyed stack has no outputs any more: the URL must have been read before.
      delete outputs[stack];
    },
    async remove(stack: string) {
      calls.push(`remove ${stack}`);
    },
  } as unknown as Engine;
  const armer: KillSwitchArmer = {
    arm: async () => expect.fail("destroy never arms"),
    async disarm(target) {
      calls.push(`disarm ${target.stack} ${target.blobUrl}`);
      if (fail.disarm) throw new KillSwitchError(`cannot remove the kill switch of ${target.stack}: Azure refused to delete ${target.blobUrl} (403)`);
      return "deleted";
    },
  };
  const events: EngineEvent[] = [];
  return { engine, armer, calls, events, onEvent: (e: EngineEvent) => events.push(e) };
}

describe("destroying a stack (automation/stacks/destroy-stack.ts)", () => {
  it("a stamp: reads its kill-switch URL, destroys it, deletes the blob, then removes the stack", async () => {
    const r = recording({ [STAMP]: { killSwitchBlobUrl: BLOB } });
    await destroyStack(r.engine, STAMP, { armer: r.armer, onEvent: r.onEvent });
    expect(r.calls).to.deep.equal([`outputs ${STAMP}`, `destroy ${STAMP}`, `disarm ${STAMP} ${BLOB}`, `remove ${STAMP}`]);
    expect(r.events).to.deep.equal([]);
  });

  it("a global stack (no kill switch) and --keep-stack: nothing to delete, the empty stack kept", async () => {
    const r = recording({ "prod-global": { frontDoorEndpointHostName: "x" } });
    await destroyStack(r.engine, "prod-global", { armer: r.armer, remove: false });
    expect(r.calls).to.deep.equal(["outputs prod-global", "destroy prod-global"]);
  });

  it("a blob that cannot be deleted is a warning: the stamp is still destroyed and removed", async () => {
    const r = recording({ [STAMP]: { killSwitchBlobUrl: BLOB } }, { disarm: true });
    await destroyStack(r.engine, STAMP, { armer: r.armer, onEvent: r.onEvent });
    expect(r.calls.at(-1)).to.equal(`remove ${STAMP}`);
    expect(r.events).to.deep.equal([
      { type: "log", stack: STAMP, level: "warning", message: `cannot remove the kill switch of ${STAMP}: Azure refused to delete ${BLOB} (403); the stamp is destroyed, delete the blob by hand` },
    ]);
  });

  it("outputs that cannot be read do not stop the destroy; the warning says a blob may stay behind", async () => {
    const r = recording({}, { outputs: true });
    await destroyStack(r.engine, STAMP, { armer: r.armer, onEvent: r.onEvent });
    expect(r.calls).to.deep.equal([`outputs ${STAMP}`, `destroy ${STAMP}`, `remove ${STAMP}`]);
    expect(r.events).to.have.length(1);
    expect(r.events[0]).to.deep.include({ type: "log", level: "warning" });
    expect((r.events[0] as { message: string }).message).to.equal(`could not read the outputs of ${STAMP} before destroying it (backend unreachable); a kill-switch blob of it stays behind`);
  });

  it("a failed destroy deletes no blob and removes nothing: the next run finds the stack and its outputs", async () => {
    const r = recording({ [STAMP]: { killSwitchBlobUrl: BLOB } });
    (r.engine as { destroy: unknown }).destroy = async () => {
      r.calls.push("destroy failed");
      throw new Error("resource group is locked");
    };
    await destroyStack(r.engine, STAMP, { armer: r.armer }).then(() => expect.fail("destroyed"), (e: Error) => expect(e.message).to.equal("resource group is locked"));
    expect(r.calls).to.deep.equal([`outputs ${STAMP}`, "destroy failed"]);
  });
});
