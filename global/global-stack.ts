import * as pulumi from "@pulumi/pulumi";
import * as resources from "@pulumi/azure-native/resources/index.js";
import type { Environment } from "../environments/index.js";
import { resourceName } from "../environments/naming.js";
import { uniqueSuffix } from "../environments/unique-suffix.js";
import type { OriginSpec, StackFacts } from "./contract.js";
import { cosmos, type Cosmos } from "./cosmos.js";
import { diagnosticSettings } from "./diagnostics.js";
import { frontDoor, type FrontDoor } from "./front-door.js";
import { HealthModel } from "./health-model/index.js";
import { killSwitch, type KillSwitch } from "./kill-switch.js";
import { monitoring, type Monitoring } from "./monitoring.js";
import { validateOrigins } from "./origin-list.js";
import { registry, type Registry } from "./registry.js";
import { globalResourceTags } from "./tags.js";

/**
 * The persistent, per-environment part of the system (`<env>-global`): Front Door with the
 * stamps as origins, Cosmos DB, the container registry, the stamps' kill switches and the global monitoring, in the
 * environment's own resource group. It is driven only by the environment definition and the
 * driver's list of origins, so a weight switch is one update of this component.
 */

export interface GlobalStackArgs {
  env: Environment;
  /** The origins the driver wants, one per stamp; validated here (see origin-list.ts). */
  origins: readonly OriginSpec[];
  facts: StackFacts;
}

export const GLOBAL_STACK_TYPE = "contoso:global:GlobalStack";

export class GlobalStack extends pulumi.ComponentResource {
  readonly resourceGroup: resources.ResourceGroup;
  readonly frontDoor: FrontDoor;
  readonly cosmos: Cosmos;
  readonly registry: Registry;
  readonly killSwitch: KillSwitch;
  readonly monitoring: Monitoring;
  readonly healthModel: HealthModel;
  /** The origins this update deploys (what the stack's outputs report once it succeeds). */
  readonly origins: OriginSpec[];

  constructor(name: string, args: GlobalStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super(GLOBAL_STACK_TYPE, name, {}, opts);
    const { env } = args;
    this.origins = validateOrigins(env, args.origins);
    const tags = globalResourceTags(env, args.facts);

    this.resourceGroup = new resources.ResourceGroup(
      "resource-group",
      { resourceGroupName: resourceName("resourceGroup", { env: env.name, purpose: "global" }), location: env.regions[0], tags },
      { parent: this },
    );
    const resourceGroupName = this.resourceGroup.name;
    // One suffix for every globally unique name of the environment, kept in the stack's state.
    const suffix = uniqueSuffix("global-suffix", { parent: this });

    this.monitoring = monitoring({ env, resourceGroupName, tags }, this);
    this.frontDoor = frontDoor({ env, origins: this.origins, resourceGroupName, suffix, tags }, this);
    this.cosmos = cosmos({ env, resourceGroupName, suffix, tags }, this);
    this.registry = registry({ env, resourceGroupName, suffix, tags }, this);
    this.killSwitch = killSwitch({ env, resourceGroupName, suffix, tags }, this);
    diagnosticSettings(
      {
        env,
        workspaceId: this.monitoring.workspace.id,
        targets: {
          frontdoor: this.frontDoor.profile.id,
          cosmos: this.cosmos.account.id,
          registry: this.registry.registry.id,
          killswitch: pulumi.interpolate`${this.killSwitch.account.id}/blobServices/default`,
        },
      },
      this,
    );

    // The environment's health model: functions rolling stamps up, the operators' workbook, alerts.
    this.healthModel = new HealthModel(
      "health-model",
      {
        env,
        resourceGroupName,
        location: env.regions[0]!,
        workspaceId: this.monitoring.workspace.id,
        workspaceName: this.monitoring.workspace.name,
        frontDoorProfileId: this.frontDoor.profile.id,
        frontDoorEndpointHostName: this.frontDoor.endpoint.hostName,
        actionGroupId: this.monitoring.actionGroup.id,
        tags,
      },
      { parent: this },
    );

    this.registerOutputs({
      resourceGroupName,
      frontDoorId: this.frontDoor.profile.frontDoorId,
      cosmosAccountId: this.cosmos.account.id,
      registryId: this.registry.registry.id,
      logAnalyticsWorkspaceId: this.monitoring.workspace.id,
    });
  }
}
