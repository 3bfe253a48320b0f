import { CosmosClient } from "@azure/cosmos";
import { DefaultAzureCredential, type TokenCredential } from "@azure/identity";
import { ServiceBusClient } from "@azure/service-bus";
import { createClient } from "redis";
import { createAzureChecks } from "../../stamp/health/azure-checks.js";
import { redisEntraCredentials } from "../../stamp/health/redis-entra-credentials.js";
import type { ShopConfig } from "./config.js";
import type { ShopDependencies } from "./server.js";

/**
 * The shop's clients against the stamp's Azure services, authenticated with the stamp's managed
 * identity (DefaultAzureCredential; AZURE_CLIENT_ID selects the user-assigned one). No key or
 * connection string is read: the stamp writes none (stamp/app-settings.ts).
 */
export async function createAzureDependencies(config: ShopConfig, credential: TokenCredential = new DefaultAzureCredential()): Promise<ShopDependencies & { close(): Promise<void> }> {
  const cosmos = new CosmosClient({ endpoint: config.cosmos.endpoint, aadCredentials: credential });
  const catalog = cosmos.database(config.cosmos.database).container(config.cosmos.catalogContainer);
  const bus = new ServiceBusClient(config.orders.fullyQualifiedNamespace, credential);
  const orders = bus.createSender(config.orders.queue);
  const { host, port, tls, password } = config.redis;
  const redis = createClient({
    // A lost connection fails a command at once (the catalogue falls back to Cosmos DB) instead of queueing.
    disableOfflineQueue: true,
    ...(password !== undefined ? { password } : { credentialsProvider: redisEntraCredentials(credential) }),
    socket: { host, port, ...(tls ? { tls: true as const, servername: host } : {}), reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 5_000) },
  });
  redis.on("error", () => undefined);
  redis.connect().catch(() => undefined);
  const health = await createAzureChecks(config.health, credential);
  return {
    catalog,
    orders,
    cache: redis,
    checks: health.checks,
    close: async () => {
      await Promise.allSettled([orders.close().then(() => bus.close()), redis.destroy(), health.close()]);
      cosmos.dispose();
    },
  };
}
