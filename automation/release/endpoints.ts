import { TAG } from "../../environments/stacks.js";
import type { OriginSpec, StampEndpointOutput } from "../../global/contract.js";
import type { OfflineEngine } from "../offline/offline-engine.js";
import type { Engine } from "../engine/port.js";
import { loadFaultPlan } from "../offline/fault-plan.js";
import type { FaultPlan } from "../offline/faults.js";
import type { FabricFrontDoor, FabricStamp } from "../offline/stamp-fabric.js";
import { resolveViaDns, type HostResolver } from "./probe.js";

/**
 * Where the health gate's requests go. Against Azure: DNS and HTTPS, as any client. Offline: every
 * host name goes to the one loopback server that serves the offline stamps and emulates Front Door
 * (automation/offline/stamp-fabric.ts); a host it does not know yet answers 404, which the gate
 * counts as a failed probe until the fabric's next refresh picks the new stamp up.
 */
export interface StampEndpoints {
  resolve: HostResolver;
  /** Re-reads the deployed stamps and Front Door origins now (offline only). */
  refresh(): Promise<void>;
  close(): Promise<void>;
}

/** Serves the stamps and Front Door endpoint of one environment: the only ones its release or health check asks for. */
export async function stampEndpoints(engine: Engine, options: { env: string; checkIntervalMs: number }): Promise<StampEndpoints> {
  if (engine.kind !== "offline") return { resolve: resolveViaDns, refresh: async () => {}, close: async () => {} };
  const { startStampFabric } = await import("../offline/stamp-fabric.js");
  // Every check of every stamp asks for the fault plan: read the file at most every 100 ms, so a
  // plan changed mid-release still lands within a check round or two.
  let plan: { at: number; value: Promise<FaultPlan> } | undefined;
  const faults = () => {
    if (!plan || Date.now() - plan.at > 100) plan = { at: Date.now(), value: loadFaultPlan(engine.stateDir) };
    return plan.value;
  };
  const { runnerAddress } = await import("../offline/network/addresses.js");
  const fabric = await startStampFabric({
    runnerAddress: runnerAddress(),
    // Only the offline engine comes here: its records hold each web app's recorded inputs.
    stamps: () => deployedStamps(engine as OfflineEngine, options.env),
    frontDoors: () => frontDoors(engine, options.env),
    faults,
    // The kill switch is read for real: the marker through the network model, from the stamp's vnet.
    componentCheck: async (stamp, component) => {
      if (component === "killswitch") await readKillSwitch(engine as OfflineEngine, stamp);
    },
    // Checks run in the same process as the driver, and each check's timeout is half the interval:
    // at 100 ms a busy event loop (a stack program under mocks, a loaded CI machine) timed every
    // check out at 50 ms and a healthy green failed its bake. 250 ms gives them 125 ms.
    checkIntervalMs: Math.max(250, options.checkIntervalMs),
    // Re-reading every stack file at the check interval would cost more than the checks; the
    // release refreshes explicitly after each stack change anyway.
    refreshIntervalMs: Math.max(250, options.checkIntervalMs * 5),
  });
  return {
    resolve: () => ({ protocol: "http", address: fabric.address, port: fabric.port }),
    refresh: () => fabric.refresh(),
    close: () => fabric.close(),
  };
}

async function deployedStamps(engine: OfflineEngine, env: string): Promise<FabricStamp[]> {
  const { webAppAccess } = await import("../offline/network/access-restrictions.js");
  const { stampVnetOf } = await import("../offline/network/reachability.js");
  const stacks = await engine.listStacks({ tags: { [TAG.env]: env, [TAG.kind]: "stamp" } });
  const found = await Promise.all(
    stacks.map(async (s): Promise<FabricStamp | undefined> => {
      const record = await engine.readRecord(s.name);
      const outputs = record?.outputs;
      const host = outputs?.["webAppHostName"];
      if (typeof host !== "string") return undefined;
      // Every request to the stamp meets the access restrictions its web app was deployed with.
      const access = webAppAccess(record?.resources ?? []);
      const vnet = stampVnetOf(record?.resources ?? []);
      const drainUrl = outputs?.["killSwitchDrainUrl"];
      return {
        ...(vnet ? { vnet } : {}),
        ...(typeof drainUrl === "string" ? { drainUrl } : {}),
        stack: s.name,
        hostName: host,
        region: String(outputs?.["region"] ?? s.tags[TAG.region]),
        release: String(outputs?.["release"] ?? s.tags[TAG.release]),
        ...(access ? { access } : {}),
      };
    }),
  );
  return found.filter((s): s is FabricStamp => s !== undefined);
}

