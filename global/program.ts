import * as pulumi from "@pulumi/pulumi";
import { InputError } from "../environments/index.js";
import { validateRelease } from "../environments/stacks.js";
import type { GlobalOutputs, GlobalProgramArgs } from "./contract.js";
import { GlobalStack } from "./global-stack.js";
import { validateOrigins } from "./origin-list.js";

/** What the program returns: each output as a value or a Pulumi output the engine resolves. */
type ProgramOutputs<T> = { [K in keyof T]: pulumi.Input<T[K]> };

/**
 * The global stack's inline program. Its input is checked when the program is made, before the
 * driver hands it to an engine, so a bad origin list fails with one line and touches no stack.
 */
export function globalProgram(args: GlobalProgramArgs): () => Promise<GlobalOutputs> {
  const origins = validateOrigins(args.env, args.origins);
  if (args.liveRelease !== null) validateRelease(args.liveRelease);
  if (Number.isNaN(Date.parse(args.facts.createdAt))) {
    throw new InputError(`created-at "${args.facts.createdAt}" is not an ISO 8601 time (e.g. 2025-01-31T12:00:00.000Z)`);
  }
  if (args.facts.expiresAt !== undefined && Number.isNaN(Date.parse(args.facts.expiresAt))) {
    throw new InputError(`expires-at "${args.facts.expiresAt}" is not an ISO 8601 time (e.g. 2025-01-31T20:00:00.000Z)`);
  }

  return async () => {
    const stack = new GlobalStack("global", { env: args.env, origins, facts: args.facts });
    const { frontDoor, cosmos, registry, monitoring, killSwitch } = stack;
    const outputs: ProgramOutputs<GlobalOutputs> = {
      env: args.env.name,
      resourceGroupName: stack.resourceGroup.name,
      frontDoorProfileId: frontDoor.profile.id,
      frontDoorProfileName: frontDoor.profile.name,
      frontDoorId: frontDoor.profile.frontDoorId,
      frontDoorEndpointHostName: frontDoor.endpoint.hostName,
      stampEndpoints: pulumi.all(frontDoor.stampEndpoints.map((s) => s.endpoint.hostName)).apply((hosts) =>
        frontDoor.stampEndpoints.map((s, i) => ({ stamp: s.stamp, hostName: hosts[i]! })),
      ),
      // Once this update succeeds, the list asked for is the list deployed; after a failed update the
      // driver re-applies a list rather than trusting these outputs.
      origins: stack.origins.map((o) => ({ ...o })),
      liveRelease: args.liveRelease,
      cosmosAccountId: cosmos.account.id,
      cosmosAccountName: cosmos.account.name,
      cosmosEndpoint: cosmos.account.documentEndpoint,
      cosmosDatabaseName: cosmos.database.name,
      registryId: registry.registry.id,
      registryName: registry.registry.name,
      registryLoginServer: registry.registry.loginServer,
      logAnalyticsWorkspaceId: monitoring.workspace.id,
      logAnalyticsCustomerId: monitoring.workspace.customerId,
      actionGroupId: monitoring.actionGroup.id,
      killSwitchStorageAccountId: killSwitch.account.id,
      killSwitchStorageAccountName: killSwitch.account.name,
      killSwitchBlobEndpoint: killSwitch.blobEndpoint,
      healthWorkbookUrl: stack.healthModel.workbookPortalUrl,
    };
    // The engine resolves every output before anyone reads them, so callers see GlobalOutputs.
    return outputs as unknown as GlobalOutputs;
  };
}
