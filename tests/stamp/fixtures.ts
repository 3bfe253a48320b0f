import { MOCK_SUBSCRIPTION } from "../../automation/offline/azure-mocks.js";
import { loadEnvironment } from "../../environments/index.js";
import { runProgram, type ProgramRun } from "../harness/pulumi.js";
import type { StampGlobalInputs, StampOutputs, StampProgramArgs } from "../../stamp/contract.js";
import { stampProgram } from "../../stamp/program.js";

/** A global stack's outputs as the mock Azure model would have produced them for `<env>-global`. */
export function fakeGlobalInputs(env: string): StampGlobalInputs {
  const rg = `rg-shoes-${env}-global`;
  const arm = (provider: string, type: string, name: string) =>
    `/subscriptions/${MOCK_SUBSCRIPTION}/resourceGroups/${rg}/providers/${provider}/${type}/${name}`;
  return {
    resourceGroupName: rg,
    frontDoorId: env === "prod" ? "7d3f0c4e-1a2b-4c3d-8e4f-5a6b7c8d9e0f" : "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d",
    cosmosAccountId: arm("Microsoft.DocumentDB", "databaseAccounts", `cosmos-shoes-${env}-k3x9q`),
    cosmosAccountName: `cosmos-shoes-${env}-k3x9q`,
    cosmosEndpoint: `https://cosmos-shoes-${env}-k3x9q.documents.azure.com:443/`,
    cosmosDatabaseName: "shoes",
    registryId: arm("Microsoft.ContainerRegistry", "registries", `crshoes${env}k3x9q`),
    registryLoginServer: `crshoes${env}k3x9q.azurecr.io`,
    logAnalyticsWorkspaceId: arm("Microsoft.OperationalInsights", "workspaces", `log-shoes-${env}`),
    actionGroupId: arm("Microsoft.Insights", "actionGroups", `ag-shoes-${env}`),
    killSwitchStorageAccountId: arm("Microsoft.Storage", "storageAccounts", `stshoeskill${env}k3x9q`),
    killSwitchStorageAccountName: `stshoeskill${env}k3x9q`,
    killSwitchBlobEndpoint: `https://stshoeskill${env}k3x9q.blob.core.windows.net/`,
  };
}

export const PROBE_ALLOW_LIST = ["203.0.113.10/32", "198.51.100.0/28"];

export function stampArgs(envName: string, overrides: Partial<StampProgramArgs> = {}): StampProgramArgs {
  const env = loadEnvironment(envName);
  const global = fakeGlobalInputs(env.name);
  return {
    env,
    region: env.regions[0]!,
    release: "r42",
    image: `${global.registryLoginServer}/shop-api:r42`,
    global,
    probeAllowList: PROBE_ALLOW_LIST,
    facts: {
      owner: "release-pipeline",
      createdAt: "2026-03-01T10:00:00.000Z",
      ...(env.ephemeral ? { expiresAt: "2026-03-01T18:00:00.000Z" } : {}),
    },
    ...overrides,
  };
}

export async function runStamp(args: StampProgramArgs): Promise<ProgramRun<StampOutputs>> {
  return runProgram(stampProgram(args), `${args.env.name}-stamp-test`);
}

const cache = new Map<string, Promise<ProgramRun<StampOutputs>>>();

/** One run per environment, shared by every test file (a stamp run takes a few seconds). */
export function stampRun(envName: string): Promise<ProgramRun<StampOutputs>> {
  let run = cache.get(envName);
  if (!run) {
    run = runStamp(stampArgs(envName));
    cache.set(envName, run);
  }
  return run;
}

export const T = {
  resourceGroup: "azure-native:resources:ResourceGroup",
  vnet: "azure-native:network:VirtualNetwork",
  subnet: "azure-native:network:Subnet",
  nsg: "azure-native:network:NetworkSecurityGroup",
  plan: "azure-native:web:AppServicePlan",
  webApp: "azure-native:web:WebApp",
  autoscale: "azure-native:monitor:AutoscaleSetting",
  vault: "azure-native:keyvault:Vault",
  secret: "azure-native:keyvault:Secret",
  namespace: "azure-native:servicebus:Namespace",
  queue: "azure-native:servicebus:Queue",
  redis: "azure-native:redisenterprise:RedisEnterprise",
  redisDb: "azure-native:redisenterprise:Database",
  redisAccess: "azure-native:redisenterprise:AccessPolicyAssignment",
  workspace: "azure-native:operationalinsights:Workspace",
  appInsights: "azure-native:applicationinsights:Component",
  diagnostic: "azure-native:monitor:DiagnosticSetting",
  identity: "azure-native:managedidentity:UserAssignedIdentity",
  roleAssignment: "azure-native:authorization:RoleAssignment",
  cosmosRoleAssignment: "azure-native:cosmosdb:SqlResourceSqlRoleAssignment",
  privateEndpoint: "azure-native:network:PrivateEndpoint",
  privateZone: "azure-native:privatedns:PrivateZone",
  vnetLink: "azure-native:privatedns:VirtualNetworkLink",
  zoneGroup: "azure-native:network:PrivateDnsZoneGroup",
  blob: "azure-native:storage:Blob",
} as const;

/** Pulumi's marker of a secret value in recorded inputs (runtime/rpc: specialSigKey, specialSecretSig). */
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** A recorded input with Pulumi's secret wrapper taken off (and whether it was a secret). */
export function unwrapSecret(value: unknown): { secret: boolean; value: unknown } {
  if (typeof value === "object" && value !== null && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG) {
    return { secret: true, value: (value as { value: unknown }).value };
  }
  return { secret: false, value };
}
