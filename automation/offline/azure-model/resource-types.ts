/**
 * What the offline Azure model knows of each azure-native resource type: where its Azure resource
 * ID hangs (REST API path, from Azure/azure-rest-api-specs), which input carries its name, and how
 * azure-native names it when the program gives no name.
 *
 * Auto-naming, as pulumi/pulumi-azure-native does it (provider/pkg/provider/provider.go,
 * `getDefaultName`, and the AutoNameKind constants in provider/pkg/resources/resources.go):
 *   - `random`: the logical (URN) name plus 8 random hex characters (`resource.NewUniqueName(seed, name, 8, …)`);
 *   - `uuid`:   a random GUID, only for path parameters the REST spec types as GUIDs (`format: uuid`),
 *               e.g. `roleAssignmentName` of Microsoft.Authorization/roleAssignments;
 *   - `copy`:   the logical name itself, unchanged.
 * Nothing else adds uniqueness: two stacks that give the same name (or the same logical name for a
 * `copy` parameter) get the same Azure resource ID.
 */

export type AutoName = "random" | "uuid" | "copy";

/** A globally unique DNS name a resource takes (see global-names.ts). */
export type GlobalNameKind = "storageAccount" | "keyVault" | "registry" | "cosmosAccount" | "serviceBusNamespace" | "frontDoorEndpoint" | "webAppHost";

export interface ResourceTypeInfo {
  /** ARM resource provider namespace. */
  namespace: string;
  /**
   * Path under the provider, `{input}` for a path parameter taken from the inputs; the last one is
   * the resource's own name. For `extension` resources the path hangs under the resource named by
   * `scopeInput` (an ARM id) instead of the resource group.
   */
  path: string;
  /** The input that names the resource (the path's last parameter). */
  nameInput: string;
  autoName: AutoName;
  scope: "resourceGroup" | "subscription" | "extension";
  /** For `extension`: the input holding the ARM id the resource is attached to. */
  scopeInput?: string;
  globalName?: GlobalNameKind;
}

const rg = (namespace: string, path: string, autoName: AutoName = "random", globalName?: GlobalNameKind): ResourceTypeInfo => {
  const nameInput = /\{(\w+)\}$/.exec(path)?.[1];
  if (!nameInput) throw new Error(`resource path ${path} must end with its name parameter`);
  return { namespace, path, nameInput, autoName, scope: "resourceGroup", ...(globalName ? { globalName } : {}) };
};

