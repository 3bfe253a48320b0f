import type { Environment } from "../environments/index.js";
import type { GlobalOutputs, StackFacts } from "../global/contract.js";

/** What a stamp needs from its environment's global stack. */
export type StampGlobalInputs = Pick<
  GlobalOutputs,
  | "resourceGroupName"
  | "frontDoorId"
  | "cosmosAccountId"
  | "cosmosAccountName"
  | "cosmosEndpoint"
  | "cosmosDatabaseName"
  | "registryId"
  | "registryLoginServer"
  | "logAnalyticsWorkspaceId"
  | "actionGroupId"
  | "killSwitchStorageAccountId"
  | "killSwitchStorageAccountName"
  | "killSwitchBlobEndpoint"
>;

export interface StampProgramArgs {
  env: Environment;
  /** Azure region name, e.g. westeurope. */
  region: string;
  release: string;
  /** Container image reference, e.g. `crshoesprod1a2b3.azurecr.io/shop-api:r42`. */
  image: string;
  global: StampGlobalInputs;
  /** CIDRs allowed to reach the web app directly (release probes), besides Front Door. */
  probeAllowList: string[];
  facts: StackFacts;
  /**
   * Values of the external-call secrets (stamp/key-vault.ts, `EXTERNAL_SECRETS`) by Key Vault
   * secret name. A secret without a value gets a generated one (dev, offline rehearsals).
   */
  externalSecrets?: Record<string, string>;
}

export interface StampOutputs {
  stack: string;
  region: string;
  release: string;
  resourceGroupName: string;
  webAppName: string;
  webAppHostName: string;
  /** `https://<host>/health/stamp`: what the release gate probes. */
  healthUrl: string;
  /** Service Bus namespace and `orders` queue: a drained stamp is destroyed only once it is empty. */
  serviceBusNamespace?: string;
  ordersQueue?: string;
  /**
   * This stamp's kill-switch drain marker (`<kill-switch blob endpoint>drain-<stack>`, a container):
   * the stamp is out of rotation while it exists (stamp/kill-switch.ts).
   * Optional: stamps deployed before it was an output do not have it.
   */
  killSwitchDrainUrl?: string;
  /**
   * The container image the web app runs (`linuxFxVersion` without `DOCKER|`), so the driver and
   * the offline stamps can tell which build a stamp pulls. Optional: older stamps lack it.
   */
  image?: string;
}
