import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";

/**
 * Realistic computed outputs for the Azure resource types our programs use, so that a program run
 * under Pulumi's mocks sees what Azure would hand back: ARM ids, host names, endpoints, principal
 * ids. Shared by the offline engine and the tests' harness: one model of Azure, not two.
 * Every value is a deterministic function of the stack and the resource, so reruns are stable.
 */

export const MOCK_SUBSCRIPTION = "00000000-0000-4000-8000-00000000c0de";
export const MOCK_TENANT = "00000000-0000-4000-8000-0000000a2ad0";

/** Input property that carries each type's Azure name (azure-native names it per type). */
const NAME_PROPERTY: Record<string, string> = {
  "azure-native:resources:ResourceGroup": "resourceGroupName",
  "azure-native:cdn:Profile": "profileName",
  "azure-native:cdn:AFDEndpoint": "endpointName",
  "azure-native:cdn:AFDOriginGroup": "originGroupName",
  "azure-native:cdn:AFDOrigin": "originName",
  "azure-native:cdn:Route": "routeName",
  "azure-native:cdn:SecurityPolicy": "securityPolicyName",
  "azure-native:network:FrontDoorWebApplicationFirewallPolicy": "policyName",
  "azure-native:documentdb:DatabaseAccount": "accountName",
  "azure-native:documentdb:SqlResourceSqlDatabase": "databaseName",
  "azure-native:documentdb:SqlResourceSqlContainer": "containerName",
  "azure-native:documentdb:SqlResourceSqlRoleAssignment": "roleAssignmentId",
  // azure-native v3 moved these to the cosmosdb, frontdoor and monitor modules; the old tokens above stay as aliases.
  "azure-native:cosmosdb:DatabaseAccount": "accountName",
  "azure-native:cosmosdb:SqlResourceSqlDatabase": "databaseName",
  "azure-native:cosmosdb:SqlResourceSqlContainer": "containerName",
  "azure-native:cosmosdb:SqlResourceSqlRoleAssignment": "roleAssignmentId",
  "azure-native:frontdoor:Policy": "policyName",
  "azure-native:monitor:DiagnosticSetting": "name",
  "azure-native:containerregistry:Registry": "registryName",
  "azure-native:containerregistry:Replication": "replicationName",
  "azure-native:operationalinsights:Workspace": "workspaceName",
  "azure-native:operationalinsights:SavedSearch": "savedSearchId",
  "azure-native:insights:DiagnosticSetting": "name",
  "azure-native:applicationinsights:Component": "resourceName",
  "azure-native:applicationinsights:WebTest": "webTestName",
  "azure-native:applicationinsights:Workbook": "resourceName",
  "azure-native:insights:Workbook": "resourceName",
  "azure-native:insights:AutoscaleSetting": "autoscaleSettingName",
  "azure-native:monitor:AutoscaleSetting": "autoscaleSettingName",
  "azure-native:monitor:ActionGroup": "actionGroupName",
  "azure-native:monitor:MetricAlert": "ruleName",
  "azure-native:monitor:ScheduledQueryRule": "ruleName",
  "azure-native:insights:ActionGroup": "actionGroupName",
  "azure-native:insights:MetricAlert": "ruleName",
  "azure-native:insights:ScheduledQueryRule": "ruleName",
  "azure-native:web:AppServicePlan": "name",
  "azure-native:web:WebApp": "name",
  "azure-native:keyvault:Vault": "vaultName",
  "azure-native:keyvault:Secret": "secretName",
  "azure-native:servicebus:Namespace": "namespaceName",
  "azure-native:servicebus:Queue": "queueName",
  "azure-native:redisenterprise:RedisEnterprise": "clusterName",
  "azure-native:redisenterprise:Database": "databaseName",
  "azure-native:redisenterprise:AccessPolicyAssignment": "accessPolicyAssignmentName",
  "azure-native:network:VirtualNetwork": "virtualNetworkName",
  "azure-native:network:Subnet": "subnetName",
  "azure-native:network:NetworkSecurityGroup": "networkSecurityGroupName",
  "azure-native:network:PrivateEndpoint": "privateEndpointName",
  "azure-native:network:PrivateDnsZoneGroup": "privateDnsZoneGroupName",
  "azure-native:privatedns:PrivateZone": "privateZoneName",
  "azure-native:privatedns:VirtualNetworkLink": "virtualNetworkLinkName",
  "azure-native:authorization:RoleAssignment": "roleAssignmentName",
  "azure-native:managedidentity:UserAssignedIdentity": "resourceName",
  "azure-native:storage:StorageAccount": "accountName",
  "azure-native:storage:BlobContainer": "containerName",
};

export function hashOf(...parts: string[]): string {
  return createHash("sha256").update(parts.join("\u0000")).digest("hex");
}