async function frontDoors(engine: Engine, env: string): Promise<FabricFrontDoor[]> {
  const globals = await engine.listStacks({ tags: { [TAG.env]: env, [TAG.kind]: "global" } });
  const found = await Promise.all(
    globals.map(async (g): Promise<FabricFrontDoor | undefined> => {
      const outputs = await engine.outputs(g.name);
      const host = outputs?.["frontDoorEndpointHostName"];
      if (typeof host !== "string") return undefined;
      const origins = (Array.isArray(outputs?.["origins"]) ? outputs["origins"] : []) as OriginSpec[];
      const perStamp = (Array.isArray(outputs?.["stampEndpoints"]) ? outputs["stampEndpoints"] : []) as StampEndpointOutput[];
      const fdid = outputs?.["frontDoorId"];
      return {
        hostName: host,
        origins: origins.map((o) => ({ hostName: o.hostName, weight: o.weight, enabled: o.enabled, release: o.release, region: o.region })),
        ...(typeof fdid === "string" ? { frontDoorId: fdid } : {}),
        stampEndpoints: perStamp.flatMap((e) => {
          const origin = origins.find((o) => o.stamp === e.stamp);
          return origin ? [{ hostName: e.hostName, originHostName: origin.hostName }] : [];
        }),
      };
    }),
  );
  return found.filter((f): f is FabricFrontDoor => f !== undefined);
}

/** The offline world's network model, rebuilt from every stack record at most every 500 ms. */
let networkCache: { at: number; stateDir: string; model: Promise<import("../offline/network/reachability.js").NetworkModel> } | undefined;
async function networkModel(engine: OfflineEngine) {
  if (!networkCache || networkCache.stateDir !== engine.stateDir || Date.now() - networkCache.at > 500) {
    const load = async () => {
      const { NetworkModel } = await import("../offline/network/reachability.js");
      const stacks = await engine.listStacks();
      const records = await Promise.all(stacks.map((s) => engine.readRecord(s.name)));
      return new NetworkModel(records.filter((r): r is NonNullable<typeof r> => r !== undefined));
    };
    networkCache = { at: Date.now(), stateDir: engine.stateDir, model: load() };
  }
  return networkCache.model;
}

/**
 * What the reference health service's kill-switch check does (stamp/health/checks/kill-switch.ts),
 * in the offline world: read the stamp's drain marker over the network from the stamp's virtual
 * network; a marker that cannot be read (refused by the account's network rules) fails closed.
 */
async function readKillSwitch(engine: OfflineEngine, stamp: FabricStamp): Promise<void> {
  if (!stamp.drainUrl) throw new Error(`${stamp.stack} has no killSwitchDrainUrl output: redeploy it with this version`);
  const url = new URL(stamp.drainUrl);
  const account = url.hostname.split(".")[0]!;
  const container = url.pathname.split("/")[1]!;
  const model = await networkModel(engine);
  const caller = stamp.vnet ? { from: "vnet" as const, vnet: stamp.vnet } : { from: "internet" as const, address: "20.50.2.1" };
  const reached = model.reach("storage", account, caller);
  if (!reached.allowed) throw new Error(`could not read kill switch drain marker ${container}: ${reached.status} ${reached.code}: ${reached.message}`);
  const plane = model.find("storage", account)!;
  const { readOfflineContainer } = await import("../offline/network/control-plane.js");
  const accountId = `/subscriptions/offline/resourceGroups/${plane.resourceGroup}/providers/Microsoft.Storage/storageAccounts/${plane.name}`;
  if (await readOfflineContainer(engine.stateDir, { stack: stamp.stack, accountId, container })) {
    throw new Error(`drained: the kill switch drain marker ${container} exists (an operator took the stamp out of rotation; delete the container to bring it back)`);
  }
}