const TYPES: Record<string, ResourceTypeInfo> = {
  "azure-native:resources:ResourceGroup": { namespace: "Microsoft.Resources", path: "resourceGroups/{resourceGroupName}", nameInput: "resourceGroupName", autoName: "random", scope: "subscription" },
  "azure-native:applicationinsights:Component": rg("Microsoft.Insights", "components/{resourceName}"),
  "azure-native:applicationinsights:WebTest": rg("Microsoft.Insights", "webtests/{webTestName}"),
  // Workbook names are GUIDs (spec: `resourceName` of Microsoft.Insights/workbooks, format: uuid).
  "azure-native:applicationinsights:Workbook": rg("Microsoft.Insights", "workbooks/{resourceName}", "uuid"),
  "azure-native:authorization:RoleAssignment": {
    namespace: "Microsoft.Authorization",
    path: "roleAssignments/{roleAssignmentName}",
    nameInput: "roleAssignmentName",
    // authorization.json: `roleAssignmentName` … "format": "uuid" → azure-native generates a GUID.
    autoName: "uuid",
    scope: "extension",
    scopeInput: "scope",
  },
  "azure-native:cdn:Profile": rg("Microsoft.Cdn", "profiles/{profileName}"),
  "azure-native:cdn:AFDEndpoint": rg("Microsoft.Cdn", "profiles/{profileName}/afdEndpoints/{endpointName}", "random", "frontDoorEndpoint"),
  "azure-native:cdn:AFDOriginGroup": rg("Microsoft.Cdn", "profiles/{profileName}/originGroups/{originGroupName}"),
  "azure-native:cdn:AFDOrigin": rg("Microsoft.Cdn", "profiles/{profileName}/originGroups/{originGroupName}/origins/{originName}"),
  "azure-native:cdn:Route": rg("Microsoft.Cdn", "profiles/{profileName}/afdEndpoints/{endpointName}/routes/{routeName}"),
  "azure-native:cdn:SecurityPolicy": rg("Microsoft.Cdn", "profiles/{profileName}/securityPolicies/{securityPolicyName}"),
  "azure-native:containerregistry:Registry": rg("Microsoft.ContainerRegistry", "registries/{registryName}", "random", "registry"),
  "azure-native:containerregistry:Replication": rg("Microsoft.ContainerRegistry", "registries/{registryName}/replications/{replicationName}"),
  "azure-native:cosmosdb:DatabaseAccount": rg("Microsoft.DocumentDB", "databaseAccounts/{accountName}", "random", "cosmosAccount"),
  "azure-native:cosmosdb:SqlResourceSqlDatabase": rg("Microsoft.DocumentDB", "databaseAccounts/{accountName}/sqlDatabases/{databaseName}"),
  "azure-native:cosmosdb:SqlResourceSqlContainer": rg("Microsoft.DocumentDB", "databaseAccounts/{accountName}/sqlDatabases/{databaseName}/containers/{containerName}"),
  // cosmos-db rbac.json types `roleAssignmentId` as a plain string (no `format: uuid`), so azure-native
  // does not generate a GUID for it: it sends the logical name (issue 12, defect 1). Cosmos DB itself
  // then requires a GUID (see rules.ts).
  "azure-native:cosmosdb:SqlResourceSqlRoleAssignment": rg("Microsoft.DocumentDB", "databaseAccounts/{accountName}/sqlRoleAssignments/{roleAssignmentId}", "copy"),
  "azure-native:frontdoor:Policy": rg("Microsoft.Network", "FrontDoorWebApplicationFirewallPolicies/{policyName}"),
  "azure-native:keyvault:Vault": rg("Microsoft.KeyVault", "vaults/{vaultName}", "random", "keyVault"),
  "azure-native:keyvault:Secret": rg("Microsoft.KeyVault", "vaults/{vaultName}/secrets/{secretName}"),
  "azure-native:managedidentity:UserAssignedIdentity": rg("Microsoft.ManagedIdentity", "userAssignedIdentities/{resourceName}"),
  "azure-native:monitor:ActionGroup": rg("Microsoft.Insights", "actionGroups/{actionGroupName}"),
  "azure-native:monitor:AutoscaleSetting": rg("Microsoft.Insights", "autoscalesettings/{autoscaleSettingName}"),
  "azure-native:monitor:DiagnosticSetting": {
    namespace: "Microsoft.Insights",
    path: "diagnosticSettings/{name}",
    nameInput: "name",
    autoName: "random",
    scope: "extension",
    scopeInput: "resourceUri",
  },
  "azure-native:monitor:MetricAlert": rg("Microsoft.Insights", "metricAlerts/{ruleName}"),
  "azure-native:monitor:ScheduledQueryRule": rg("Microsoft.Insights", "scheduledQueryRules/{ruleName}"),
  "azure-native:network:NetworkSecurityGroup": rg("Microsoft.Network", "networkSecurityGroups/{networkSecurityGroupName}"),
  "azure-native:network:VirtualNetwork": rg("Microsoft.Network", "virtualNetworks/{virtualNetworkName}"),
  "azure-native:network:Subnet": rg("Microsoft.Network", "virtualNetworks/{virtualNetworkName}/subnets/{subnetName}"),
  "azure-native:network:PrivateEndpoint": rg("Microsoft.Network", "privateEndpoints/{privateEndpointName}"),
  "azure-native:network:PrivateDnsZoneGroup": rg("Microsoft.Network", "privateEndpoints/{privateEndpointName}/privateDnsZoneGroups/{privateDnsZoneGroupName}"),
  "azure-native:privatedns:PrivateZone": rg("Microsoft.Network", "privateDnsZones/{privateZoneName}"),
  "azure-native:privatedns:VirtualNetworkLink": rg("Microsoft.Network", "privateDnsZones/{privateZoneName}/virtualNetworkLinks/{virtualNetworkLinkName}"),
  "azure-native:operationalinsights:Workspace": rg("Microsoft.OperationalInsights", "workspaces/{workspaceName}"),
  "azure-native:operationalinsights:SavedSearch": rg("Microsoft.OperationalInsights", "workspaces/{workspaceName}/savedSearches/{savedSearchId}"),
  "azure-native:redisenterprise:RedisEnterprise": rg("Microsoft.Cache", "redisEnterprise/{clusterName}"),
  "azure-native:redisenterprise:Database": rg("Microsoft.Cache", "redisEnterprise/{clusterName}/databases/{databaseName}"),
  "azure-native:redisenterprise:AccessPolicyAssignment": rg("Microsoft.Cache", "redisEnterprise/{clusterName}/databases/{databaseName}/accessPolicyAssignments/{accessPolicyAssignmentName}"),
  "azure-native:servicebus:Namespace": rg("Microsoft.ServiceBus", "namespaces/{namespaceName}", "random", "serviceBusNamespace"),
  "azure-native:servicebus:Queue": rg("Microsoft.ServiceBus", "namespaces/{namespaceName}/queues/{queueName}"),
  "azure-native:storage:StorageAccount": rg("Microsoft.Storage", "storageAccounts/{accountName}", "random", "storageAccount"),
  "azure-native:storage:BlobContainer": rg("Microsoft.Storage", "storageAccounts/{accountName}/blobServices/default/containers/{containerName}"),
  "azure-native:web:AppServicePlan": rg("Microsoft.Web", "serverfarms/{name}"),
  "azure-native:web:WebApp": rg("Microsoft.Web", "sites/{name}", "random", "webAppHost"),
  // Singletons: their name is fixed by the API (`basicPublishingCredentialsPolicies/ftp|scm`).
  "azure-native:web:WebAppFtpAllowed": { namespace: "Microsoft.Web", path: "sites/{name}/basicPublishingCredentialsPolicies/ftp", nameInput: "name", autoName: "random", scope: "resourceGroup" },
  "azure-native:web:WebAppScmAllowed": { namespace: "Microsoft.Web", path: "sites/{name}/basicPublishingCredentialsPolicies/scm", nameInput: "name", autoName: "random", scope: "resourceGroup" },
};