/** A stable GUID (v4-shaped) from the given parts. */
export function guidOf(...parts: string[]): string {
  const h = hashOf(...parts);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function providerNamespace(token: string): string {
  const module = token.split(":")[1] ?? "unknown";
  const map: Record<string, string> = {
    cdn: "Microsoft.Cdn", network: "Microsoft.Network", documentdb: "Microsoft.DocumentDB", cosmosdb: "Microsoft.DocumentDB",
    frontdoor: "Microsoft.Network",
    containerregistry: "Microsoft.ContainerRegistry", operationalinsights: "Microsoft.OperationalInsights",
    insights: "Microsoft.Insights", monitor: "Microsoft.Insights", applicationinsights: "Microsoft.Insights",
    web: "Microsoft.Web", keyvault: "Microsoft.KeyVault", servicebus: "Microsoft.ServiceBus",
    redisenterprise: "Microsoft.Cache", privatedns: "Microsoft.Network", authorization: "Microsoft.Authorization",
    managedidentity: "Microsoft.ManagedIdentity", storage: "Microsoft.Storage", resources: "Microsoft.Resources",
  };
  return map[module] ?? `Microsoft.${module}`;
}

function armType(token: string): string {
  const resource = token.split(":")[2] ?? "resource";
  return resource.charAt(0).toLowerCase() + resource.slice(1) + "s";
}

/** The Azure name of a resource: its name input, or Pulumi's auto-name (logical name + random suffix). */
export function azureNameOf(args: Pick<pulumi.runtime.MockResourceArgs, "type" | "name" | "inputs">): string {
  const key = NAME_PROPERTY[args.type];
  const explicit = key ? args.inputs[key] : args.inputs["name"];
  if (typeof explicit === "string" && explicit.length > 0) return explicit;
  return `${args.name}${hashOf(args.type, args.name).slice(0, 7)}`;
}

/** Computes the state Azure would return for a new resource: inputs plus computed properties. */
export function mockAzureResource(args: pulumi.runtime.MockResourceArgs, stack: string): { id: string; state: Record<string, unknown> } {
  const inputs = args.inputs as Record<string, any>;
  const name = azureNameOf(args);
  const location = typeof inputs["location"] === "string" ? inputs["location"] : "westeurope";
  const rg = typeof inputs["resourceGroupName"] === "string" ? inputs["resourceGroupName"] : `rg-${stack}`;
  const seed = (...more: string[]) => guidOf(stack, args.type, args.name, ...more);

  if (args.type.startsWith("random:")) {
    const length = Number(inputs["length"] ?? 8);
    const result = hashOf(stack, args.name).replace(/[^a-z0-9]/g, "").slice(0, length);
    return { id: args.name, state: { ...inputs, result } };
  }

  const id =
    args.type === "azure-native:resources:ResourceGroup"
      ? `/subscriptions/${MOCK_SUBSCRIPTION}/resourceGroups/${name}`
      : `/subscriptions/${MOCK_SUBSCRIPTION}/resourceGroups/${rg}/providers/${providerNamespace(args.type)}/${armType(args.type)}/${name}`;
  const state: Record<string, unknown> = { ...inputs, name, id, location, azureApiVersion: "mock" };
  const principal = () => ({ ...(inputs["identity"] ?? {}), principalId: seed("principal"), tenantId: MOCK_TENANT });

  switch (args.type) {
    case "azure-native:cdn:Profile":
      Object.assign(state, { frontDoorId: seed("fdid"), resourceState: "Active", provisioningState: "Succeeded" });
      break;
    case "azure-native:cdn:AFDEndpoint":
      Object.assign(state, { hostName: `${name}-${hashOf(stack, name).slice(0, 16)}.z01.azurefd.net` });
      break;
    case "azure-native:cdn:AFDOrigin":
      Object.assign(state, { deploymentStatus: "Succeeded", provisioningState: "Succeeded" });
      break;
    case "azure-native:documentdb:DatabaseAccount":
    case "azure-native:cosmosdb:DatabaseAccount":
      Object.assign(state, { documentEndpoint: `https://${name}.documents.azure.com:443/` });
      break;
    case "azure-native:containerregistry:Registry":
      Object.assign(state, { loginServer: `${name}.azurecr.io` });
      break;
    case "azure-native:operationalinsights:Workspace":
      Object.assign(state, { customerId: seed("customer") });
      break;
    case "azure-native:applicationinsights:Component":
      Object.assign(state, {
        appId: seed("app"),
        instrumentationKey: seed("ikey"),
        connectionString: `InstrumentationKey=${seed("ikey")};IngestionEndpoint=https://${location}.in.applicationinsights.azure.com/`,
      });
      break;
    case "azure-native:web:WebApp":
      Object.assign(state, {
        defaultHostName: `${name}.azurewebsites.net`,
        outboundIpAddresses: "20.50.2.1,20.50.2.2",
        identity: principal(),
        state: "Running",
      });
      break;
    case "azure-native:keyvault:Vault":
      Object.assign(state, { properties: { ...(inputs["properties"] ?? {}), vaultUri: `https://${name}.vault.azure.net/` } });
      break;
    case "azure-native:keyvault:Secret":
      Object.assign(state, { properties: { ...(inputs["properties"] ?? {}), secretUri: `https://vault.vault.azure.net/secrets/${name}` } });
      break;
    case "azure-native:servicebus:Namespace":
      Object.assign(state, { serviceBusEndpoint: `https://${name}.servicebus.windows.net:443/` });
      break;
    case "azure-native:redisenterprise:RedisEnterprise":
      Object.assign(state, { hostName: `${name}.${location}.redis.azure.net` });
      break;
    case "azure-native:managedidentity:UserAssignedIdentity":
      Object.assign(state, { principalId: seed("principal"), clientId: seed("client"), tenantId: MOCK_TENANT });
      break;
    case "azure-native:storage:StorageAccount":
      Object.assign(state, { primaryEndpoints: { blob: `https://${name}.blob.core.windows.net/` } });
      break;
    default:
      if (inputs["identity"]) state["identity"] = principal();
  }
  return { id, state };
}

/** Answers the provider functions (invokes) our programs call, such as the client configuration. */
export function mockAzureCall(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
  switch (args.token) {
    case "azure-native:authorization:getClientConfig":
      return { clientId: guidOf("client"), objectId: guidOf("object"), subscriptionId: MOCK_SUBSCRIPTION, tenantId: MOCK_TENANT };
    default:
      return args.inputs as Record<string, unknown>;
  }
}
