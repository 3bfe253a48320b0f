import type { BlockBlobUploadOptions } from "@azure/storage-blob";
import { servesOnLoopback } from "../engine/loopback.js";
import type { Engine, UpResult } from "../engine/port.js";
import { existingTags } from "./stack-facts.js";

/**
 * Arming a stamp's kill switch: creating its blob (`killswitch/<stack>` in the environment's
 * kill-switch account, global/kill-switch.ts) once, after the stamp's first successful `up`, and
 * recording that on the stack as `contoso:kill-switch=armed`.
 *
 * Why the driver and not the stamp's program: Pulumi's Blob resource writes with the account's
 * shared keys, which the account refuses (Entra ID only), and a blob owned by the stack would be put
 * back by the next `up --refresh` after an operator deleted it to drain the stamp. So the blob is
 * written with the deploying identity (Entra ID), never over an existing one, and once the tag says
 * armed the driver never writes it again: a deleted switch stays deleted until an operator
 * re-creates it (README, "kill switch").
 *
 * The blob lives in the global stack's account, outside the stamp, so destroying the stamp does not
 * remove it: destroy-stack.ts deletes it once the stamp is gone (a stamp leaves nothing behind).
 *
 * Offline stamps simulate their switch through the fault plan's `killswitch` component, so the
 * offline engine's arming only records the tag.
 */

export const KILL_SWITCH_TAG = "contoso:kill-switch";
export const ARMED = "armed";

/** What arming and disarming need of a blob client: `BlockBlobClient.upload` and `deleteIfExists`. */
export interface KillSwitchBlob {
  upload(body: string, contentLength: number, options: BlockBlobUploadOptions): Promise<unknown>;
  deleteIfExists(): Promise<{ succeeded: boolean }>;
}

/** A blob client for a kill-switch URL. Tests give a stub; the Pulumi engine gets entraBlobClient. */
export type KillSwitchBlobFactory = (blobUrl: string) => Promise<KillSwitchBlob>;

/** How one engine arms a switch: writes the blob (Pulumi engine) or nothing (offline). */
export interface KillSwitchArmer {
  /** "created" when this call wrote the blob, "existed" when one was already there, "simulated" offline. */
  arm(target: KillSwitchTarget): Promise<"created" | "existed" | "simulated">;
  /** Deletes the switch of a destroyed stamp: "deleted", "absent" when there was none (an operator drained it), "simulated" offline. */
  disarm(target: KillSwitchTarget): Promise<"deleted" | "absent" | "simulated">;
}

export interface KillSwitchTarget {
  stack: string;
  blobUrl: string;
  region?: string;
  release?: string;
}

export type ArmOutcome = "created" | "existed" | "simulated" | "already-armed";

/** The kill switch could not be armed: the stamp is deployed but would report Unhealthy. */
export class KillSwitchError extends Error {
  override readonly name = "KillSwitchError";
  readonly exitCode = 1;
}

/** The blob's content is for the operator who finds it; the health check looks at its existence only. */
export function killSwitchContent(stack: string): string {
  return `${stack}: delete this blob to take the stamp out of Front Door's rotation; re-create it to bring the stamp back.\n`;
}

/** Writes with the deploying identity (DefaultAzureCredential: az login, workload identity, managed identity); loaded only when used. */
export const entraBlobClient: KillSwitchBlobFactory = async (blobUrl) => {
  const [{ BlockBlobClient }, { DefaultAzureCredential }] = await Promise.all([import("@azure/storage-blob"), import("@azure/identity")]);
  return new BlockBlobClient(blobUrl, new DefaultAzureCredential());
};

