import { expect } from "chai";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { gateStamps } from "../../../automation/release/health-gate.js";
import { probeOnce, type HostResolver } from "../../../automation/release/probe.js";

/**
 * How one probe reads a stamp's answer (DESIGN.md, "Health contract"): the status code and the body
 * must both say the stamp can serve *and is Healthy*, from the expected release.
 *
 * Decision (README, "Releases"): a Degraded green stamp does not pass its gate. Degraded answers 200
 * (Front Door keeps a serving stamp that is on a fallback, e.g. the Key Vault cache), but a release
 * whose stamps start on a fallback has not shown that its dependencies work: a new stamp has nothing
 * cached worth riding on, and a wrong secret reference or role assignment in the new release looks
 * exactly like that. So the gate, and the bakes, count Degraded as a failed probe; blue, which
 * served before, is not judged by the gate.
 */

interface Answer {
  code: number;
  body: string;
  release?: string;
}

async function answering(answer: () => Answer) {
  const server = http.createServer((_req, res) => {
    const a = answer();
    res.writeHead(a.code, { "content-type": "application/json", ...(a.release ? { "x-contoso-release": a.release, "x-contoso-region": "westeurope" } : {}) });
    res.end(a.body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  const resolve: HostResolver = () => ({ protocol: "http", address: "127.0.0.1", port });
  return { resolve, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const health = (status: string, components: { name: string; status: string; error?: string }[] = []) =>
  JSON.stringify({ status, release: "r42", region: "westeurope", components });

async function probeWith(a: Answer, expectRelease: string | null = "r42") {
  const stamp = await answering(() => a);
  try {
    return await probeOnce("app.example", "/health/stamp", { resolve: stamp.resolve, timeoutMs: 2_000, ...(expectRelease ? { expectRelease } : {}) });
  } finally {
    await stamp.close();
  }
}

describe("release probe: reading a stamp's answer (automation/release/probe.ts)", () => {
  it("succeeds on 200 with a Healthy body from the expected release", async () => {
    const r = await probeWith({ code: 200, body: health("Healthy"), release: "r42" });
    expect(r).to.include({ ok: true, statusCode: 200, status: "Healthy", release: "r42", region: "westeurope" });
    expect(r.error).to.equal(undefined);
  });

  it("fails a Degraded stamp although it answers 200, naming the degraded component", async () => {
    const r = await probeWith({ code: 200, body: health("Degraded", [{ name: "keyvault", status: "Degraded", error: "serving the cached secret" }]), release: "r42" });
    expect(r.ok).to.equal(false);
    expect(r.status).to.equal("Degraded");
    expect(r.error).to.equal("HTTP 200 Degraded (keyvault: serving the cached secret)");
  });

  it("fails a 503 even when the body says Healthy (the status code counts)", async () => {
    const r = await probeWith({ code: 503, body: health("Healthy"), release: "r42" });
    expect(r.ok).to.equal(false);
    expect(r.error).to.equal("HTTP 503 Healthy");
  });

  it("fails a 200 whose body says Unhealthy (the body counts)", async () => {
    const r = await probeWith({ code: 200, body: health("Unhealthy", [{ name: "cosmos", status: "Unhealthy", error: "429" }]), release: "r42" });
    expect(r.ok).to.equal(false);
    expect(r.error).to.equal("HTTP 200 Unhealthy (cosmos: 429)");
  });

  it("fails a 200 without a health body (a default page, a proxy's answer)", async () => {
    const r = await probeWith({ code: 200, body: "<html>Welcome</html>", release: "r42" });
    expect(r.ok).to.equal(false);
    expect(r.error).to.equal("HTTP 200 (no health body)");
    const other = await probeWith({ code: 200, body: JSON.stringify({ ok: true }), release: "r42" });
    expect(other.ok).to.equal(false);
  });

  it("fails a Healthy answer from another release, or one that does not say its release", async () => {
    const other = await probeWith({ code: 200, body: health("Healthy"), release: "r41" });
    expect(other.ok).to.equal(false);
    expect(other.error).to.equal("answered by release r41 instead of r42");
    const anonymous = await probeWith({ code: 200, body: health("Healthy") });
    expect(anonymous.ok).to.equal(false);
    expect(anonymous.error).to.equal("answered by release ? instead of r42");
    // Without an expected release (the edge check's probes) any Healthy answer reads as ok.
    expect((await probeWith({ code: 200, body: health("Healthy"), release: "r41" }, null)).ok).to.equal(true);
  });

  it("a Degraded green stamp does not pass its first gate: every probe counts as failed", async () => {
    const stamp = await answering(() => ({ code: 200, body: health("Degraded", [{ name: "keyvault", status: "Degraded", error: "on fallback" }]), release: "r42" }));
    try {
      const settings = { intervalMs: 10, sampleSize: 3, successesRequired: 2, probeTimeoutMs: 500 };
      const [v] = await gateStamps([{ stack: "prod-weu-r42", hostName: "a", release: "r42" }], 100, { settings, resolve: stamp.resolve });
      expect(v!.passed).to.equal(false);
      expect(v!.window).to.deep.equal({ successes: 0, samples: 3 });
      expect(v!.reason).to.match(/last: HTTP 200 Degraded \(keyvault: on fallback\)$/);
    } finally {
      await stamp.close();
    }
  });
});
