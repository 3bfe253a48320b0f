import type { Container } from "@azure/cosmos";

/**
 * The catalogue: products read from Cosmos DB by point read (the container is partitioned by
 * /productId, so a product page costs one single-partition read), cached in Redis. The cache is
 * an optimisation, never a dependency of correctness: a Redis failure falls through to Cosmos DB
 * (the health service reports the cache as a component of its own).
 */
export interface Product {
  productId: string;
  name: string;
  /** Price in the smallest currency unit (cents), so totals are exact. */
  priceCents: number;
  currency: string;
}

/** The two Redis commands the cache uses, as the `redis` client exposes them. */
export interface CacheClient {
  get(key: string): Promise<string | null | unknown>;
  set(key: string, value: string, options: { expiration: { type: "EX"; value: number } }): Promise<unknown>;
}

export interface CatalogOptions {
  container: Pick<Container, "item">;
  cache: CacheClient;
  ttlSeconds: number;
  /** Cache key prefix: the release, so a new release never reads an old release's document shape. */
  keyPrefix: string;
}

export type CatalogRead = { product: Product; source: "cache" | "cosmos" } | undefined;

const PRODUCT_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export function isProductId(id: string): boolean {
  return PRODUCT_ID.test(id);
}

export class Catalog {
  constructor(private readonly options: CatalogOptions) {}

  async get(productId: string): Promise<CatalogRead> {
    const key = `${this.options.keyPrefix}:product:${productId}`;
    const cached = await this.options.cache.get(key).catch(() => null);
    if (typeof cached === "string") return { product: JSON.parse(cached) as Product, source: "cache" };
    const { resource, statusCode } = await this.options.container.item(productId, productId).read<Product & { id: string }>();
    if (statusCode === 404 || !resource) return undefined;
    const product: Product = { productId: resource.productId ?? resource.id, name: resource.name, priceCents: resource.priceCents, currency: resource.currency };
    await this.options.cache.set(key, JSON.stringify(product), { expiration: { type: "EX", value: this.options.ttlSeconds } }).catch(() => undefined);
    return { product, source: "cosmos" };
  }
}
