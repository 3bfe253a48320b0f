import * as authorization from "@pulumi/azure-native/authorization/index.js";
import * as storage from "@pulumi/azure-native/storage/index.js";
import * as pulumi from "@pulumi/pulumi";
import type { StampGlobalInputs } from "./contract.js";
import type { StampContext } from "./context.js";
import { roleDefinitionId } from "./roles.js";

/**
 * This stamp's kill switch (global/kill-switch.ts explains the mechanism): a blob named after the
 * stamp's stack in the environment's `killswitch` container. The stamp creates it, so a new stamp
 * starts in rotation, and deletes it with itself. The web app's identity may read that container
 * and nothing else in the account: it can see its switch, never flip one.
 */

export interface StampKillSwitch {
  blob: storage.Blob;
  /** What the health service's kill-switch check reads (KILL_SWITCH_BLOB_URL). */
  blobUrl: pulumi.Output<string>;
  /** Storage Blob Data Reader on the container. */
  readerGrant: authorization.RoleAssignment;
}

/** ARM id of a blob container: the narrowest scope Azure RBAC takes for blob data. */
export function containerScope(accountId: pulumi.Input<string>, containerName: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.interpolate`${accountId}/blobServices/default/containers/${containerName}`;
}

export function createKillSwitch(
  ctx: StampContext,
  stack: string,
  global: StampGlobalInputs,
  principalId: pulumi.Input<string>,
): StampKillSwitch {
  const opts: pulumi.CustomResourceOptions = { parent: ctx.parent };
  const blob = new storage.Blob(
    "kill-switch-blob",
    {
      resourceGroupName: global.resourceGroupName,
      accountName: global.killSwitchStorageAccountName,
      containerName: global.killSwitchContainerName,
      blobName: stack,
      type: "Block",
      contentType: "text/plain",
      // The content is for the operator who finds the blob; the check looks at its existence only.
      source: new pulumi.asset.StringAsset(`${stack}: delete this blob to take the stamp out of Front Door's rotation; re-create it to bring the stamp back.\n`),
      metadata: { stamp: stack, region: ctx.region, release: ctx.release },
    },
    opts,
  );
  const readerGrant = new authorization.RoleAssignment(
    "ra-kill-switch-reader",
    {
      principalId,
      principalType: "ServicePrincipal",
      roleDefinitionId: roleDefinitionId("storageBlobDataReader", { parent: ctx.parent }),
      scope: containerScope(global.killSwitchStorageAccountId, global.killSwitchContainerName),
      description: `${ctx.env.name} stamp ${ctx.region} ${ctx.release}: web app reads its kill switch`,
    },
    opts,
  );
  const blobUrl = pulumi.interpolate`${pulumi.output(global.killSwitchBlobEndpoint).apply((e) => e.replace(/\/+$/, ""))}/${global.killSwitchContainerName}/${stack}`;
  return { blob, blobUrl, readerGrant };
}
