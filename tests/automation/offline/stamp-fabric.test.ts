import { expect } from "chai";
import fc from "fast-check";
import { createServer } from "node:net";
import type { FaultPlan, StampFault } from "../../../automation/offline/faults.js";
import { activeFault } from "../../../automation/offline/simulated-checks.js";
import { startStampFabric, type FabricFrontDoor, type FabricStamp, type StampFabric } from "../../../automation/offline/stamp-fabric.js";
import { WeightedRoundRobin } from "../../../automation/offline/weighted-round-robin.js";
import type { StampHealth } from "../../../stamp/health/types.js";
import { probe, probeUntil, sleep } from "../../stamp/health/http-probe.js";
import { propertyRuns } from "../../property-runs.js";

const INTERVAL_MS = 100;
/**
 * How late a 100 ms round may run and still count as "the next round". Generous on purpose: on a
 * busy machine rounds start seconds late. What these bounds exclude is a fault applied only after
 * a restart, or never.
 */
const SCHEDULING_SLACK_MS = 3_000;

const blueWeu: FabricStamp = { stack: "prod-weu-r42", hostName: "app-shoes-prod-weu-r42-ab1cd.azurewebsites.net", region: "westeurope", release: "r42" };
const blueNeu: FabricStamp = { stack: "prod-neu-r42", hostName: "app-shoes-prod-neu-r42-ef2gh.azurewebsites.net", region: "northeurope", release: "r42" };
const greenWeu: FabricStamp = { stack: "prod-weu-r43", hostName: "app-shoes-prod-weu-r43-ij3kl.azurewebsites.net", region: "westeurope", release: "r43" };
const EDGE = "fde-shoes-prod-abc123.z01.azurefd.net";

function origin(stamp: FabricStamp, weight: number, enabled = true) {
  return { hostName: stamp.hostName, weight, enabled, release: stamp.release, region: stamp.region };
}

