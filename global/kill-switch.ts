import * as storage from "@pulumi/azure-native/storage/index.js";
import * as pulumi from "@pulumi/pulumi";
import type { Environment } from "../environments/index.js";
import { resourceName } from "../environments/naming.js";
import { findRegion } from "../environments/regions.js";

/**
 * The storage account of the environment's kill switches. A stamp's switch is a drain marker, the
 * container `drain-<stamp stack>` in this account, created and deleted through Azure Resource
 * Manager by the driver or an operator (automation/stacks/kill-switch.ts, which explains why): while
 * it exists the stamp's health service reports Unhealthy, so Front Door takes exactly that stamp out
 * of rotation. The markers belong to no stack, so the account holds no container of its own.
 *
 * Entra ID only (shared keys and anonymous access off): stamps read their marker with their managed
 * identity (stamp/kill-switch.ts), operators and the driver change markers with their own.
 */

export interface KillSwitchArgs {
  env: Environment;
  resourceGroupName: pulumi.Input<string>;
  suffix: pulumi.Input<string>;
  tags: Record<string, string>;
}

export interface KillSwitch {
  account: storage.StorageAccount;
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
  const blobEndpoint = account.primaryEndpoints.apply((e) => e.blob);
  return { account, blobEndpoint };
}
