import type { Engine, OperationOptions } from "../engine/port.js";
import { armerFor, type KillSwitchArmer } from "./kill-switch.js";

/**
 * Destroying a stack the way every command does it (release teardown, `stamp destroy`, `env down`,
 * the reaper): its resources, then a stamp's kill-switch blob, then the empty stack itself.
 *
 * The blob sits in the global stack's storage account, so the stamp's own destroy leaves it behind;
 * its URL is read from the stamp's outputs BEFORE the destroy, which erases them. Deleting it is
 * best effort: the stamp is already gone, a leftover blob is a few bytes, and a night's reaping must
 * not stop on a storage permission. A failure is a warning naming what to fix.
 */
export interface DestroyStackOptions extends OperationOptions {
  /** Remove the empty stack and its tags afterwards (default true; `stamp destroy --keep-stack` keeps it). */
  remove?: boolean;
  /** How the kill switch is deleted; by default the engine's (Entra ID blob delete, or nothing offline). */
  armer?: KillSwitchArmer;
}

export async function destroyStack(engine: Engine, stack: string, options: DestroyStackOptions = {}): Promise<void> {
  const { remove = true, armer = armerFor(engine), ...operation } = options;
  const warn = (message: string) => operation.onEvent?.({ type: "log", stack, level: "warning", message });
  let killSwitchBlobUrl: string | undefined;
  try {
    const url = (await engine.outputs(stack))?.["killSwitchBlobUrl"];
    if (typeof url === "string" && url !== "") killSwitchBlobUrl = url;
  } catch (err) {
    warn(`could not read the outputs of ${stack} before destroying it (${firstLine(err)}); a kill-switch blob of it stays behind`);
  }
  await engine.destroy(stack, operation);
  if (killSwitchBlobUrl !== undefined) {
    try {
      await armer.disarm({ stack, blobUrl: killSwitchBlobUrl });
    } catch (err) {
      warn(`${firstLine(err)}; the stamp is destroyed, delete the blob by hand`);
    }
  }
  if (remove) await engine.remove(stack);
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split("\n")[0]!.trim();
}
