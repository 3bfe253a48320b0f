import { TAG } from "../../environments/stacks.js";
import type { OriginSpec, StampEndpointOutput } from "../../global/contract.js";
import { readdir } from "node:fs/promises";
import * as path from "node:path";
import type { Engine, PlannedResource } from "../engine/port.js";
import { parseImageRef } from "../images/image-ref.js";
import { loopbackStacks, servesOnLoopback, type LoopbackStack as DeployedStack } from "../engine/loopback.js";
import { loadFaultPlan } from "../offline/fault-plan.js";
import { findOfflineImage } from "../offline/offline-registry.js";
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
  /** Resolves once every served stamp has finished its first round of health checks, or after `maxMs` (offline only). */
  checked(maxMs: number): Promise<void>;
  close(): Promise<void>;
}

/** Serves the stamps and Front Door endpoint of one environment: the only ones its release or health check asks for. */
export async function stampEndpoints(engine: Engine, options: { env: string; checkIntervalMs: number }): Promise<StampEndpoints> {
  if (!servesOnLoopback(engine)) return { resolve: resolveViaDns, refresh: async () => {}, checked: async () => {}, close: async () => {} };
  const { startStampFabric } = await import("../offline/stamp-fabric.js");
  // Every check of every stamp asks for the fault plan: read the file at most every 100 ms, so a
  // plan changed mid-release still lands within a check round or two.
  let plan: { at: number; value: Promise<FaultPlan> } | undefined;
  const faults = () => {
    if (!plan || Date.now() - plan.at > 100) plan = { at: Date.now(), value: loadFaultPlan(engine.stateDir) };
    return plan.value;
  };
  const { runnerAddress } = await import("../offline/network/addresses.js");
  // Like the plan: one listing of the offline control plane's containers serves every stamp's
  // kill-switch check for 100 ms, so a check costs no file I/O of its own (each must finish
  // within half the check interval, on a busy machine too).
  let markerList: { at: number; value: Promise<Set<string>> } | undefined;
  const markersDir = path.join(engine.stateDir, "control-plane", "containers");
  const markers = () => {
    if (!markerList || Date.now() - markerList.at > 100) {
      markerList = {
        at: Date.now(),
        value: readdir(markersDir, { recursive: true }).then(
          (files) => new Set(files.map((f) => path.join(markersDir, f))),
          (err: NodeJS.ErrnoException) => (err.code === "ENOENT" ? new Set<string>() : Promise.reject(err)),
        ),
      };
    }
    return markerList.value;
  };
  // The fabric asks for the stamps and the Front Doors together at each refresh: one read of the
  // environment's stacks serves both, and the next refresh reads them again.
  let reading: Promise<DeployedStack[]> | undefined;
  const stacks = () => (reading ??= loopbackStacks(engine, options.env).finally(() => (reading = undefined)));
  const fabric = await startStampFabric({
    runnerAddress: runnerAddress(),
    // The stacks' records hold each web app's inputs as deployed (engine/loopback.ts reads them).
    stamps: async () => deployedStamps(engine.stateDir, await stacks()),
    frontDoors: async () => frontDoors(await stacks()),
    faults,
    // The kill switch is read for real: the marker through the network model, from the stamp's vnet.
    componentCheck: async (stamp, component) => {
      if (component === "killswitch") await readKillSwitch(stamp, markers);
    },
    // Rounds at most every 250 ms: they run in the driver's process. Their checks have no wall-clock
    // timeout (stamp-fabric.ts): the fault plan alone decides a modelled stamp's health.
    checkIntervalMs: Math.max(250, options.checkIntervalMs),
    // Re-reading every stack file at the check interval would cost more than the checks; the
    // release refreshes explicitly after each stack change anyway (and a host the fabric does not
    // know yet makes it refresh at once).
    refreshIntervalMs: Math.max(250, options.checkIntervalMs * 5),
  });
  return {
    resolve: () => ({ protocol: "http", address: fabric.address, port: fabric.port }),
    refresh: () => fabric.refresh(),
    async checked(maxMs) {
      // Polled rather than waited out: with no stamps (or quick checks) `release status` answers at once.
      const until = Date.now() + maxMs;
      while (!fabric.checked() && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    },
    close: () => fabric.close(),
  };
}

async function deployedStamps(stateDir: string, all: DeployedStack[]): Promise<FabricStamp[]> {
  const { webAppAccess } = await import("../offline/network/access-restrictions.js");
  const { NetworkModel, stampVnetOf } = await import("../offline/network/reachability.js");
  const { containerFile } = await import("../offline/network/control-plane.js");
  // The environment's stacks hold every resource its stamps' calls meet: the global stack's data
  // services and each stamp's private endpoints.
  const records = new Map(all.map((r) => [r.name, r] as const));
  const network = new NetworkModel(all);
  const stacks = all.filter((s) => s.tags[TAG.kind] === "stamp");
  const found = await Promise.all(
    stacks.map(async (s): Promise<FabricStamp | undefined> => {
      const record = records.get(s.name);
      const outputs = record?.outputs;
      const host = outputs?.["webAppHostName"];
      if (typeof host !== "string") return undefined;
      const image = outputs?.["image"];
      // Every request to the stamp meets the access restrictions its web app was deployed with.
      const access = webAppAccess(record?.resources ?? []);
      const drainUrl = outputs?.["killSwitchDrainUrl"];
      let killSwitch: FabricStamp["killSwitch"];
      if (typeof drainUrl === "string") {
        const url = new URL(drainUrl);
        const account = url.hostname.split(".")[0]!;
        const container = url.pathname.split("/")[1]!;
        const vnet = stampVnetOf(record?.resources ?? []);
        // The web app's outbound calls leave through its vnet (VNet integration with all traffic routed).
        const reached = network.reach("storage", account, vnet ? { from: "vnet", vnet } : { from: "internet", address: "20.50.2.1" });
        const plane = network.find("storage", account);
        killSwitch =
          !reached.allowed || !plane
            ? { refused: `could not read kill switch drain marker ${container}: ${reached.allowed ? "404 NotFound" : `${reached.status} ${reached.code}: ${reached.message}`}` }
            : {
                container,
                markerFile: containerFile(stateDir, {
                  stack: s.name,
                  accountId: `/subscriptions/offline/resourceGroups/${plane.resourceGroup}/providers/Microsoft.Storage/storageAccounts/${plane.name}`,
                  container,
                }),
              };
      }
      return {
        ...(killSwitch ? { killSwitch } : {}),
        stack: s.name,
        hostName: host,
        region: String(outputs?.["region"] ?? s.tags[TAG.region]),
        release: String(outputs?.["release"] ?? s.tags[TAG.release]),
        // Stamps recorded before the image was an output are taken to run theirs.
        imagePulled: typeof image === "string" ? await offlineImagePulled(stateDir, image) : true,
        ...(access ? { access } : {}),
      };
    }),
  );
  return found.filter((s): s is FabricStamp => s !== undefined);
}

/** Whether an offline stamp's pull of its image succeeds: the image is in the offline registry it names. */
async function offlineImagePulled(stateDir: string, image: string): Promise<boolean> {
  let ref;
  try {
    ref = parseImageRef(image);
  } catch {
    return false;
  }
  return (await findOfflineImage(stateDir, ref.registry, ref.repository, ref.reference).catch(() => undefined)) !== undefined;
}

function frontDoors(all: DeployedStack[]): FabricFrontDoor[] {
  const globals = all.filter((s) => s.tags[TAG.kind] === "global");
  const found = globals.map((g): FabricFrontDoor | undefined => {
      const outputs = g.outputs;
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
  });
  return found.filter((f): f is FabricFrontDoor => f !== undefined);
}

/**
 * What the reference health service's kill-switch check does (stamp/health/checks/kill-switch.ts),
 * in the offline world: the stamp reads its drain marker over the network from its virtual network.
 * Whether it may is decided when the stamps are read (network model); the check itself only looks
 * for the marker, so it stays as cheap as the real one.
 */
async function readKillSwitch(stamp: FabricStamp, markers: () => Promise<Set<string>>): Promise<void> {
  const ks = stamp.killSwitch;
  if (!ks) throw new Error(`${stamp.stack} has no killSwitchDrainUrl output: redeploy it with this version`);
  if ("refused" in ks) throw new Error(ks.refused);
  if ((await markers()).has(ks.markerFile)) {
    throw new Error(`drained: the kill switch drain marker ${ks.container} exists (an operator took the stamp out of rotation; delete the container to bring it back)`);
  }
}
