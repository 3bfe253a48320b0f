import { mkdir, readdir, rm, stat, writeFile } from "node:fs/promises";
import * as path from "node:path";
import type { DrainMarkers, DrainTarget } from "../../stacks/kill-switch.js";
import { parseAccountId } from "../../stacks/kill-switch.js";
import type { PlannedResource } from "../../engine/port.js";
import type { OfflineStackRecord } from "../offline-engine.js";
import { readJsonIfExists } from "../state-files.js";

/**
 * The offline world's management plane for blob containers created outside any stack (the kill
 * switches' drain markers, automation/stacks/kill-switch.ts). Like Azure Resource Manager it is
 * reachable from anywhere: a storage account's network rules never apply to it
 * (learn.microsoft.com/azure/storage/common/storage-network-security-limitations). What it does
 * check, as ARM does: the storage account must exist, or the call fails with 404 ResourceNotFound
 * ("The Resource 'Microsoft.Storage/storageAccounts/<name>' under resource group '<rg>' was not found").
 *
 * One file per container (`<state>/control-plane/containers/<rg>/<account>/<container>.json`), created
 * exclusively, so concurrent commands (a drain while a release runs) never lose one another's write.
 */

export interface OfflineContainer {
  metadata: Record<string, string>;
  createdAt: string;
}

/** Where the offline control plane keeps one container. */
export function containerFile(stateDir: string, target: DrainTarget): string {
  const { resourceGroup, account } = parseAccountId(target.accountId);
  return path.join(stateDir, "control-plane", "containers", resourceGroup.toLowerCase(), account.toLowerCase(), `${target.container}.json`);
}

/** The deployed stacks' resources: by default the offline engine's stack files in the state folder. */
export type DeployedResources = () => Promise<Array<{ resources: readonly PlannedResource[] }>>;

async function offlineStackResources(stateDir: string): Promise<Array<{ resources: readonly PlannedResource[] }>> {
  let files: string[];
  try {
    files = await readdir(path.join(stateDir, "stacks"));
  } catch {
    return [];
  }
  const records = await Promise.all(files.filter((f) => f.endsWith(".json")).map((file) => readJsonIfExists(path.join(stateDir, "stacks", file)) as Promise<OfflineStackRecord | undefined>));
  return records.flatMap((r) => (r ? [r] : []));
}

/** Whether a deployed stack holds this storage account. */
async function accountExists(stacks: DeployedResources, accountId: string): Promise<boolean> {
  const { resourceGroup, account } = parseAccountId(accountId);
  for (const record of await stacks()) {
    const found = record.resources.some(
      (r) =>
        r.type === "azure-native:storage:StorageAccount" &&
        String(r.inputs["accountName"]).toLowerCase() === account.toLowerCase() &&
        String(r.inputs["resourceGroupName"]).toLowerCase() === resourceGroup.toLowerCase(),
    );
    if (found) return true;
  }
  return false;
}

export class ResourceNotFoundError extends Error {
  override readonly name = "ResourceNotFoundError";
  readonly statusCode = 404;
  readonly code = "ResourceNotFound";
}

async function requireAccount(stacks: DeployedResources, accountId: string): Promise<void> {
  if (await accountExists(stacks, accountId)) return;
  const { resourceGroup, account } = parseAccountId(accountId);
  throw new ResourceNotFoundError(`The Resource 'Microsoft.Storage/storageAccounts/${account}' under resource group '${resourceGroup}' was not found.`);
}

/** An offline container's record, or undefined. */
async function readOfflineContainer(stateDir: string, target: DrainTarget): Promise<OfflineContainer | undefined> {
  return (await readJsonIfExists(containerFile(stateDir, target))) as OfflineContainer | undefined;
}

/**
 * `stacks` says which storage accounts exist: the offline engine's records by default; a Pulumi
 * engine served on loopback (CONTOSO_LOOPBACK_STAMPS=1) passes its file backend's checkpoints.
 */
export function offlineDrainMarkers(stateDir: string, stacks: DeployedResources = () => offlineStackResources(stateDir)): DrainMarkers {
  return {
    async exists(target) {
      await requireAccount(stacks, target.accountId);
      return (await readOfflineContainer(stateDir, target)) !== undefined;
    },
    async create(target, metadata) {
      await requireAccount(stacks, target.accountId);
      const file = containerFile(stateDir, target);
      await mkdir(path.dirname(file), { recursive: true });
      const record: OfflineContainer = { metadata, createdAt: new Date().toISOString() };
      try {
        await writeFile(file, `${JSON.stringify(record, null, 2)}\n`, { flag: "wx" });
        return "created";
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "EEXIST") return "existed";
        throw err;
      }
    },
    async remove(target) {
      // ARM answers a delete of a container that does not exist with 204; of an account that does not exist, 404.
      const file = containerFile(stateDir, target);
      const present = await stat(file).then(() => true, () => false);
      if (!present) {
        await requireAccount(stacks, target.accountId);
        return "absent";
      }
      await rm(file, { force: true });
      return "deleted";
    },
  };
}
