import * as authorization from "@pulumi/azure-native/authorization/index.js";
import * as pulumi from "@pulumi/pulumi";
import type { StampGlobalInputs } from "./contract.js";
import type { StampContext } from "./context.js";
import { roleDefinitionId } from "./roles.js";

/**
 * This stamp's kill switch (automation/stacks/kill-switch.ts explains the design): a DRAIN MARKER,
 * the blob container `drain-<stamp stack>` in the environment's kill-switch account. The stamp
 * serves while it does not exist; creating it takes the stamp out of Front Door's rotation.
 *
 * Nothing in any stack creates the marker, so no `up` or `refresh` can undo an operator's drain.
 * Operators and the driver create and delete it through Azure Resource Manager (management plane),
 * which a storage account's network rules do not restrict; the stamp reads it over its private
 * endpoint with its managed identity.
 *
 * The identity gets Storage Blob Data Reader on the kill-switch account: Get Container Properties
 * needs `Microsoft.Storage/storageAccounts/blobServices/containers/read`, which that role holds
 * (learn.microsoft.com/rest/api/storageservices/get-container-properties#authorization), and a role
 * cannot be scoped to a container that does not exist yet. The account holds nothing but markers,
 * and the role cannot create or delete one: a stamp can see its switch, never flip one.
 */

export interface StampKillSwitch {
  /** The drain marker's URL (`<blob endpoint>drain-<stack>`): what the health service reads (KILL_SWITCH_DRAIN_URL). */
  drainUrl: pulumi.Output<string>;
  /** Storage Blob Data Reader on the kill-switch account. */
  readerGrant: authorization.RoleAssignment;
}

/** The drain marker of a stamp: a container name (3-63 lower-case letters, digits and single hyphens), from its stack name. */
export function drainMarkerName(stack: string): string {
  const name = `drain-${stack}`;
  if (!/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/.test(name)) throw new Error(`stamp stack ${stack} gives no valid blob container name for its drain marker (${name})`);
  return name;
}

/** `<blob endpoint>/<drain marker>`: the blob endpoint comes with a trailing slash from Azure. */
export function killSwitchDrainUrl(global: Pick<StampGlobalInputs, "killSwitchBlobEndpoint">, stack: string): pulumi.Output<string> {
  const endpoint = pulumi.output(global.killSwitchBlobEndpoint).apply((e) => e.replace(/\/+$/, ""));
  return pulumi.interpolate`${endpoint}/${drainMarkerName(stack)}`;
}

export function createKillSwitch(
  ctx: StampContext,
  stack: string,
  global: StampGlobalInputs,
  principalId: pulumi.Input<string>,
): StampKillSwitch {
  const readerGrant = new authorization.RoleAssignment(
    "ra-kill-switch-reader",
    {
      principalId,
      principalType: "ServicePrincipal",
      roleDefinitionId: roleDefinitionId("storageBlobDataReader", { parent: ctx.parent }),
      scope: global.killSwitchStorageAccountId,
      description: `${ctx.env.name} stamp ${ctx.region} ${ctx.release}: web app reads its kill switch drain marker`,
    },
    { parent: ctx.parent },
  );
  return { drainUrl: killSwitchDrainUrl(global, stack), readerGrant };
}
