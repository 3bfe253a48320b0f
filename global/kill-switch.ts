import * as storage from "@pulumi/azure-native/storage/index.js";
import * as pulumi from "@pulumi/pulumi";
import type { Environment } from "../environments/index.js";
import { resourceName } from "../environments/naming.js";
import { findRegion } from "../environments/regions.js";

/**
 * The kill switches of the environment's stamps: one storage account, one `killswitch` container,
 * one blob per stamp (`<stamp stack name>`, created once by the driver after the stamp's first deployment (automation/stacks/kill-switch.ts)). A stamp's health service
 * reports Unhealthy while its blob is missing, so an operator takes exactly one stamp out of Front
 * Door's rotation by deleting one blob, without touching a deployment, and brings it back by
 * re-creating it. The blob service's delete logs (global/diagnostics.ts) record who pulled which.
 *
 * Entra ID only (shared keys and anonymous access off): stamps read their blob with their managed
 * identity (Storage Blob Data Reader on this container only), operators delete with their own.
 */

export const KILL_SWITCH_CONTAINER = "killswitch";

export interface KillSwitchArgs {
  env: Environment;
  resourceGroupName: pulumi.Input<string>;
  suffix: pulumi.Input<string>;
  tags: Record<string, string>;
}

export interface KillSwitch {
  account: storage.StorageAccount;
  container: storage.BlobContainer;
  /** `https://<account>.blob.core.windows.net/`, with the trailing slash Azure reports. */
  blobEndpoint: pulumi.Output<string>;
}

/**
 * Zone-redundant where the environment asks for zones and its home region has them: every stamp
 * reads its switch on every check, and a switch that cannot be read fails closed.
 */
export function killSwitchSku(env: Environment): "Standard_ZRS" | "Standard_LRS" {
  const wantsZones = env.appService.zoneRedundant || env.cosmos.zoneRedundant || env.registry.zoneRedundant || env.serviceBus.zoneRedundant;
  return wantsZones && findRegion(env.regions[0]!)?.availabilityZones ? "Standard_ZRS" : "Standard_LRS";
}

export function killSwitch(args: KillSwitchArgs, parent: pulumi.Resource): KillSwitch {
  const { env } = args;
  const isolated = env.network.isolation;
  const account = new storage.StorageAccount(
    "kill-switch-storage",
    {
      resourceGroupName: args.resourceGroupName,
      accountName: pulumi.output(args.suffix).apply((suffix) => resourceName("storageAccount", { env: env.name, purpose: "kill", suffix })),
      location: env.regions[0],
      kind: "StorageV2",
      sku: { name: killSwitchSku(env) },
      accessTier: "Hot",
      allowSharedKeyAccess: false,
      defaultToOAuthAuthentication: true,
      allowBlobPublicAccess: false,
      allowCrossTenantReplication: false,
      enableHttpsTrafficOnly: true,
      minimumTlsVersion: "TLS1_2",
      // Isolated environments reach the switches through the stamps' private endpoints only.
      publicNetworkAccess: isolated ? "Disabled" : "Enabled",
      networkRuleSet: isolated ? { defaultAction: "Deny", bypass: "None" } : { defaultAction: "Allow", bypass: "AzureServices" },
      tags: args.tags,
    },
    { parent },
  );
  const container = new storage.BlobContainer(
    "kill-switch-container",
    {
      resourceGroupName: args.resourceGroupName,
      accountName: account.name,
      containerName: KILL_SWITCH_CONTAINER,
      publicAccess: "None",
    },
    { parent },
  );
  const blobEndpoint = account.primaryEndpoints.apply((e) => e.blob);
  return { account, container, blobEndpoint };
}
