import { parseStackName } from "../../environments/stacks.js";
import type { Engine, OperationOptions } from "../engine/port.js";
import { drainMarkersFor, drainTargetOf, type DrainMarkers, type DrainTarget } from "./kill-switch.js";

/**
 * Destroying a stack the way every command does it (release teardown, `stamp destroy`, `env down`,
 * the reaper): its resources, then a stamp's kill-switch drain marker, then the empty stack itself.
 *
 * The marker (if an operator drained the stamp) sits in the global stack's storage account, so the
 * stamp's own destroy leaves it behind; deleting it (through Azure Resource Manager, from anywhere)
 * lets a later stamp of the same name start in rotation. It is best effort: the stamp is already
 * gone, a leftover marker is an empty container, and a night's reaping must not stop on a storage
 * permission. A failure is a warning naming what to delete.
 */
export interface DestroyStackOptions extends OperationOptions {
  /** Remove the empty stack and its tags afterwards (default true; `stamp destroy --keep-stack` keeps it). */
  remove?: boolean;
  /** How drain markers are deleted; by default the engine's (ARM, or the offline control plane). */
  markers?: DrainMarkers;
}

export async function destroyStack(engine: Engine, stack: string, options: DestroyStackOptions = {}): Promise<void> {
  const { remove = true, markers, ...operation } = options;
  const warn = (message: string) => operation.onEvent?.({ type: "log", stack, level: "warning", message });
  let marker: DrainTarget | undefined;
  if (isStamp(stack)) {
    try {
      marker = await drainTargetOf(engine, stack);
    } catch (err) {
      warn(`could not find the kill-switch account of ${stack} (${firstLine(err)}); a drain marker of it may stay behind`);
    }
  }
  await engine.destroy(stack, operation);
  if (marker !== undefined) {
    try {
      await (markers ?? (await drainMarkersFor(engine))).remove(marker);
    } catch (err) {
      warn(`${firstLine(err)}; the stamp is destroyed, delete its drain marker by hand: az storage container-rm delete --ids ${marker.accountId}/blobServices/default/containers/${marker.container} --yes`);
    }
  }
  if (remove) await engine.remove(stack);
}

function isStamp(stack: string): boolean {
  try {
    return parseStackName(stack).kind === "stamp";
  } catch {
    return false;
  }
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split("\n")[0]!.trim();
}
