import * as redisenterprise from "@pulumi/azure-native/redisenterprise/index.js";
import * as pulumi from "@pulumi/pulumi";
import { stampName, type StampContext } from "./context.js";

/**
 * The stamp's read cache for the catalog: Azure Managed Redis (the `redisenterprise` resource
 * provider; Azure Cache for Redis is being retired). Entra ID authentication only (access keys
 * disabled), TLS only. It is a cache: no persistence, least-recently-used eviction, and a stamp's
 * cache is rebuilt from Cosmos DB when a new release's stamp starts.
 */

/** Azure Managed Redis serves TLS on this port. */
export const REDIS_PORT = 10000;
/** Azure Managed Redis has one database per cluster and it must be called `default`. */
export const REDIS_DATABASE = "default";

export interface StampCache {
  cluster: redisenterprise.RedisEnterprise;
  database: redisenterprise.Database;
  hostName: pulumi.Output<string>;
}

export function createCache(ctx: StampContext, suffix: pulumi.Output<string>): StampCache {
  const opts: pulumi.CustomResourceOptions = { parent: ctx.parent };
  const cluster = new redisenterprise.RedisEnterprise(
    "redis",
    {
      resourceGroupName: ctx.resourceGroupName,
      location: ctx.region,
      clusterName: suffix.apply((s) => stampName(ctx, "managedRedis", { suffix: s })),
      sku: { name: ctx.env.redis.sku },
      // With high availability the cluster spreads its nodes over the region's availability zones.
      highAvailability: ctx.env.redis.highAvailability ? "Enabled" : "Disabled",
      minimumTlsVersion: "1.2",
      publicNetworkAccess: ctx.env.network.isolation ? "Disabled" : "Enabled",
      tags: ctx.tags,
    },
    opts,
  );

  const database = new redisenterprise.Database(
    "redis-db",
    {
      resourceGroupName: ctx.resourceGroupName,
      clusterName: cluster.name,
      databaseName: REDIS_DATABASE,
      port: REDIS_PORT,
      clientProtocol: "Encrypted",
      // Enterprise clustering presents one endpoint, so non-cluster-aware clients work unchanged.
      clusteringPolicy: "EnterpriseCluster",
      evictionPolicy: "AllKeysLRU",
      accessKeysAuthentication: "Disabled",
    },
    opts,
  );

  return { cluster, database, hostName: cluster.hostName };
}
