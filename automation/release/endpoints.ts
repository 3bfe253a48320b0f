import { TAG } from "../../environments/stacks.js";
import type { OriginSpec } from "../../global/contract.js";
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
  /** Resolves once every served stamp has finished its first round of health checks, or after `maxMs` (offline only). */
  checked(maxMs: number): Promise<void>;
  close(): Promise<void>;
}

/** Serves the stamps and Front Door endpoint of one environment: the only ones its release or health check asks for. */
export async function stampEndpoints(engine: Engine, options: { env: string; checkIntervalMs: number }): Promise<StampEndpoints> {
  if (engine.kind !== "offline") return { resolve: resolveViaDns, refresh: async () => {}, checked: async () => {}, close: async () => {} };
  const { startStampFabric } = await import("../offline/stamp-fabric.js");
  // Every check of every stamp asks for the fault plan: read the file at most every 100 ms, so a
  // plan changed mid-release still lands within a check round or two.
  let plan: { at: number; value: Promise<FaultPlan> } | undefined;
  const faults = () => {
    if (!plan || Date.now() - plan.at > 100) plan = { at: Date.now(), value: loadFaultPlan(engine.stateDir) };
    return plan.value;
  };
  const fabric = await startStampFabric({
    stamps: () => deployedStamps(engine, options.env),
    frontDoors: () => frontDoors(engine, options.env),
    faults,
    // Rounds at most every 250 ms: they run in the driver's process. Their checks have no wall-clock
    // timeout (stamp-fabric.ts): the fault plan alone decides a modelled stamp's health.
    checkIntervalMs: Math.max(250, options.checkIntervalMs),
    // Re-reading every stack file at the check interval would cost more than the checks; the
    // release refreshes explicitly after each stack change anyway.
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

async function deployedStamps(engine: Engine, env: string): Promise<FabricStamp[]> {
  const stacks = await engine.listStacks({ tags: { [TAG.env]: env, [TAG.kind]: "stamp" } });
  const found = await Promise.all(
    stacks.map(async (s): Promise<FabricStamp | undefined> => {
      const outputs = await engine.outputs(s.name);
      const host = outputs?.["webAppHostName"];
      if (typeof host !== "string") return undefined;
      return { stack: s.name, hostName: host, region: String(outputs?.["region"] ?? s.tags[TAG.region]), release: String(outputs?.["release"] ?? s.tags[TAG.release]) };
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
      return { hostName: host, origins: origins.map((o) => ({ hostName: o.hostName, weight: o.weight, enabled: o.enabled, release: o.release, region: o.region })) };
    }),
  );
  return found.filter((f): f is FabricFrontDoor => f !== undefined);
}