/** The Pulumi engine's armer: create the blob unless it exists, with Entra ID, never with keys. */
export function blobArmer(clientFor: KillSwitchBlobFactory = entraBlobClient): KillSwitchArmer {
  return {
    async arm(target) {
      const content = killSwitchContent(target.stack);
      const metadata: Record<string, string> = { stamp: target.stack };
      if (target.region) metadata["region"] = target.region;
      if (target.release) metadata["release"] = target.release;
      try {
        const blob = await clientFor(target.blobUrl);
        await blob.upload(content, Buffer.byteLength(content), {
          // If-None-Match: * — a switch that exists (even one an operator re-created by hand) is never overwritten.
          conditions: { ifNoneMatch: "*" },
          blobHTTPHeaders: { blobContentType: "text/plain; charset=utf-8" },
          metadata,
        });
        return "created";
      } catch (err) {
        const status = (err as { statusCode?: unknown }).statusCode;
        // Azure answers a conditional create of an existing blob with 409 BlobAlreadyExists (412 from some front ends).
        if (status === 409 || status === 412) return "existed";
        throw new KillSwitchError(blobFailure("arm", target, err));
      }
    },
    async disarm(target) {
      try {
        const blob = await clientFor(target.blobUrl);
        return (await blob.deleteIfExists()).succeeded ? "deleted" : "absent";
      } catch (err) {
        throw new KillSwitchError(blobFailure("remove", target, err));
      }
    },
  };
}

/** The offline engine's armer: its stamps' switches live in the fault plan, nothing to write. */
export const simulatedArmer: KillSwitchArmer = { arm: async () => "simulated", disarm: async () => "simulated" };

export function armerFor(engine: Pick<Engine, "kind">): KillSwitchArmer {
  // Stamps served on loopback (offline, or the Pulumi engine's tests, CONTOSO_LOOPBACK_STAMPS=1) keep their switch in the fault plan.
  return engine.kind === "pulumi" && !servesOnLoopback(engine) ? blobArmer() : simulatedArmer;
}

/**
 * Arms the kill switch of a stamp that was just deployed, unless its stack says it is armed. The
 * tag is written only after the blob exists, so a crash in between re-arms on the next up (and
 * finds the blob there: "existed").
 */
export async function armKillSwitch(engine: Engine, env: string, up: Pick<UpResult, "stack" | "outputs">, armer: KillSwitchArmer = armerFor(engine)): Promise<ArmOutcome> {
  const tags = await existingTags(engine, env, up.stack);
  if (tags?.[KILL_SWITCH_TAG] === ARMED) return "already-armed";
  const blobUrl = up.outputs["killSwitchBlobUrl"];
  if (typeof blobUrl !== "string" || blobUrl === "") {
    throw new KillSwitchError(`${up.stack} has no killSwitchBlobUrl output: run its up again with this version of the driver to arm its kill switch`);
  }
  const target: KillSwitchTarget = { stack: up.stack, blobUrl };
  if (typeof up.outputs["region"] === "string") target.region = up.outputs["region"];
  if (typeof up.outputs["release"] === "string") target.release = up.outputs["release"];
  const outcome = await armer.arm(target);
  await engine.setTags(up.stack, { [KILL_SWITCH_TAG]: ARMED });
  return outcome;
}

function blobFailure(verb: "arm" | "remove", target: KillSwitchTarget, err: unknown): string {
  const where = describeBlob(target.blobUrl);
  const status = (err as { statusCode?: unknown }).statusCode;
  const code = (err as { code?: unknown }).code;
  const first = (err instanceof Error ? err.message : String(err)).split("\n").map((l) => l.trim()).find((l) => l !== "") ?? "unknown error";
  if (status === 403) {
    return (
      `cannot ${verb} the kill switch of ${target.stack}: Azure refused to ${verb === "arm" ? "create" : "delete"} ${target.blobUrl} (403${typeof code === "string" ? ` ${code}` : ""}): ` +
      `the deploying identity needs the Storage Blob Data Contributor role on container ${where.container} of storage account ${where.account}, ` +
      `and network access to that account (its firewall, or a private endpoint when the environment is isolated)`
    );
  }
  return `cannot ${verb} the kill switch of ${target.stack} (${target.blobUrl}): ${first}`;
}

function describeBlob(blobUrl: string): { account: string; container: string } {
  try {
    const url = new URL(blobUrl);
    return { account: url.hostname.split(".")[0] ?? url.hostname, container: url.pathname.split("/")[1] ?? "killswitch" };
  } catch {
    return { account: "?", container: "killswitch" };
  }
}
