import type { ContainerClient } from "@azure/storage-blob";
import type { ReleaseLockLocation } from "./lock-location.js";

/**
 * A client for the container that holds the release lock blobs, with credentials found in the
 * order Pulumi's azblob backend uses: AZURE_STORAGE_KEY (shared key), AZURE_STORAGE_SAS_TOKEN,
 * else DefaultAzureCredential (az login, workload or managed identity). The SDKs are loaded only
 * here, so commands on the offline engine never pay for them.
 */
export async function lockContainerClient(location: Extract<ReleaseLockLocation, { kind: "blob" }>, env: NodeJS.ProcessEnv): Promise<ContainerClient> {
  const { ContainerClient, StorageSharedKeyCredential } = await import("@azure/storage-blob");
  const url = `${location.serviceUrl}/${location.container}`;
  const key = env["AZURE_STORAGE_KEY"]?.trim();
  if (key) return new ContainerClient(url, new StorageSharedKeyCredential(location.account, key));
  const sas = env["AZURE_STORAGE_SAS_TOKEN"]?.trim().replace(/^\?/, "");
  if (sas) return new ContainerClient(`${url}?${sas}`);
  const { DefaultAzureCredential } = await import("@azure/identity");
  return new ContainerClient(url, new DefaultAzureCredential());
}
