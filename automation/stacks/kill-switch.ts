import { parseStackName } from "../../environments/stacks.js";
import { globalStackName } from "../../environments/stacks.js";
import type { Engine } from "../engine/port.js";

/**
 * The kill switch of a stamp, as the driver and operators work it: a DRAIN MARKER, the blob
 * container `drain-<stamp stack>` in the environment's kill-switch storage account (global stack,
 * `killSwitchStorageAccountId`). While it exists the stamp's health service reports Unhealthy
 * (stamp/health/checks/kill-switch.ts), so Front Door's probes take exactly that stamp out of
 * rotation; deleting it brings the stamp back.
 *
 * Why a container, created through Azure Resource Manager:
 * - prod's and staging's kill-switch account refuses public network access, and the machine running
 *   `contoso` (a pipeline runner) is in no virtual network: it cannot reach the blob data plane at
 *   all. Containers are also ARM resources (`Microsoft.Storage/storageAccounts/blobServices/containers`),
 *   and "Azure Storage firewall rules only apply to data plane operations. Control plane operations
 *   aren't subject to the restrictions specified in firewall rules"
 *   (learn.microsoft.com/azure/storage/common/storage-network-security-limitations). So the driver
 *   and operators (`az storage container-rm create|delete`, which go through ARM) drain and restore
 *   a stamp from anywhere with Entra ID, while the stamp reads its marker over its private endpoint.
 * - the permission is a control-plane one (`.../blobServices/containers/write|delete`), which the
 *   deploying identity already holds as Contributor on the environment's resource group (it created
 *   the account); no data-plane role to grant, no key (the account has shared keys off).
 * - the switch is inverted (present = out): a new stamp serves without anyone arming anything, so
 *   there is no step that a crash can leave half done, and nothing owned by a stack: an operator's
 *   drain survives every `up`, `refresh` and re-run until someone deletes the marker.
 *
 * When a stamp is destroyed its marker is deleted too (destroy-stack.ts): a later stamp with the
 * same stack name starts in rotation.
 */

/** One stamp's drain marker: the kill-switch account's ARM id and the container name. */
export interface DrainTarget {
  stack: string;
  /** `/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.Storage/storageAccounts/<account>` */
  accountId: string;
  container: string;
}

/** The management-plane operations on drain markers. */
export interface DrainMarkers {
  /** Creates the marker; "existed" when it was already there (never an error: draining twice is draining). */
  create(target: DrainTarget, metadata: Record<string, string>): Promise<"created" | "existed">;
  /** Deletes the marker; "absent" when there was none. */
  remove(target: DrainTarget): Promise<"deleted" | "absent">;
  exists(target: DrainTarget): Promise<boolean>;
}

/** The kill switch could not be read or changed. */
export class KillSwitchError extends Error {
  override readonly name = "KillSwitchError";
  readonly exitCode = 1;
}

/** The drain marker's container name (3-63 lower-case letters, digits, single hyphens). */
export function drainMarkerName(stack: string): string {
  const name = `drain-${stack}`;
  if (!/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/.test(name)) throw new KillSwitchError(`stamp stack ${stack} gives no valid blob container name for its drain marker (${name})`);
  return name;
}

interface AccountRef {
  subscriptionId: string;
  resourceGroup: string;
  account: string;
}

export function parseAccountId(accountId: string): AccountRef {
  const m = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Storage\/storageAccounts\/([^/]+)$/i.exec(accountId);
  if (!m) throw new KillSwitchError(`"${accountId}" is not a storage account resource ID`);
  return { subscriptionId: m[1]!, resourceGroup: m[2]!, account: m[3]! };
}

/** What the driver uses of `StorageManagementClient.blobContainers` (ARM's Blob Containers API). */
export type BlobContainersClient = Pick<import("@azure/arm-storage").BlobContainersOperations, "get" | "create" | "delete">;
export type BlobContainersClientFactory = (subscriptionId: string) => Promise<BlobContainersClient>;

/** The deploying identity's (DefaultAzureCredential: az login, workload identity, managed identity); loaded only when used. */
export const entraBlobContainers: BlobContainersClientFactory = async (subscriptionId) => {
  const [{ StorageManagementClient }, { DefaultAzureCredential }] = await Promise.all([import("@azure/arm-storage"), import("@azure/identity")]);
  return new StorageManagementClient(new DefaultAzureCredential(), subscriptionId).blobContainers;
};

