import { expect } from "chai";
import { EVENT_SCHEMA_VERSION, releaseEventStream, type StreamRecord } from "../../../automation/release/event-stream.js";
import type { Action } from "../../../automation/release/model.js";

/** The --json event stream: versioned, timestamped, probes summarised unless --verbose, one line per pause. */
describe("release event stream", () => {
  const at = new Date("2026-12-02T10:00:00.000Z");
  const collect = (verbose: boolean) => {
    const records: StreamRecord[] = [];
    return { records, emit: releaseEventStream((r) => records.push(r), { verbose, now: () => at }) };
  };
  const probe = (stack: string, ok: boolean) => ({ type: "probe" as const, stack, result: { ok, components: [], latencyMs: 1, ...(ok ? {} : { error: "HTTP 503" }) } });
  const bake: Action = { kind: "bake", step: 0, percent: 10, stacks: ["prod-weu-r2"] };
  const pause: Action = { kind: "pause", step: 1, percent: 50, nextStep: 2, nextPercent: 100, stacks: ["prod-weu-r2"] };

  it("stamps every record with the schema version and the time", () => {
    const { records, emit } = collect(false);
    emit({ type: "action", action: bake });
    expect(records).to.deep.equal([{ schemaVersion: EVENT_SCHEMA_VERSION, time: at.toISOString(), type: "action", action: bake }]);
  });

  it("summarises probes per stamp before the event that ends what probed them; --verbose passes them all", () => {
    const { records, emit } = collect(false);
    emit({ type: "action", action: bake });
    for (const ok of [true, true, false]) emit(probe("prod-weu-r2", ok));
    emit({ type: "observed", world: { env: "prod", global: { exists: true, origins: [], liveRelease: "r1" }, stamps: [], intent: null } });
    emit({ type: "action-done", action: bake, result: { ok: true }, durationMs: 5 });
    expect(records.map((r) => r.type)).to.deep.equal(["action", "probes", "action-done"]);
    expect(records[1]).to.deep.include({ stack: "prod-weu-r2", ok: 2, failed: 1, lastError: "HTTP 503" });
    const verbose = collect(true);
    verbose.emit(probe("prod-weu-r2", true));
    expect(verbose.records.map((r) => r.type)).to.deep.equal(["probe"]);
  });

  it("reports a pause once, however many rounds it waits", () => {
    const { records, emit } = collect(false);
    for (let round = 0; round < 3; round++) {
      emit({ type: "action", action: pause });
      emit(probe("prod-weu-r2", true));
      emit({ type: "action-done", action: pause, result: { ok: true }, durationMs: 5 });
    }
    emit({ type: "action", action: { kind: "shift", step: 2, percent: 100, origins: [], liveRelease: "r1" } });
    const kindOf = (r: StreamRecord) => (r["action"] as { kind: string } | undefined)?.kind;
    expect(records.map((r) => `${r.type}${kindOf(r) ? `:${kindOf(r)}` : ""}`)).to.deep.equal([
      "action:pause",
      "probes",
      "action:shift",
    ]);
    expect(records[1]).to.deep.include({ ok: 3, failed: 0 });
  });
});
