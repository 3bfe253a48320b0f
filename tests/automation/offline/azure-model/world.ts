import { mkdtemp, rm } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { AzureSubscription, MOCK_SUBSCRIPTION, type RegisteredResource } from "../../../../automation/offline/azure-model/subscription.js";

/** A fresh offline subscription in a temporary state folder, and small builders of resources. */
export async function freshSubscription(): Promise<{ dir: string; azure: AzureSubscription; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "contoso-azure-model-"));
  return { dir, azure: new AzureSubscription(dir), cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export const SUB = MOCK_SUBSCRIPTION;

export function rgId(rg: string): string {
  return `/subscriptions/${SUB}/resourceGroups/${rg}`;
}

export function res(type: string, name: string, inputs: Record<string, unknown>): RegisteredResource {
  return { type: `azure-native:${type}`, name, inputs };
}
