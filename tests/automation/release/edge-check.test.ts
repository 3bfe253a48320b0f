import { expect } from "chai";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { OriginSpec } from "../../../global/contract.js";
import type { Engine } from "../../../automation/engine/port.js";
import type { Action, World } from "../../../automation/release/model.js";
import { enginePorts, type StackOps } from "../../../automation/release/ports.js";
import type { HostResolver } from "../../../automation/release/probe.js";
import { loadEnvironment } from "../../../environments/index.js";

/**
 * The Front Door edge check (automation/release/edge-check.ts) as the release's real ports run it:
 * a step that moves traffic is done only when the edge serves what the step says. The "edge" here
 * is a loopback server answering the health contract as the release the test sets, so skipping the
 * check, or checking the wrong releases, turns a step that must fail into one that passes.
 */

async function frontDoorEdge() {
  const state = { serving: ["r1"], requests: 0 };
  const server = http.createServer((_req, res) => {
    const release = state.serving[state.requests++ % state.serving.length]!;
    res.writeHead(200, { "content-type": "application/json", "x-contoso-release": release, "x-contoso-region": "westeurope" });
    res.end(JSON.stringify({ status: "Healthy", release, region: "westeurope", components: [] }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  const resolve: HostResolver = () => ({ protocol: "http", address: "127.0.0.1", port });
  return { state, resolve, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const origin = (release: string, weight: number, enabled = true): OriginSpec => ({
  stamp: `dev-weu-${release}`, region: "westeurope", release, hostName: `dev-weu-${release}.azurewebsites.net`, weight, enabled, priority: 1,
});

function world(mode: "rollout" | "rollback", frontDoorHostName: string | undefined = "contoso-dev.azurefd.net"): World {
  return {
    env: "dev",
    global: { exists: true, origins: [origin("r1", 1000)], liveRelease: "r1", ...(frontDoorHostName ? { frontDoorHostName } : {}) },
    stamps: [],
    intent: { release: "r2", image: "cr/shop:r2", mode, blueRelease: "r1", keepFailed: false, startedAt: "2026-01-01T00:00:00Z" },
  };
}

describe("release: the Front Door edge check after every traffic move", function () {
  let edge: Awaited<ReturnType<typeof frontDoorEdge>>;
  const updates: OriginSpec[][] = [];
  const events: { type: string; satisfied?: boolean; releasesSeen?: string[] }[] = [];
  const ops: StackOps = {
    deployStamp: async () => undefined,
    updateGlobal: async (origins) => void updates.push(origins),
    destroyStamp: async () => undefined,
  };
  const engine = { setTags: async () => undefined } as unknown as Engine;
  const ports = () =>
    enginePorts({
      engine, env: loadEnvironment("dev"), ops, resolve: edge.resolve, timing: { scale: 0.0001 }, checkpoint: () => undefined,
      onEvent: (e) => void events.push(e as (typeof events)[number]),
    });
  const run = (action: Action, w: World) => ports().execute(action, w);

  beforeEach(async () => {
    edge = await frontDoorEdge();
    updates.length = 0;
    events.length = 0;
  });
  afterEach(async () => edge.close());

  const shift10: Action = { kind: "shift", step: 0, percent: 10, origins: [origin("r1", 900), origin("r2", 100)], liveRelease: "r1" };
  const shift100: Action = { kind: "shift", step: 2, percent: 100, origins: [origin("r1", 1000, false), origin("r2", 1000)], liveRelease: "r1" };
  const restore: Action = { kind: "restore-blue", origins: [origin("r1", 1000)], liveRelease: "r1" };

  it("a shift is done only when the edge serves green: an edge still on the old config fails the step", async () => {
    edge.state.serving = ["r1"];
    let error: unknown;
    await run(shift10, world("rollout")).catch((err: unknown) => (error = err));
    expect(updates).to.have.length(1);
    expect((error as Error | undefined)?.message).to.match(/^Front Door did not serve the expected releases in time: saw r1; missing r2/);
    expect(events.filter((e) => e.type === "edge")).to.deep.equal([{ type: "edge", releasesSeen: ["r1"], satisfied: false }]);
    expect(edge.state.requests).to.be.greaterThan(0);
  });

  it("a shift passes once the edge serves green beside blue", async () => {
    edge.state.serving = ["r1", "r2"];
    expect(await run(shift10, world("rollout"))).to.deep.equal({ ok: true });
    expect(events.filter((e) => e.type === "edge")).to.deep.equal([{ type: "edge", releasesSeen: ["r1", "r2"], satisfied: true }]);
  });

  it("the last step (100 %) also needs blue gone from the edge", async () => {
    edge.state.serving = ["r1", "r2"];
    const err = await run(shift100, world("rollout")).then(() => undefined, (e: unknown) => e as Error);
    expect(err?.message).to.match(/still serving r1/);
    edge.state.serving = ["r2"];
    expect(await run(shift100, world("rollout"))).to.deep.equal({ ok: true });
  });

  it("restoring blue is done only when green is gone from the edge", async () => {
    edge.state.serving = ["r1", "r2"];
    const err = await run(restore, world("rollback")).then(() => undefined, (e: unknown) => e as Error);
    expect(err?.message).to.match(/still serving r2/);
    edge.state.serving = ["r1"];
    expect(await run(restore, world("rollback"))).to.deep.equal({ ok: true });
  });

  it("is never skipped: without a Front Door host name to check, the step fails", async () => {
    edge.state.serving = ["r1", "r2"];
    const err = await run(shift10, world("rollout", "")).then(() => undefined, (e: unknown) => e as Error);
    expect(err?.message).to.equal("cannot verify the Front Door edge: dev-global reports no Front Door host name");
  });
});
