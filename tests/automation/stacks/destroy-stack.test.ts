import { expect } from "chai";
import type { Engine, EngineEvent } from "../../../automation/engine/port.js";
import { destroyStack } from "../../../automation/stacks/destroy-stack.js";
import { KillSwitchError, type DrainMarkers } from "../../../automation/stacks/kill-switch.js";

/**
 * destroyStack against a recording engine and drain-marker client: the order of the calls, and
 * what a failure of each part does to the rest.
 */

const STAMP = "prod-weu-r42";
const ACCOUNT = "/subscriptions/s/resourceGroups/rg-shoes-prod-global/providers/Microsoft.Storage/storageAccounts/stshoeskillprodk3x9q";

function recording(outputs: Record<string, Record<string, unknown>>, fail: { outputs?: boolean; remove?: boolean } = {}) {
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
      delete outputs[stack];
    },
    async remove(stack: string) {
      calls.push(`remove ${stack}`);
    },
  } as unknown as Engine;
  const markers: DrainMarkers = {
    create: async () => expect.fail("destroy never drains"),
    exists: async () => expect.fail("destroy deletes without asking"),
    async remove(target) {
      calls.push(`remove-marker ${target.accountId} ${target.container}`);
      if (fail.remove) throw new KillSwitchError(`cannot delete the drain marker ${target.container} of ${target.stack}: Azure Resource Manager refused (403)`);
      return "deleted";
    },
  };
  const events: EngineEvent[] = [];
  return { engine, markers, calls, events, onEvent: (e: EngineEvent) => events.push(e) };
}

describe("destroying a stack (automation/stacks/destroy-stack.ts)", () => {
  it("a stamp: finds its kill-switch account, destroys it, deletes its drain marker, then removes the stack", async () => {
    const r = recording({ "prod-global": { killSwitchStorageAccountId: ACCOUNT } });
    await destroyStack(r.engine, STAMP, { markers: r.markers, onEvent: r.onEvent });
    expect(r.calls).to.deep.equal(["outputs prod-global", `destroy ${STAMP}`, `remove-marker ${ACCOUNT} drain-${STAMP}`, `remove ${STAMP}`]);
    expect(r.events).to.deep.equal([]);
  });

  it("a global stack (no kill switch) and --keep-stack: nothing to delete, the empty stack kept", async () => {
    const r = recording({ "prod-global": { killSwitchStorageAccountId: ACCOUNT } });
    await destroyStack(r.engine, "prod-global", { markers: r.markers, remove: false });
    expect(r.calls).to.deep.equal(["destroy prod-global"]);
  });

  it("a marker that cannot be deleted is a warning naming the command: the stamp is still destroyed and removed", async () => {
    const r = recording({ "prod-global": { killSwitchStorageAccountId: ACCOUNT } }, { remove: true });
    await destroyStack(r.engine, STAMP, { markers: r.markers, onEvent: r.onEvent });
    expect(r.calls.at(-1)).to.equal(`remove ${STAMP}`);
    expect(r.events).to.deep.equal([
      {
        type: "log",
        stack: STAMP,
        level: "warning",
        message: `cannot delete the drain marker drain-${STAMP} of ${STAMP}: Azure Resource Manager refused (403); the stamp is destroyed, delete its drain marker by hand: az storage container-rm delete --ids ${ACCOUNT}/blobServices/default/containers/drain-${STAMP} --yes`,
      },
    ]);
  });

  it("a global stack whose outputs cannot be read does not stop the destroy; the warning says a marker may stay behind", async () => {
    const r = recording({}, { outputs: true });
    await destroyStack(r.engine, STAMP, { markers: r.markers, onEvent: r.onEvent });
    expect(r.calls).to.deep.equal(["outputs prod-global", `destroy ${STAMP}`, `remove ${STAMP}`]);
    expect((r.events[0] as { message: string }).message).to.equal(`could not find the kill-switch account of ${STAMP} (backend unreachable); a drain marker of it may stay behind`);
  });

  it("a failed destroy deletes no marker and removes nothing: the next run finds the stack", async () => {
    const r = recording({ "prod-global": { killSwitchStorageAccountId: ACCOUNT } });
    (r.engine as { destroy: unknown }).destroy = async () => {
      r.calls.push("destroy failed");
      throw new Error("resource group is locked");
    };
    await destroyStack(r.engine, STAMP, { markers: r.markers }).then(() => expect.fail("destroyed"), (e: Error) => expect(e.message).to.equal("resource group is locked"));
    expect(r.calls).to.deep.equal(["outputs prod-global", "destroy failed"]);
  });
});
