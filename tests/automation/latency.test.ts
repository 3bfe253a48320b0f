import { expect } from "chai";
import { abortableDelay, DEFAULT_TIME_SCALE, modelledDurationMs, timeScaleFromEnv } from "../../automation/offline/latency.js";

describe("offline latency model", () => {
  const min = 60_000;
  it("gives Azure-like durations: stamps ~12 min to create, Front Door updates ~4 min, previews ~20 s", () => {
    expect(modelledDurationMs({ kind: "stamp", operation: "up", firstDeployment: true })).to.equal(12 * min);
    expect(modelledDurationMs({ kind: "stamp", operation: "up", firstDeployment: false })).to.equal(3 * min);
    expect(modelledDurationMs({ kind: "global", operation: "up", firstDeployment: false })).to.equal(4 * min);
    expect(modelledDurationMs({ kind: "global", operation: "up", firstDeployment: true })).to.equal(15 * min);
    expect(modelledDurationMs({ kind: "stamp", operation: "destroy" })).to.equal(8 * min);
    expect(modelledDurationMs({ kind: "global", operation: "preview" })).to.equal(20_000);
  });

  it("a release's critical path can be computed without running it (parallel stamps, then Front Door steps)", () => {
    const stampsInParallel = Math.max(...["weu", "neu", "sdc"].map(() => modelledDurationMs({ kind: "stamp", operation: "up", firstDeployment: true })));
    const weightSteps = 3 * modelledDurationMs({ kind: "global", operation: "up" });
    expect(stampsInParallel + weightSteps).to.equal(24 * min);
  });

  it("reads the time scale from CONTOSO_OFFLINE_TIME_SCALE and rejects nonsense", () => {
    expect(timeScaleFromEnv({})).to.equal(DEFAULT_TIME_SCALE);
    expect(timeScaleFromEnv({ CONTOSO_OFFLINE_TIME_SCALE: "0.01" })).to.equal(0.01);
    expect(() => timeScaleFromEnv({ CONTOSO_OFFLINE_TIME_SCALE: "fast" })).to.throw(/must be a number from 0 to 1/);
    expect(() => timeScaleFromEnv({ CONTOSO_OFFLINE_TIME_SCALE: "-1" })).to.throw(/must be a number/);
  });

  it("waits honour cancellation", async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(new Error("stop")), 20);
    let error: unknown;
    await abortableDelay(10_000, controller.signal).catch((e: unknown) => (error = e));
    expect((error as Error).message).to.equal("stop");
    expect(Date.now() - started).to.be.lessThan(2_000);
  });
});
