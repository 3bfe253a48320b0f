import * as authorization from "@pulumi/azure-native/authorization/index.js";
import * as pulumi from "@pulumi/pulumi";

/**
 * The Azure built-in roles a stamp grants, by their fixed GUIDs (the same in every tenant). Only
 * data-plane roles on single resources: the web app never gets Contributor or anything that could
 * change the infrastructure it runs on.
 */
export const BUILT_IN_ROLES = {
  acrPull: "7f951dda-4ed3-4680-a7ca-43fe172d538d",
  keyVaultSecretsUser: "4633458b-17de-408a-b874-0445c86b69e6",
  serviceBusDataSender: "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39",
  serviceBusDataReceiver: "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0",
  storageBlobDataReader: "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
  /** Publishes telemetry to Application Insights with Entra ID ("despite its name, all telemetry"). */
  monitoringMetricsPublisher: "3913510d-42f4-4e42-8a64-420c390055eb",
} as const;

export type BuiltInRole = keyof typeof BUILT_IN_ROLES;

/**
 * Cosmos DB's own data-plane RBAC (not Azure RBAC): "Cosmos DB Built-in Data Contributor", defined
 * per account under `<accountId>/sqlRoleDefinitions/<id>`.
 */
export const COSMOS_DATA_CONTRIBUTOR = "00000000-0000-0000-0000-000000000002";

export function cosmosRoleDefinitionId(accountId: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.interpolate`${accountId}/sqlRoleDefinitions/${COSMOS_DATA_CONTRIBUTOR}`;
}

/**
 * Azure Managed Redis (Entra authentication) grants data access through access policies of the
 * database; "default" is the built-in policy with full data access and no admin commands.
 */
export const REDIS_DATA_ACCESS_POLICY = "default";

/** Full role definition id in the deploying subscription. */
export function roleDefinitionId(role: BuiltInRole, opts?: pulumi.InvokeOutputOptions): pulumi.Output<string> {
  const client = authorization.getClientConfigOutput(opts);
  return pulumi.interpolate`/subscriptions/${client.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${BUILT_IN_ROLES[role]}`;
}