/**
 * Azure's: ARM's Blob Containers API through @azure/arm-storage, with the deploying identity
 * (DefaultAzureCredential: az login, workload identity, managed identity). Loaded only when used.
 */
export function armDrainMarkers(clientFor: BlobContainersClientFactory = entraBlobContainers): DrainMarkers {
  const statusOf = (err: unknown) => (err as { statusCode?: unknown }).statusCode;
  const fail = (verb: string, target: DrainTarget, err: unknown): never => {
    const status = statusOf(err);
    const first = (err instanceof Error ? err.message : String(err)).split("\n")[0]!.trim();
    throw new KillSwitchError(
      status === 403
        ? `cannot ${verb} the drain marker ${target.container} of ${target.stack}: Azure Resource Manager refused (403): the identity needs Microsoft.Storage/storageAccounts/blobServices/containers/${verb === "read" ? "read" : verb === "create" ? "write" : "delete"} on ${target.accountId} (e.g. Storage Account Contributor)`
        : `cannot ${verb} the drain marker ${target.container} of ${target.stack} (${target.accountId}): ${first}`,
    );
  };
  return {
    async exists(target) {
      const { subscriptionId, resourceGroup, account } = parseAccountId(target.accountId);
      try {
        await (await clientFor(subscriptionId)).get(resourceGroup, account, target.container);
        return true;
      } catch (err) {
        if (statusOf(err) === 404) return false;
        return fail("read", target, err);
      }
    },
    async create(target, metadata) {
      if (await this.exists(target)) return "existed";
      const { subscriptionId, resourceGroup, account } = parseAccountId(target.accountId);
      try {
        await (await clientFor(subscriptionId)).create(resourceGroup, account, target.container, { publicAccess: "None", metadata });
        return "created";
      } catch (err) {
        return fail("create", target, err);
      }
    },
    async remove(target) {
      if (!(await this.exists(target))) return "absent";
      const { subscriptionId, resourceGroup, account } = parseAccountId(target.accountId);
      try {
        await (await clientFor(subscriptionId)).delete(resourceGroup, account, target.container);
        return "deleted";
      } catch (err) {
        if (statusOf(err) === 404) return "absent";
        return fail("delete", target, err);
      }
    },
  };
}

/**
 * The engine's: ARM against Azure, the offline world's control plane offline and for a Pulumi
 * engine whose stamps the loopback fabric serves (CONTOSO_LOOPBACK_STAMPS=1, tests against the
 * stand-in CLI), where the storage accounts are those of its file backend's checkpoints.
 */
export async function drainMarkersFor(engine: Engine): Promise<DrainMarkers> {
  const { servesOnLoopback, loopbackStacks } = await import("../engine/loopback.js");
  if (!servesOnLoopback(engine)) return armDrainMarkers();
  const { offlineDrainMarkers } = await import("../offline/network/control-plane.js");
  return offlineDrainMarkers(engine.stateDir, () => loopbackStacks(engine));
}

/** A stamp's drain marker, from its environment's deployed global stack; undefined when that stack has no kill-switch account. */
export async function drainTargetOf(engine: Engine, stack: string): Promise<DrainTarget | undefined> {
  const parsed = parseStackName(stack);
  if (parsed.kind !== "stamp") throw new KillSwitchError(`${stack} is not a stamp stack`);
  const accountId = (await engine.outputs(globalStackName(parsed.env)))?.["killSwitchStorageAccountId"];
  if (typeof accountId !== "string" || accountId === "") return undefined;
  return { stack, accountId, container: drainMarkerName(stack) };
}

/** `contoso stamp drain`: takes one stamp out of rotation; idempotent. */
export async function drainStamp(engine: Engine, stack: string, who: string, markers?: DrainMarkers): Promise<"created" | "existed"> {
  const target = await drainTargetOf(engine, stack);
  if (!target) throw new KillSwitchError(`the global stack of ${stack}'s environment has no kill-switch account: deploy it first`);
  return (markers ?? (await drainMarkersFor(engine))).create(target, { stamp: stack, drainedby: who, drainedat: new Date().toISOString() });
}

/** `contoso stamp undrain`: brings a drained stamp back; idempotent. */
export async function undrainStamp(engine: Engine, stack: string, markers?: DrainMarkers): Promise<"deleted" | "absent"> {
  const target = await drainTargetOf(engine, stack);
  if (!target) throw new KillSwitchError(`the global stack of ${stack}'s environment has no kill-switch account: deploy it first`);
  return (markers ?? (await drainMarkersFor(engine))).remove(target);
}
