import { mkdir, readdir, rm, stat, writeFile } from "node:fs/promises";
import * as path from "node:path";
import type { DrainMarkers, DrainTarget } from "../../stacks/kill-switch.js";
import { parseAccountId } from "../../stacks/kill-switch.js";
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

/** Whether a stack of the offline subscription deployed this storage account. */
async function accountExists(stateDir: string, accountId: string): Promise<boolean> {
  const { resourceGroup, account } = parseAccountId(accountId);
  let files: string[];
  try {
    files = await readdir(path.join(stateDir, "stacks"));
  } catch {
    return false;
  }
  for (const file of files.filter((f) => f.endsWith(".json"))) {
    const record = (await readJsonIfExists(path.join(stateDir, "stacks", file))) as OfflineStackRecord | undefined;
    const found = record?.resources.some(
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

async function requireAccount(stateDir: string, accountId: string): Promise<void> {
  if (await accountExists(stateDir, accountId)) return;
  const { resourceGroup, account } = parseAccountId(accountId);
  throw new ResourceNotFoundError(`The Resource 'Microsoft.Storage/storageAccounts/${account}' under resource group '${resourceGroup}' was not found.`);
}

/** An offline container's record, or undefined. */
async function readOfflineContainer(stateDir: string, target: DrainTarget): Promise<OfflineContainer | undefined> {
  return (await readJsonIfExists(containerFile(stateDir, target))) as OfflineContainer | undefined;
}

export function offlineDrainMarkers(stateDir: string): DrainMarkers {
  return {
    async exists(target) {
      await requireAccount(stateDir, target.accountId);
      return (await readOfflineContainer(stateDir, target)) !== undefined;
    },
    async create(target, metadata) {
      await requireAccount(stateDir, target.accountId);
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
        await requireAccount(stateDir, target.accountId);
        return "absent";
      }
      await rm(file, { force: true });
      return "deleted";
    },
  };
}
