/**
 * The shop's data model in Cosmos DB: one database, one container per aggregate, each partitioned
 * so that the common request is a single-partition operation and writes spread over many keys.
 * Stamps import these names rather than repeating them.
 */

export const COSMOS_DATABASE = "shoes";

export interface ContainerDefinition {
  name: string;
  partitionKey: string;
  /** Seconds until an untouched item expires; absent: items live until deleted. */
  defaultTtlSeconds?: number;
  why: string;
}

/**
 * The stamps' health service writes one short-lived document per instance (`health-<region>-
 * <release>-<instance>`, upserted every check interval with its own `ttl` of minutes). The
 * container's `defaultTtl` turns per-document expiry on and removes the documents of instances
 * that vanished without a last write having expired yet; an hour is ample for either.
 */
export const HEALTH_CONTAINER: ContainerDefinition = {
  name: "health",
  partitionKey: "/id",
  defaultTtlSeconds: 60 * 60,
  why: "each health document is read and written by its id alone, and a partition per document spreads the probes' writes",
};

export const COSMOS_CONTAINERS: readonly ContainerDefinition[] = [
  {
    name: "catalog",
    partitionKey: "/productId",
    why: "product pages are point reads by product id; a partition per product keeps hot categories from becoming hot partitions",
  },
  {
    name: "orders",
    partitionKey: "/customerId",
    why: "a customer's order history is one partition; order writes spread across customers",
  },
  {
    name: "carts",
    partitionKey: "/cartId",
    // Abandoned carts expire on their own instead of being swept by a job.
    defaultTtlSeconds: 30 * 24 * 60 * 60,
    why: "carts (anonymous ones too) are read and written whole by cart id",
  },
  HEALTH_CONTAINER,
];

/**
 * Autoscale ceiling of the shared database throughput on provisioned (non-serverless) accounts:
 * Cosmos scales between a tenth of it and it, per region.
 */
export const DATABASE_AUTOSCALE_MAX_THROUGHPUT = 4000;