describe("offline stamp fabric", function () {
  this.timeout(10_000);
  let fabric: StampFabric | undefined;
  let world: { stamps: FabricStamp[]; plan: FaultPlan; frontDoors: FabricFrontDoor[]; planReads: number };

  async function start(initial: Partial<Omit<typeof world, "planReads">> = {}): Promise<StampFabric> {
    world = { stamps: [blueWeu, blueNeu], plan: {}, frontDoors: [], planReads: 0, ...initial };
    fabric = await startStampFabric({
      stamps: async () => world.stamps,
      faults: async () => {
        world.planReads++;
        return world.plan;
      },
      frontDoors: async () => world.frontDoors,
      checkIntervalMs: INTERVAL_MS,
      refreshIntervalMs: 60_000,
    });
    return fabric;
  }
  const get = (host: string, path = "/health/stamp", method = "GET") => probe(fabric!.port, path, { host, method });
  const body = (r: { body: string }) => JSON.parse(r.body) as StampHealth;
  /** Waits for every stamp's first round, so a test starts from settled health. */
  const settled = () => sleep(INTERVAL_MS);

  afterEach(async () => {
    await fabric?.close();
    fabric = undefined;
  });

  describe("routing by Host", function () {
    it("serves each stamp's health contract under its own host name, with its release and region", async function () {
      const f = await start();
      await settled();
      expect(f.address).to.equal("127.0.0.1");
      expect(f.resolve(blueWeu.hostName)).to.deep.equal({ host: "127.0.0.1", port: f.port });
      for (const stamp of [blueWeu, blueNeu]) {
        const r = await get(stamp.hostName);
        expect(r.status).to.equal(200);
        expect(r.headers["x-contoso-release"]).to.equal(stamp.release);
        expect(r.headers["x-contoso-region"]).to.equal(stamp.region);
        const health = body(r);
        expect(health).to.include({ status: "Healthy", release: stamp.release, region: stamp.region });
        expect(health.components.map((c) => c.name)).to.deep.equal(["cosmos", "servicebus", "keyvault", "redis", "killswitch"]);
        expect((await get(stamp.hostName, "/health/liveness", "HEAD")).status).to.equal(200);
        expect(JSON.parse((await get(stamp.hostName, "/")).body)).to.include({ stack: stamp.stack, release: stamp.release });
      }
      // Host headers carry ports and any case.
      expect((await get(`${blueNeu.hostName.toUpperCase()}:443`)).headers["x-contoso-region"]).to.equal("northeurope");
    });

    it("answers 404 with a clear body for a host it does not serve, and resolve() knows nothing of it", async function () {
      const f = await start();
      expect(f.resolve("app-nope.azurewebsites.net")).to.equal(undefined);
      const r = await get("app-nope.azurewebsites.net");
      expect(r.status).to.equal(404);
      const answer = JSON.parse(r.body) as { error: string; knownStamps: string[] };
      expect(answer.error).to.equal(`no offline stamp or Front Door endpoint answers for host "app-nope.azurewebsites.net"`);
      expect(answer.knownStamps).to.deep.equal([blueNeu.hostName, blueWeu.hostName].sort());
    });

    it("serves a newly deployed stamp at once and stops serving a destroyed one after refresh()", async function () {
      const f = await start();
      world.stamps = [...world.stamps, greenWeu];
      const green = await probeUntil(f.port, "/health/stamp", (r) => r.status === 200, { host: greenWeu.hostName, timeoutMs: 1_000 });
      expect(green.response.headers["x-contoso-release"]).to.equal("r43");
      expect(f.resolve(greenWeu.hostName)).to.not.equal(undefined);

      world.stamps = [blueNeu, greenWeu];
      await f.refresh();
      expect(f.resolve(blueWeu.hostName)).to.equal(undefined);
      expect((await get(blueWeu.hostName)).status).to.equal(404);
    });
  });

  describe("modelled time, not machine speed (issue 13)", function () {
    it("a machine too slow to answer a check within half an interval (the plan takes 4 intervals to read) leaves a healthy stamp Healthy", async function () {
      world = { stamps: [blueWeu], plan: {}, frontDoors: [], planReads: 0 };
      const slowMs = INTERVAL_MS * 4;
      fabric = await startStampFabric({
        stamps: async () => world.stamps,
        // A loaded machine: every read of the plan takes longer than any wall-clock check timeout would allow.
        faults: () => sleep(slowMs).then(() => world.plan),
        checkIntervalMs: INTERVAL_MS,
        refreshIntervalMs: 60_000,
      });
      // Until the first (slow) round finishes the stamp is starting; once it has, it is Healthy, and stays so.
      await sleep(slowMs + INTERVAL_MS + SCHEDULING_SLACK_MS);
      for (let round = 0; round < 3; round++) {
        const health = fabric.health(blueWeu.hostName)!;
        expect(health.status, JSON.stringify(health)).to.equal("Healthy");
        await sleep(slowMs);
      }
    });

    it("the plan still decides: an outage is reported however slow the machine", async function () {
      world = { stamps: [blueWeu], plan: { stamps: [{ stack: blueWeu.stack }] }, frontDoors: [], planReads: 0 };
      fabric = await startStampFabric({
        stamps: async () => world.stamps,
        faults: () => sleep(INTERVAL_MS * 4).then(() => world.plan),
        checkIntervalMs: INTERVAL_MS,
        refreshIntervalMs: 60_000,
      });
      await sleep(INTERVAL_MS * 5 + SCHEDULING_SLACK_MS);
      const health = fabric.health(blueWeu.hostName)!;
      expect(health.status).to.equal("Unhealthy");
      expect(health.components.find((c) => c.name === "cosmos")?.error).to.match(/simulated outage of cosmos/);
    });
  });

  describe("fault injection", function () {
    it("turns the matching stamps 503 with the faulted component Unhealthy, and only those", async function () {
      const f = await start({ plan: { stamps: [{ stack: "prod-weu-*", component: "redis" }] } });
      await settled();
      const faulted = await get(blueWeu.hostName);
      expect(faulted.status).to.equal(503);
      const health = body(faulted);
      expect(health.status).to.equal("Unhealthy");
      expect(health.components.find((c) => c.name === "redis")).to.include({ status: "Unhealthy", error: "simulated outage of redis (fault plan: stack prod-weu-*)" });
      expect(health.components.filter((c) => c.status !== "Healthy").map((c) => c.name)).to.deep.equal(["redis"]);
      expect((await get(blueNeu.hostName)).status).to.equal(200);
      expect(f.health(blueNeu.hostName)?.status).to.equal("Healthy");
    });

    it("defaults to the cosmos component, and a Degraded fault keeps the stamp serving", async function () {
      await start({ plan: { stamps: [{ stack: "prod-weu-r42" }, { stack: "prod-neu-r42", component: "keyvault", status: "Degraded" }] } });
      await settled();
      const weu = await get(blueWeu.hostName);
      expect(weu.status).to.equal(503);
      expect(body(weu).components.find((c) => c.name === "cosmos")?.status).to.equal("Unhealthy");
      const neu = await get(blueNeu.hostName);
      expect(neu.status).to.equal(200);
      expect(body(neu).status).to.equal("Degraded");
    });

    it("re-reads the plan every round: a stamp breaks mid-release and recovers when the fault is lifted", async function () {
      const f = await start();
      await settled();
      expect((await get(blueWeu.hostName)).status).to.equal(200);
      const readsBefore = world.planReads;
      world.plan = { stamps: [{ stack: blueWeu.stack, component: "servicebus" }] };
      const down = await probeUntil(f.port, "/health/stamp", (r) => r.status === 503, { host: blueWeu.hostName, timeoutMs: INTERVAL_MS + SCHEDULING_SLACK_MS + 1_000 });
      expect(down.elapsedMs).to.be.at.most(INTERVAL_MS + SCHEDULING_SLACK_MS);
      world.plan = {};
      const up = await probeUntil(f.port, "/health/stamp", (r) => r.status === 200, { host: blueWeu.hostName, timeoutMs: INTERVAL_MS + SCHEDULING_SLACK_MS + 1_000 });
      expect(up.elapsedMs).to.be.at.most(INTERVAL_MS + SCHEDULING_SLACK_MS);
      // One read per round shared by the five checks of a stamp, not one per check.
      const rounds = Math.ceil((down.elapsedMs + up.elapsedMs) / INTERVAL_MS) + 2;
      expect(world.planReads - readsBefore).to.be.at.most(rounds * world.stamps.length);
    });

    it("applies afterMs from the stamp's first request, and never to a stamp not yet served", async function () {
      const AFTER_MS = 1_000;
      const f = await start({ plan: { stamps: [{ stack: "prod-*-r42", component: "killswitch", afterMs: AFTER_MS }] } });
      await sleep(AFTER_MS + 100);
      // Neither stamp has been requested yet: both healthy although afterMs has passed since start.
      expect(f.health(blueWeu.hostName)?.status).to.equal("Healthy");
      expect(f.health(blueNeu.hostName)?.status).to.equal("Healthy");

      const firstProbe = Date.now();
      expect((await get(blueWeu.hostName)).status).to.equal(200);
      // Probes in the first half of afterMs only: the other half is margin for a slow answer.
      while (Date.now() - firstProbe < AFTER_MS / 2) {
        expect((await get(blueWeu.hostName)).status, "healthy during afterMs").to.equal(200);
        await sleep(20);
      }
      await probeUntil(f.port, "/health/stamp", (r) => r.status === 503, { host: blueWeu.hostName, timeoutMs: AFTER_MS + SCHEDULING_SLACK_MS });
      expect(Date.now() - firstProbe).to.be.within(AFTER_MS, AFTER_MS + INTERVAL_MS + SCHEDULING_SLACK_MS);
      expect(f.health(blueNeu.hostName)?.status, "the stamp never served is untouched").to.equal("Healthy");
    });

    it("fails loudly on a plan naming a component no stamp has", async function () {
      await start({ plan: { stamps: [{ stack: "prod-weu-r42", component: "frontdoor" }] } });
      await settled();
      const r = await get(blueNeu.hostName);
      expect(r.status).to.equal(503);
      expect(body(r).components[0]?.error).to.equal(
        `fault plan: stamp fault for "prod-weu-r42" names unknown component "frontdoor" (known: cosmos, servicebus, keyvault, redis, killswitch)`,
      );
    });

    it("picks the worst matching fault for a component", function () {
      const faults: StampFault[] = [
        { stack: "prod-*", component: "redis", status: "Degraded" },
        { stack: "prod-weu-*", component: "redis" },
        { stack: "prod-weu-r42", component: "redis", afterMs: 1_000 },
      ];
      expect(activeFault(faults, "prod-weu-r42", "redis", undefined, 0)?.status).to.equal(undefined);
      expect(activeFault(faults, "prod-neu-r42", "redis", undefined, 0)?.status).to.equal("Degraded");
      expect(activeFault(faults, "prod-neu-r42", "cosmos", undefined, 0)).to.equal(undefined);
      expect(activeFault([faults[2]!], "prod-weu-r42", "redis", 5_000, 5_999)).to.equal(undefined);
      expect(activeFault([faults[2]!], "prod-weu-r42", "redis", 5_000, 6_000)).to.equal(faults[2]);
    });
  });

  describe("Front Door endpoint emulation", function () {
    async function throughEdge(n: number) {
      const counts: Record<string, number> = {};
      for (let i = 0; i < n; i++) {
        const r = await get(EDGE);
        const who = `${r.headers["x-contoso-release"]}@${r.headers["x-contoso-region"]}`;
        counts[who] = (counts[who] ?? 0) + 1;
        expect(r.headers["x-contoso-origin"]).to.be.a("string");
      }
      return counts;
    }

    it("splits traffic among enabled healthy origins by weight, answering with the origin's release and region", async function () {
      const f = await start({
        stamps: [blueWeu, blueNeu, greenWeu],
        frontDoors: [{ hostName: EDGE, origins: [origin(blueWeu, 45), origin(blueNeu, 45), origin(greenWeu, 10)] }],
      });
      await settled();
      expect(f.resolve(EDGE)).to.deep.equal({ host: "127.0.0.1", port: f.port });
      // 100 requests are one full cycle of the weights: the split is exact.
      expect(await throughEdge(100)).to.deep.equal({ "r42@westeurope": 45, "r42@northeurope": 45, "r43@westeurope": 10 });
      // The release driver shifts weights; the edge follows at the next refresh.
      world.frontDoors = [{ hostName: EDGE, origins: [origin(blueWeu, 1), origin(blueNeu, 1), origin(greenWeu, 98)] }];
      await f.refresh();
      expect(await throughEdge(100)).to.deep.equal({ "r42@westeurope": 1, "r42@northeurope": 1, "r43@westeurope": 98 });
    });

    it("sends nothing to a disabled or unhealthy origin", async function () {
      await start({
        stamps: [blueWeu, blueNeu, greenWeu],
        plan: { stamps: [{ stack: greenWeu.stack, component: "redis" }] },
        frontDoors: [{ hostName: EDGE, origins: [origin(blueWeu, 500, false), origin(blueNeu, 500), origin(greenWeu, 500)] }],
      });
      await settled();
      expect(await throughEdge(50)).to.deep.equal({ "r42@northeurope": 50 });
    });

    it("sends to every enabled origin, by weight, when all are unhealthy (Front Door's rule)", async function () {
      await start({
        plan: { stamps: [{ stack: "prod-*", component: "cosmos" }] },
        frontDoors: [{ hostName: EDGE, origins: [origin(blueWeu, 3), origin(blueNeu, 1)] }],
      });
      await settled();
      const statuses = new Set<number>();
      const counts: Record<string, number> = {};
      for (let i = 0; i < 40; i++) {
        const r = await get(EDGE);
        statuses.add(r.status);
        counts[String(r.headers["x-contoso-region"])] = (counts[String(r.headers["x-contoso-region"])] ?? 0) + 1;
      }
      expect([...statuses]).to.deep.equal([503]);
      expect(counts).to.deep.equal({ westeurope: 30, northeurope: 10 });
    });

    it("answers 503 from the edge with no enabled origin, and 502 when the chosen origin's stamp does not exist", async function () {
      const f = await start({ frontDoors: [{ hostName: EDGE, origins: [origin(blueWeu, 100, false)] }] });
      const none = await get(EDGE);
      expect(none.status).to.equal(503);
      expect(JSON.parse(none.body).error).to.equal(`Front Door endpoint ${EDGE} has no enabled origin to send the request to`);

      world.frontDoors = [{ hostName: EDGE, origins: [origin(greenWeu, 100)] }];
      await f.refresh();
      const gone = await get(EDGE);
      expect(gone.status).to.equal(502);
      expect(JSON.parse(gone.body).error).to.match(/^origin app-shoes-prod-weu-r43-ij3kl\.azurewebsites\.net \(r43, westeurope\) did not answer/);
    });

    it("smooth weighted round-robin gives each candidate exactly its weight per cycle (property)", function () {
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: 5 }), (weights) => {
          const rr = new WeightedRoundRobin();
          const candidates = weights.map((weight, i) => ({ id: `o${i}`, weight }));
          const total = weights.reduce((a, b) => a + b, 0);
          const counts = new Map<string, number>();
          for (let i = 0; i < total; i++) {
            const c = rr.pick(candidates, (x) => x.id, (x) => x.weight);
            counts.set(c.id, (counts.get(c.id) ?? 0) + 1);
          }
          return candidates.every((c) => counts.get(c.id) === c.weight);
        }),
        propertyRuns(50),
      );
    });
  });

  it("close() stops the stamps and frees the port", async function () {
    const f = await start();
    const { port } = f;
    await get(blueWeu.hostName);
    await f.close();
    fabric = undefined;
    await new Promise<void>((resolve, reject) => {
      const server = createServer();
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => server.close(() => resolve()));
    });
    const reads = world.planReads;
    await sleep(INTERVAL_MS * 2);
    expect(world.planReads, "no check rounds after close").to.equal(reads);
  });
});
