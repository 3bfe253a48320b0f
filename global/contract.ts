import type { Environment } from "../environments/index.js";

/**
 * What the global program takes and gives. The driver owns the list of origins: a weight switch is
 * one update of the global stack with a new list, and the stack's outputs are the observed truth
 * the release reconciler reads back.
 */

/** One Front Door origin the driver wants: a stamp's web app. */
export interface OriginSpec {
  /** The stamp stack this origin fronts (`<env>-<region-short>-<release>`). */
  stamp: string;
  region: string;
  release: string;
  /** The stamp's web app host name. */
  hostName: string;
  /** Front Door weight, 1-1000; traffic share among enabled origins is weight / sum of weights. */
  weight: number;
  /** A disabled origin takes no traffic (weight 0 in the driver's terms). */
  enabled: boolean;
  /** Front Door priority 1-5; lower is preferred. */
  priority: number;
}

/** A stamp's own Front Door endpoint: `https://<hostName>/health/stamp` reaches that stamp only. */
export interface StampEndpointOutput {
  stamp: string;
  hostName: string;
}

/** Facts about the stack itself, carried into resource tags. */
export interface StackFacts {
  owner: string;
  createdAt: string;
  expiresAt?: string;
}

export interface GlobalProgramArgs {
  env: Environment;
  origins: OriginSpec[];
  /** The release that serves customers (recorded as an output; null before the first release). */
  liveRelease: string | null;
  facts: StackFacts;
}

/** An origin as deployed (same fields as asked for; read back from the stack's outputs). */
export type DeployedOrigin = OriginSpec;

export interface GlobalOutputs {
  env: string;
  resourceGroupName: string;
  frontDoorProfileId: string;
  frontDoorProfileName: string;
  /** The profile's Front Door id (a GUID): the `X-Azure-FDID` header value stamps must check. */
  frontDoorId: string;
  frontDoorEndpointHostName: string;
  /**
   * The Front Door endpoint of each stamp in the origin list (global/front-door-stamp-endpoints.ts):
   * where the release gate and `contoso health` reach a stamp's health contract. Absent from global
   * stacks deployed before stamp endpoints existed.
   */
  stampEndpoints?: StampEndpointOutput[];
  origins: DeployedOrigin[];
  liveRelease: string | null;
  cosmosAccountId: string;
  cosmosAccountName: string;
  cosmosEndpoint: string;
  cosmosDatabaseName: string;
  registryId: string;
  registryName: string;
  registryLoginServer: string;
  logAnalyticsWorkspaceId: string;
  /** The workspace's customer id (GUID), for queries. */
  logAnalyticsCustomerId: string;
  /** Action group the stamps' alerts notify. */
  actionGroupId: string;
  /** The storage account of the stamps' kill-switch blobs (global/kill-switch.ts). */
  killSwitchStorageAccountId: string;
  killSwitchStorageAccountName: string;
  /** `https://<account>.blob.core.windows.net/` */
  killSwitchBlobEndpoint: string;
  /** The health model's workbook in the Azure portal (traffic split, health per stamp and component). */
  healthWorkbookUrl?: string;
}
