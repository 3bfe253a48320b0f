import { expect } from "chai";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { gateStamps, ProbeWindow, watchStamps } from "../../../automation/release/health-gate.js";
import { probeOnce, type HostResolver } from "../../../automation/release/probe.js";
import { InterruptedError } from "../../../automation/release/interruption.js";

/** A loopback stamp whose health the test flips; counts probes. */
async function fakeStamp(release: string) {
  const state = {
    healthy: true,
    hang: false,
    probes: 0,
    answerAs: release,
    /** From this probe on (1-based) the stamp answers Unhealthy: faults placed in probe rounds, not milliseconds. */
    unhealthyFrom: Infinity,
    /** Answers this late: a starved machine, where the clock runs ahead of the probes. */
    delayMs: 0,
  };
  const server = http.createServer((req, res) => {
    state.probes++;
    if (state.probes >= state.unhealthyFrom) state.healthy = false;
    if (state.hang) return; // never answers: the probe must time out
    if (state.delayMs > 0) {
      setTimeout(() => answer(res), state.delayMs);
      return;
    }
    answer(res);
  });
  const answer = (res: http.ServerResponse) => {
    const status = state.healthy ? "Healthy" : "Unhealthy";
    res.writeHead(state.healthy ? 200 : 503, { "content-type": "application/json", "x-contoso-release": state.answerAs, "x-contoso-region": "westeurope" });
    res.end(JSON.stringify({ status, release: state.answerAs, region: "westeurope", components: [{ name: "cosmos", status, latencyMs: 3, ...(state.healthy ? {} : { error: "429 Too Many Requests" }) }] }));
  };
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  const resolve: HostResolver = () => ({ protocol: "http", address: "127.0.0.1", port });
  return { state, resolve, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

// A generous probe timeout: these tests place failures by probe count, and a loopback answer on a
// busy machine can take far longer than 200 ms (a timed-out probe would be a failure out of place).
const settings = { intervalMs: 20, sampleSize: 4, successesRequired: 3, probeTimeoutMs: 2_000 };

describe("health gate", () => {
  it("counts successes over a sliding window of the last n probes", () => {
    const w = new ProbeWindow(3);
    [true, false, true, true].forEach((ok) => w.record(ok));
    expect([w.successes, w.failures, w.samples]).to.deep.equal([2, 1, 3]);
  });

  it("a probe reads status, release, region and components from the contract", async () => {
    const stamp = await fakeStamp("r42");
    try {
      const ok = await probeOnce("app.example", "/health/stamp", { resolve: stamp.resolve, timeoutMs: 500, expectRelease: "r42" });
      expect(ok).to.include({ ok: true, statusCode: 200, status: "Healthy", release: "r42", region: "westeurope" });
      stamp.state.healthy = false;
      const bad = await probeOnce("app.example", "/health/stamp", { resolve: stamp.resolve, timeoutMs: 500, expectRelease: "r42" });
      expect(bad.ok).to.equal(false);
      expect(bad.error).to.match(/HTTP 503 Unhealthy \(cosmos: 429 Too Many Requests\)/);
      stamp.state.healthy = true;
      stamp.state.answerAs = "r41";
      const wrong = await probeOnce("app.example", "/health/stamp", { resolve: stamp.resolve, timeoutMs: 500, expectRelease: "r42" });
      expect(wrong.error).to.match(/answered by release r41 instead of r42/);
    } finally {
      await stamp.close();
    }
  });

  it("a probe that gets no answer fails within its timeout", async () => {
    const stamp = await fakeStamp("r42");
    stamp.state.hang = true;
    try {
      const started = Date.now();
      const r = await probeOnce("app.example", "/health/stamp", { resolve: stamp.resolve, timeoutMs: 100 });
      expect(r.ok).to.equal(false);
      expect(Date.now() - started).to.be.below(1000);
    } finally {
      await stamp.close();
    }
  });

  it("passes a healthy stamp after k successes, and fails an unhealthy one at the deadline", async () => {
    const good = await fakeStamp("r42");
    const bad = await fakeStamp("r42");
    bad.state.healthy = false;
    try {
      const [g] = await gateStamps([{ stack: "prod-weu-r42", hostName: "a", release: "r42" }], 2000, { settings, resolve: good.resolve });
      expect(g).to.include({ passed: true, probes: 3 });
      const started = Date.now();
      const [b] = await gateStamps([{ stack: "prod-neu-r42", hostName: "b", release: "r42" }], 300, { settings, resolve: bad.resolve });
      expect(b!.passed).to.equal(false);
      expect(b!.reason).to.match(/not healthy within 300 ms: 0 of the last 4 probes succeeded \(needs 3\)/);
      // Judged in probe rounds: 300 ms at one probe per 20 ms is 15 probes however slow the machine is.
      expect(b!.probes).to.equal(15);
      expect(bad.state.probes).to.equal(15);
      expect(Date.now() - started, "never before the deadline").to.be.at.least(280);
    } finally {
      await good.close();
      await bad.close();
    }
  });

  it("a slow machine does not shorten the gate: the stamp gets one probe per interval of the deadline", async () => {
    const slow = await fakeStamp("r42");
    slow.state.healthy = false;
    slow.state.delayMs = 60; // three intervals per probe: by the clock alone, 300 ms would hold 5 probes
    try {
      const [b] = await gateStamps([{ stack: "prod-neu-r42", hostName: "b", release: "r42" }], 300, { settings, resolve: slow.resolve });
      expect(b!.passed).to.equal(false);
      expect(b!.probes).to.equal(15);
    } finally {
      await slow.close();
    }
  });

  it("while baking, fails as soon as the window cannot hold k successes", async () => {
    const stamp = await fakeStamp("r42");
    try {
      stamp.state.unhealthyFrom = 6;
      const [v] = await watchStamps([{ stack: "prod-weu-r42", hostName: "a", release: "r42" }], 5000, { settings, resolve: stamp.resolve });
      expect(v!.passed).to.equal(false);
      // The exact threshold: with 3 of 4 required, the bake fails at the 2nd failing probe (n−k+1),
      // not the 1st (">=" instead of ">") nor the 3rd (an off-by-one the other way): probe 7.
      expect(v!.probes).to.equal(7);
      expect(v!.reason).to.match(/^2 of the last 4 probes succeeded \(needs 3\)/);
    } finally {
      await stamp.close();
    }
  });

  it("a bake whose last round is probed before its end waits the end out, with no probe beyond its rounds", async () => {
    // 290 ms at 20 ms: 14 rounds, the 14th probed at about 260 ms. Probing again at 290 ms (what the
    // loop once did) made the count depend on the machine's speed: a burner-loaded run saw 11 of 10.
    const stamp = await fakeStamp("r42");
    try {
      const started = Date.now();
      const [v] = await watchStamps([{ stack: "prod-weu-r42", hostName: "a", release: "r42" }], 290, { settings, resolve: stamp.resolve });
      expect(v!.passed).to.equal(true);
      expect(v!.probes).to.equal(14);
      expect(Date.now() - started, "the bake lasts its bake time").to.be.at.least(285);
    } finally {
      await stamp.close();
    }
  });

  it("a bake of healthy stamps lasts the bake time and passes", async () => {
    const stamp = await fakeStamp("r42");
    try {
      const started = Date.now();
      const verdicts = await watchStamps(
        [{ stack: "prod-weu-r42", hostName: "a", release: "r42" }, { stack: "prod-neu-r42", hostName: "b", release: "r42" }],
        200,
        { settings, resolve: stamp.resolve },
      );
      expect(verdicts.map((v) => v.passed)).to.deep.equal([true, true]);
      expect(verdicts.map((v) => v.probes), "one probe per interval of the bake, however slow the machine").to.deep.equal([10, 10]);
      expect(Date.now() - started).to.be.at.least(190);
    } finally {
      await stamp.close();
    }
  });

  // Issue 13: a cancel is an interruption. An interrupted bake must not count as passed (it used to
  // return "passed" on abort), and an interrupted gate must not count as failed.
  for (const mode of ["watch", "gate"] as const) {
    it(`an interrupted ${mode} stops at once and rejects with the interruption: no verdict at all`, async () => {
      const stamp = await fakeStamp("r42");
      stamp.state.healthy = mode === "watch"; // a gate that would keep waiting, a bake that would pass
      try {
        const controller = new AbortController();
        const target = [{ stack: "prod-weu-r42", hostName: "app.example", release: "r42" }];
        const options = { settings, resolve: stamp.resolve, signal: controller.signal };
        const running = mode === "watch" ? watchStamps(target, 60_000, options) : gateStamps(target, 60_000, options);
        setTimeout(() => controller.abort(new InterruptedError("interrupted by SIGTERM")), settings.intervalMs * 3);
        let outcome: unknown;
        await running.then((v) => (outcome = v), (err: unknown) => (outcome = err));
        expect(outcome).to.be.instanceOf(InterruptedError);
        const probesAtStop = stamp.state.probes;
        await new Promise((r) => setTimeout(r, settings.intervalMs * 5));
        expect(stamp.state.probes, "no probe after the interruption").to.equal(probesAtStop);
      } finally {
        await stamp.close();
      }
    });
  }
});
