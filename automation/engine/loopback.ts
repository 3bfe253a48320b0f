import type { Engine } from "./port.js";

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
