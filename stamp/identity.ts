import * as authorization from "@pulumi/azure-native/authorization/index.js";
import * as cosmosdb from "@pulumi/azure-native/cosmosdb/index.js";
import * as managedidentity from "@pulumi/azure-native/managedidentity/index.js";
import * as redisenterprise from "@pulumi/azure-native/redisenterprise/index.js";
import * as pulumi from "@pulumi/pulumi";
import { stampStackName } from "../environments/stacks.js";
import { stampName, type StampContext } from "./context.js";
import { deterministicGuid } from "./deterministic-guid.js";
import { cosmosRoleDefinitionId, REDIS_DATA_ACCESS_POLICY, roleDefinitionId, type BuiltInRole } from "./roles.js";

/**
 * The web app's identity and what it may do. A user-assigned identity rather than the app's
 * system identity: it exists before the web app, so every grant below is in place when the first
 * instance pulls its image and resolves its Key Vault references (with a system identity the first
 * start races RBAC propagation). Each grant is a data-plane role on exactly one resource.
 */
export function createIdentity(ctx: StampContext): managedidentity.UserAssignedIdentity {
  return new managedidentity.UserAssignedIdentity(
    "id-app",
    {
      resourceGroupName: ctx.resourceGroupName,
      location: ctx.region,
      resourceName: stampName(ctx, "managedIdentity", { purpose: "app" }),
      tags: ctx.tags,
    },
    { parent: ctx.parent },
  );
}

export interface AccessTargets {
  /** The environment's container registry (global stack). */
  registryId: pulumi.Input<string>;
  keyVaultId: pulumi.Input<string>;
  ordersQueueId: pulumi.Input<string>;
  healthQueueId: pulumi.Input<string>;
  /** The environment's Cosmos DB account and database (global stack, global resource group). */
  cosmos: {
    accountId: pulumi.Input<string>;
    accountName: pulumi.Input<string>;
    resourceGroupName: pulumi.Input<string>;
    databaseName: pulumi.Input<string>;
  };
  redis: { clusterName: pulumi.Input<string>; databaseName: pulumi.Input<string> };
  /** The stamp's Application Insights: local auth is off, so the app publishes with its identity. */
  appInsightsId: pulumi.Input<string>;
}

export interface StampGrants {
  roleAssignments: authorization.RoleAssignment[];
  cosmos: cosmosdb.SqlResourceSqlRoleAssignment;
  redis: redisenterprise.AccessPolicyAssignment;
  /** Everything the web app must wait for before its first start. */
  all: pulumi.Resource[];
}

export function grantAccess(ctx: StampContext, identity: managedidentity.UserAssignedIdentity, targets: AccessTargets): StampGrants {
  const opts: pulumi.CustomResourceOptions = { parent: ctx.parent };
  const grant = (name: string, role: BuiltInRole, scope: pulumi.Input<string>) =>
    new authorization.RoleAssignment(
      name,
      {
        principalId: identity.principalId,
        // Declaring the principal type lets ARM accept a principal that has not replicated yet.
        principalType: "ServicePrincipal",
        roleDefinitionId: roleDefinitionId(role, { parent: ctx.parent }),
        scope,
        description: `${ctx.env.name} stamp ${ctx.region} ${ctx.release}: web app ${role}`,
      },
      opts,
    );

  const roleAssignments = [
    grant("ra-acr-pull", "acrPull", targets.registryId),
    grant("ra-kv-secrets-user", "keyVaultSecretsUser", targets.keyVaultId),
    grant("ra-orders-sender", "serviceBusDataSender", targets.ordersQueueId),
    grant("ra-orders-receiver", "serviceBusDataReceiver", targets.ordersQueueId),
    grant("ra-health-sender", "serviceBusDataSender", targets.healthQueueId),
    // Application Insights with local auth disabled accepts only Entra-authenticated telemetry
    // ("Microsoft Entra authentication for Application Insights": Monitoring Metrics Publisher on the component).
    grant("ra-appi-publisher", "monitoringMetricsPublisher", targets.appInsightsId),
  ];

  // Cosmos DB data-plane RBAC lives on the account (in the global resource group), scoped here to
  // the workload's database only. Deleted with the stamp, so a retired release keeps no access.
  // Its id must be a GUID that azure-native does not generate (cosmos-db rbac.json has no
  // `format: uuid` on roleAssignmentId, so the provider would send the logical name, the same in
  // every stamp: issue 12, defect 1). A name-based GUID of stamp, scope and role: different in every
  // stamp (blue and green of one region included), the same on every update of one stamp.
  const cosmosScope = pulumi.interpolate`${targets.cosmos.accountId}/dbs/${targets.cosmos.databaseName}`;
  const cosmosRole = cosmosRoleDefinitionId(targets.cosmos.accountId);
  const cosmos = new cosmosdb.SqlResourceSqlRoleAssignment(
    "cosmos-data-contributor",
    {
      accountName: targets.cosmos.accountName,
      resourceGroupName: targets.cosmos.resourceGroupName,
      roleAssignmentId: pulumi.all([cosmosScope, cosmosRole]).apply(([scope, role]) => cosmosRoleAssignmentId(stampStackName(ctx.env.name, ctx.region, ctx.release), scope, role)),
      principalId: identity.principalId,
      roleDefinitionId: cosmosRole,
      scope: cosmosScope,
    },
    opts,
  );

  const redis = new redisenterprise.AccessPolicyAssignment(
    "redis-data-access",
    {
      resourceGroupName: ctx.resourceGroupName,
      clusterName: targets.redis.clusterName,
      databaseName: targets.redis.databaseName,
      accessPolicyAssignmentName: "webapp",
      accessPolicyName: REDIS_DATA_ACCESS_POLICY,
      user: { objectId: identity.principalId },
    },
    opts,
  );

  return { roleAssignments, cosmos, redis, all: [...roleAssignments, cosmos, redis] };
}

/** The Cosmos DB SQL role assignment id of one stamp's grant (see grantAccess). */
export function cosmosRoleAssignmentId(stamp: string, scope: string, roleDefinitionId: string): string {
  return deterministicGuid("cosmos-sql-role-assignment", stamp, scope.toLowerCase(), roleDefinitionId.toLowerCase());
}
