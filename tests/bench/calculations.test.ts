import { expect } from "chai";
import { loadEnvironment } from "../../environments/index.js";
import { detectionWindowMs, idealReapMs, releaseCriticalPath, stampTeardownMs } from "../../bench/critical-path.js";
import { figure, formatTable, ratio } from "../../bench/figures.js";
import { measuredCriticalPath } from "../../bench/measured-path.js";
import type { RecordedOperation } from "../../bench/recording-engine.js";
import type { TimedAction } from "../../bench/release-timing.js";

const MINUTE = 60_000;

describe("bench: the pure calculations behind the figures", () => {
  const prod = loadEnvironment("prod");

  it("prod's critical path at Azure's pace: stamp 12 min + expose 4 min + gate 40 s + 3 x (4 min + 15 min bake) + promote 4 min (blue retained: no teardown)", () => {
    const path = releaseCriticalPath(prod, 1);
    expect(path.totalMs).to.equal(12 * MINUTE + 4 * MINUTE + 40_000 + 3 * (4 * MINUTE + 15 * MINUTE) + 4 * MINUTE);
    expect(path.parts.map((p) => p.name)).to.have.length(3 + 2 * 3 + 1);
  });

  it("without a blueRetention the release also tears blue down: + 8 min 2 s", () => {
    const destroying = loadEnvironment("prod", { release: { blueRetention: "0s" } });
    expect(releaseCriticalPath(destroying, 1).totalMs - releaseCriticalPath(prod, 1).totalMs).to.equal(8 * MINUTE + 2_000);
    expect(releaseCriticalPath(destroying, 1).parts.at(-1)!.name).to.equal("blue teardown (destroy + remove)");
  });

  it("scales every part like the engine and the driver do, including the driver's 50 ms probe-interval floor", () => {
    const scaled = releaseCriticalPath(prod, 0.01);
    // 10 s x 0.01 = 100 ms interval: the gate needs 4 intervals after its first probe.
    expect(scaled.parts[2]!.ms).to.equal(400);
    expect(scaled.totalMs).to.be.closeTo(releaseCriticalPath(prod, 1).totalMs * 0.01, 1);
    // At 0.001 the interval would be 10 ms; the driver never probes faster than every 50 ms.
    expect(releaseCriticalPath(prod, 0.001).parts[2]!.ms).to.equal(4 * 50);
  });

  it("a bake is never shorter than one full probe window", () => {
    const env = loadEnvironment("staging", { release: { steps: [100], bakeTime: "0s" } });
    const bake = releaseCriticalPath(env, 1).parts.find((p) => p.name.startsWith("bake"))!;
    expect(bake.ms).to.equal(env.healthGate.sampleSize * env.healthGate.interval);
  });

  it("ideal reaper time is full waves of teardowns", () => {
    expect(stampTeardownMs(1)).to.equal(8 * MINUTE + 2_000);
    expect(idealReapMs(100, 1, 1)).to.equal(100 * stampTeardownMs(1));
    expect(idealReapMs(100, 8, 1)).to.equal(13 * stampTeardownMs(1));
    expect(idealReapMs(100, 16, 0.001)).to.be.closeTo(7 * stampTeardownMs(0.001), 1e-9);
    expect(() => idealReapMs(100, 0, 1)).to.throw(RangeError);
  });

  it("the detection window is sampleSize x interval", () => {
    expect(detectionWindowMs(prod, 1)).to.equal(6 * 10_000);
    expect(detectionWindowMs(prod, 0.05)).to.equal(6 * 500);
  });

  it("the measured path takes the slowest green stamp, every global update, gate, bakes and the slowest blue teardown", () => {
    const op = (stack: string, operation: RecordedOperation["operation"], startMs: number, endMs: number, ok = true): RecordedOperation => ({ stack, operation, startMs, endMs, ok });
    const operations = [
      op("prod-weu-r2", "up", 0, 100),
      op("prod-neu-r2", "up", 0, 130),
      op("prod-global", "up", 200, 240),
      op("prod-global", "up", 300, 350),
      op("prod-weu-r1", "destroy", 400, 480),
      op("prod-weu-r1", "remove", 480, 485),
      op("prod-neu-r1", "destroy", 400, 470),
      op("prod-neu-r1", "remove", 470, 520),
      op("prod-sdc-r2", "up", 0, 999, false),
    ];
    const actions: TimedAction[] = [
      { kind: "gate", atMs: 130, durationMs: 20 },
      { kind: "bake", atMs: 240, durationMs: 50 },
    ];
    const path = measuredCriticalPath({ actions, operations }, { green: "r2", blue: "r1" });
    expect(path.totalMs).to.equal(130 + 20 + 40 + 50 + 50 + 120);
  });

  it("figures pass at or under their target, and report-only figures have no verdict", () => {
    expect(figure("a", "A", 1.05, "ratio", { max: 1.05, source: "issue 9" }, "").pass).to.equal(true);
    expect(figure("b", "B", 1.051, "ratio", { max: 1.05, source: "issue 9" }, "").pass).to.equal(false);
    expect(figure("c", "C", 3, "ms", null, "").pass).to.equal(null);
    expect(ratio(3, 2)).to.equal(1.5);
    expect(() => ratio(1, 0)).to.throw(RangeError);
    const table = formatTable([figure("b", "B", 1.051, "ratio", { max: 1.05, source: "issue 9" }, "")]);
    expect(table).to.match(/B\s+1\.051\s+<= 1\.050\s+FAIL/);
  });
});
