import type { ContainerClient } from "@azure/storage-blob";
import type { HealthCheck } from "../types.js";
import { stepFailed } from "./failure.js";

export interface KillSwitchCheckOptions {
  /** This stamp's drain marker: a blob container whose existence takes the stamp out of rotation. */
  marker: Pick<ContainerClient, "exists" | "containerName">;
}

/**
 * The kill switch: the stamp serves unless its drain marker exists. The marker is a blob container
 * (`drain-<stamp stack>` in the environment's kill-switch account), so an operator or the driver
 * creates and deletes it through Azure Resource Manager (`az storage container-rm create|delete`),
 * from anywhere with Entra ID, whatever the account's network rules; the stamp reads it over its
 * private endpoint (automation/stacks/kill-switch.ts explains the design).
 *
 * It fails closed: a marker that cannot be read (network, permission, storage down) is not known
 * to be absent, so the stamp reports Unhealthy. Only a definite "not found" keeps it serving.
 */
export function killSwitchCheck(options: KillSwitchCheckOptions): HealthCheck {
  const where = options.marker.containerName;
  return {
    name: "killswitch",
    async run(signal) {
      let drained: boolean;
      try {
        drained = await options.marker.exists({ abortSignal: signal });
      } catch (err) {
        throw stepFailed(`could not read kill switch drain marker ${where}`, err);
      }
      if (drained) {
        throw new Error(`drained: the kill switch drain marker ${where} exists (an operator took the stamp out of rotation; delete the container to bring it back)`);
      }
    },
  };
}