/** azure-native v2 tokens that v3 moved (the SDK registers them as aliases of the v3 ones). */
const ALIASES: Record<string, string> = {
  "azure-native:documentdb:DatabaseAccount": "azure-native:cosmosdb:DatabaseAccount",
  "azure-native:documentdb:SqlResourceSqlDatabase": "azure-native:cosmosdb:SqlResourceSqlDatabase",
  "azure-native:documentdb:SqlResourceSqlContainer": "azure-native:cosmosdb:SqlResourceSqlContainer",
  "azure-native:documentdb:SqlResourceSqlRoleAssignment": "azure-native:cosmosdb:SqlResourceSqlRoleAssignment",
  "azure-native:network:FrontDoorWebApplicationFirewallPolicy": "azure-native:frontdoor:Policy",
  "azure-native:insights:DiagnosticSetting": "azure-native:monitor:DiagnosticSetting",
  "azure-native:insights:Workbook": "azure-native:applicationinsights:Workbook",
  "azure-native:insights:AutoscaleSetting": "azure-native:monitor:AutoscaleSetting",
  "azure-native:insights:ActionGroup": "azure-native:monitor:ActionGroup",
  "azure-native:insights:MetricAlert": "azure-native:monitor:MetricAlert",
  "azure-native:insights:ScheduledQueryRule": "azure-native:monitor:ScheduledQueryRule",
};

/** The canonical (v3) token of a type. */
export function canonicalType(token: string): string {
  return ALIASES[token] ?? token;
}

export function resourceTypeInfo(token: string): ResourceTypeInfo | undefined {
  return TYPES[canonicalType(token)];
}

/** Every type the model knows (for the docs and the tests). */
export function knownResourceTypes(): string[] {
  return Object.keys(TYPES).sort();
}
