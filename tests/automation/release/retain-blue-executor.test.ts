import { expect } from "chai";
import { loadEnvironment } from "../../../environments/index.js";
import type { Engine } from "../../../automation/engine/port.js";
import { enginePorts, type ProgressEvent, type StackOps } from "../../../automation/release/ports.js";
import type { ReconcilerEvent } from "../../../automation/release/reconciler.js";
import type { World } from "../../../automation/release/model.js";
import { RETENTION_TAG } from "../../../automation/release/retention-tag.js";

/**
 * The undo window's end is computed by the executor from the injected clock (the decision is pure
 * and has none): promotion time + blueRetention, written whole as one tag of the global stack.
 */
describe("retain-blue and forget-retention executors", () => {
  const writes: [string, Record<string, string>][] = [];
  const engine = { kind: "offline", stateDir: "/nonexistent", async setTags(stack: string, tags: Record<string, string>) { writes.push([stack, tags]); } } as unknown as Engine;
  const events: (ReconcilerEvent | ProgressEvent)[] = [];
  const noOps: StackOps = { deployStamp: async () => { throw new Error("no deploy"); }, updateGlobal: async () => { throw new Error("no update"); }, destroyStamp: async () => { throw new Error("no destroy"); } };
  const ports = enginePorts({
    engine, env: loadEnvironment("prod"), ops: noOps, resolve: () => undefined as never, timing: { scale: 1 }, checkpoint: () => {},
    onEvent: (e) => events.push(e), now: () => new Date("2026-12-02T14:00:00.000Z"),
  });
  const world: World = {
    env: "prod", global: { exists: true, origins: [], liveRelease: "r2" }, stamps: [], retention: null,
    intent: { release: "r2", image: "cr/shop:r2", mode: "rollout", blueRelease: "r1", keepFailed: false, startedAt: "2026-12-02T13:00:00.000Z" },
  };

  it("records the window from the injected clock, on the global stack, and says so", async () => {
    await ports.execute({ kind: "retain-blue", release: "r1", from: "r2", retentionMs: 3_600_000 }, world);
    expect(writes).to.deep.equal([["prod-global", { [RETENTION_TAG]: '{"v":1,"r":"r1","f":"r2","u":"2026-12-02T15:00:00.000Z"}' }]]);
    expect(events).to.deep.equal([{ type: "retained", release: "r1", until: "2026-12-02T15:00:00.000Z" }]);
  });

  it("clears it once the retained release is gone, and when an undo finishes (before the release record)", async () => {
    writes.length = 0;
    await ports.execute({ kind: "forget-retention", release: "r1" }, world);
    expect(writes).to.deep.equal([["prod-global", { [RETENTION_TAG]: "none" }]]);
    writes.length = 0;
    await ports.execute({ kind: "finish", outcome: "undone" }, { ...world, global: { ...world.global, liveRelease: "r1" }, intent: { ...world.intent!, mode: "undo" } });
    expect(Object.entries(writes[0]![1])).to.deep.equal([["contoso:release", "r1"], ["contoso:release-promote", "none"], [RETENTION_TAG, "none"], ["contoso:release-record", "none"]]);
    writes.length = 0;
    await ports.execute({ kind: "finish", outcome: "released" }, world);
    expect(Object.keys(writes[0]![1]), "a release keeps the window it recorded").to.not.include(RETENTION_TAG);
  });
});
