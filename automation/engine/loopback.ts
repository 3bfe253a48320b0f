import type { Engine, PlannedResource } from "./port.js";
import type { OfflineEngine } from "../offline/offline-engine.js";
import { TAG } from "../../environments/stacks.js";

/**
 * Whether the stamps of this engine's stacks are served on loopback (automation/offline/stamp-fabric.ts):
 * always offline, and for the Pulumi engine when CONTOSO_LOOPBACK_STAMPS=1. The Pulumi engine's
 * end-to-end tests run it against a stand-in `pulumi` CLI (tests/automation/engine/fake-pulumi),
 * where no stamp exists on the internet: the loopback fabric then serves the stamps that engine's
 * stacks describe, their kill switches live in the fault plan, and release waits take the offline
 * time scale, exactly as offline. Never set against Azure.
 */
export function servesOnLoopback(engine: Pick<Engine, "kind">, env: NodeJS.ProcessEnv = process.env): boolean {
  return engine.kind === "offline" || env["CONTOSO_LOOPBACK_STAMPS"] === "1";
}

/** A deployed stack as the loopback world sees it: what Azure would be running for it. */
export interface LoopbackStack {
  name: string;
  tags: Record<string, string>;
  outputs: Record<string, unknown>;
  resources: PlannedResource[];
}

/**
 * Every deployed stack of an engine served on loopback, the one place the loopback world (stamp
 * fabric, kill-switch control plane) reads them from. Offline: the offline engine's records. The
 * Pulumi engine (CONTOSO_LOOPBACK_STAMPS=1, tests against the stand-in CLI): its `file://`
 * backend's checkpoints, read directly (file-backend-stacks.ts says why not through the CLI).
 * With `env`, only that environment's stacks (offline, other environments' records are not read).
 */
export async function loopbackStacks(engine: Engine, env?: string): Promise<LoopbackStack[]> {
  const filter = env === undefined ? {} : { tags: { [TAG.env]: env } };
  if (engine.kind === "offline") {
    const offline = engine as Engine & Partial<Pick<OfflineEngine, "readRecord">>;
    if (typeof offline.readRecord !== "function") throw new Error("this offline engine keeps no stack records to serve on loopback");
    const all = await offline.listStacks(filter);
    const records = await Promise.all(all.map((s) => offline.readRecord!(s.name)));
    return all.flatMap((s, i) => {
      const r = records[i];
      return r ? [{ name: s.name, tags: s.tags, outputs: r.outputs, resources: r.resources }] : [];
    });
  }
  if (!servesOnLoopback(engine)) throw new Error(`the ${engine.kind} engine's stamps are not served on loopback`);
  const backendDir = (engine as { backend?: { localPath?: string } }).backend?.localPath;
  if (!backendDir) throw new Error("CONTOSO_LOOPBACK_STAMPS=1 serves a Pulumi engine's stamps from a file:// backend only (set PULUMI_BACKEND_URL=file://...)");
  // Loaded only here: the Pulumi engine (and the Automation API behind it) is already loaded then.
  const [{ readFileBackendStacks }, { PROJECT_NAME }] = await Promise.all([import("./file-backend-stacks.js"), import("./pulumi-engine.js")]);
  const stacks = await readFileBackendStacks(backendDir, PROJECT_NAME);
  return env === undefined ? stacks : stacks.filter((s) => s.tags[TAG.env] === env);
}
