import * as authorization from "@pulumi/azure-native/authorization/index.js";
import * as pulumi from "@pulumi/pulumi";
import type { StampGlobalInputs } from "./contract.js";
import type { StampContext } from "./context.js";
import { roleDefinitionId } from "./roles.js";

/**
 * This stamp's kill switch (global/kill-switch.ts explains the mechanism): a blob named after the
 * stamp's stack in the environment's `killswitch` container. The web app's identity may read that
 * container and nothing else in the account: it can see its switch, never flip one.
 *
 * The program does not create the blob. Pulumi's Blob resource writes with the account's shared
 * keys, which the kill-switch account refuses (Entra ID only), and a blob owned by the stack would
 * be put back by the next `up --refresh` after an operator deleted it to drain the stamp. The
 * driver arms the switch once, after the stamp's first successful deployment
 * (automation/stacks/kill-switch.ts), and leaves it to operators from then on.
 */

export interface StampKillSwitch {
  /** What the health service's kill-switch check reads (KILL_SWITCH_BLOB_URL), and where the driver arms it. */
  blobUrl: pulumi.Output<string>;
  /** Storage Blob Data Reader on the container. */
  readerGrant: authorization.RoleAssignment;
}

/** ARM id of a blob container: the narrowest scope Azure RBAC takes for blob data. */
export function containerScope(accountId: pulumi.Input<string>, containerName: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.interpolate`${accountId}/blobServices/default/containers/${containerName}`;
}

/** `<blob endpoint>/<container>/<stack>`: the blob endpoint comes with a trailing slash from Azure. */
export function killSwitchBlobUrl(global: Pick<StampGlobalInputs, "killSwitchBlobEndpoint" | "killSwitchContainerName">, stack: string): pulumi.Output<string> {
  const endpoint = pulumi.output(global.killSwitchBlobEndpoint).apply((e) => e.replace(/\/+$/, ""));
  return pulumi.interpolate`${endpoint}/${global.killSwitchContainerName}/${stack}`;
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
      scope: containerScope(global.killSwitchStorageAccountId, global.killSwitchContainerName),
      description: `${ctx.env.name} stamp ${ctx.region} ${ctx.release}: web app reads its kill switch`,
    },
    { parent: ctx.parent },
  );
  return { blobUrl: killSwitchBlobUrl(global, stack), readerGrant };
}
