import type { BlobClient } from "@azure/storage-blob";
import type { HealthCheck } from "../types.js";
import { stepFailed } from "./failure.js";

export interface KillSwitchCheckOptions {
  /** The blob whose presence keeps the stamp in rotation. */
  blob: Pick<BlobClient, "exists" | "containerName" | "name">;
}

/**
 * Blob "kill switch": the stamp serves only while the blob exists. An operator deletes it to take
 * the stamp out of Front Door's rotation without touching the deployment, and re-creates it to
 * bring the stamp back. When storage cannot be read the check fails closed: a switch that cannot
 * be read is not known to be on.
 */
export function killSwitchCheck(options: KillSwitchCheckOptions): HealthCheck {
  const where = `${options.blob.containerName}/${options.blob.name}`;
  return {
    name: "killswitch",
    async run(signal) {
      let exists: boolean;
      try {
        exists = await options.blob.exists({ abortSignal: signal });
      } catch (err) {
        throw stepFailed(`could not read kill switch blob ${where}`, err);
      }
      if (!exists) {
        throw new Error(`kill switch blob ${where} is missing: the stamp was taken out of rotation by an operator (re-create the blob to bring it back)`);
      }
    },
  };
}
