import * as pulumi from "@pulumi/pulumi";
import * as cosmosdb from "@pulumi/azure-native/cosmosdb/index.js";
import type { Environment } from "../environments/index.js";
import { resourceName } from "../environments/naming.js";
import { COSMOS_CONTAINERS, COSMOS_DATABASE, DATABASE_AUTOSCALE_MAX_THROUGHPUT } from "./cosmos-containers.js";

/**
 * Cosmos DB (SQL API): the one store that outlives stamps. Every environment region is a replica
 * (the first is the home region, failover priority 0), writable in every region when the
 * environment asks for multi-region writes. Only Entra ID (RBAC) data access: account keys are
 * off, and control-plane changes go through ARM (this program), never through a data-plane key.
 */

export interface CosmosArgs {
  env: Environment;
  resourceGroupName: pulumi.Input<string>;
  suffix: pulumi.Input<string>;
  tags: Record<string, string>;
}

export interface Cosmos {
  account: cosmosdb.DatabaseAccount;
  database: cosmosdb.SqlResourceSqlDatabase;
  containers: Map<string, cosmosdb.SqlResourceSqlContainer>;
}

export function cosmos(args: CosmosArgs, parent: pulumi.Resource): Cosmos {
  const { env } = args;
  const account = new cosmosdb.DatabaseAccount(
    "cosmos",
    {
      resourceGroupName: args.resourceGroupName,
      accountName: pulumi.output(args.suffix).apply((suffix) => resourceName("cosmosAccount", { env: env.name, suffix })),
      location: env.regions[0],
      kind: "GlobalDocumentDB",
      databaseAccountOfferType: "Standard",
      locations: env.regions.map((region, i) => ({
        locationName: region,
        failoverPriority: i,
        isZoneRedundant: env.cosmos.zoneRedundant,
      })),
      enableMultipleWriteLocations: env.cosmos.multiRegionWrites,
      enableAutomaticFailover: true,
      consistencyPolicy: { defaultConsistencyLevel: "Session" },
      backupPolicy: { type: "Continuous", continuousModeProperties: { tier: env.cosmos.backupTier } },
      capabilities: env.cosmos.serverless ? [{ name: "EnableServerless" }] : [],
      disableLocalAuth: true,
      disableKeyBasedMetadataWriteAccess: true,
      minimalTlsVersion: "Tls12",
      // Isolated environments reach Cosmos through the stamps' private endpoints only.
      publicNetworkAccess: env.network.isolation ? "Disabled" : "Enabled",
      networkAclBypass: "None",
      tags: args.tags,
    },
    { parent },
  );

  const database = new cosmosdb.SqlResourceSqlDatabase(
    "cosmos-database",
    {
      resourceGroupName: args.resourceGroupName,
      accountName: account.name,
      databaseName: COSMOS_DATABASE,
      resource: { id: COSMOS_DATABASE },
      // Serverless accounts bill per request and refuse a throughput setting.
      ...(env.cosmos.serverless ? {} : { options: { autoscaleSettings: { maxThroughput: DATABASE_AUTOSCALE_MAX_THROUGHPUT } } }),
    },
    { parent },
  );

  const containers = new Map<string, cosmosdb.SqlResourceSqlContainer>();
  for (const container of COSMOS_CONTAINERS) {
    containers.set(
      container.name,
      new cosmosdb.SqlResourceSqlContainer(
        `cosmos-container-${container.name}`,
        {
          resourceGroupName: args.resourceGroupName,
          accountName: account.name,
          databaseName: database.name,
          containerName: container.name,
          resource: {
            id: container.name,
            partitionKey: { paths: [container.partitionKey], kind: "Hash", version: 2 },
            ...(container.defaultTtlSeconds !== undefined ? { defaultTtl: container.defaultTtlSeconds } : {}),
            // With writes in several regions, the latest write wins a conflict.
            conflictResolutionPolicy: { mode: "LastWriterWins", conflictResolutionPath: "/_ts" },
          },
        },
        { parent },
      ),
    );
  }
  return { account, database, containers };
}
