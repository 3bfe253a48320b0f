import { CosmosClient } from "@azure/cosmos";
import { DefaultAzureCredential, type TokenCredential } from "@azure/identity";
import { SecretClient } from "@azure/keyvault-secrets";
import { ServiceBusClient } from "@azure/service-bus";
import { BlobServiceClient, ContainerClient } from "@azure/storage-blob";
import { createClient } from "redis";
import { cosmosCheck } from "./checks/cosmos.js";
import { keyVaultCheck } from "./checks/key-vault.js";
import { killSwitchCheck } from "./checks/kill-switch.js";
import { redisCheck } from "./checks/redis.js";
import { SecretCache, keyVaultSecretFetcher } from "./checks/secret-cache.js";
import { serviceBusCheck } from "./checks/service-bus.js";
import { redisEntraCredentials } from "./redis-entra-credentials.js";
import type { HealthConfig } from "./config.js";
import type { HealthCheck } from "./types.js";

export interface AzureChecks {
  checks: HealthCheck[];
  /** The Key Vault secret cache, for the application to read its secret from (undefined when disabled). */
  secretCache: SecretCache | undefined;
  /** Closes every client the checks opened. */
  close(): Promise<void>;
}

/**
 * Builds the enabled checks against real Azure services, authenticating with the stamp's managed
 * identity (DefaultAzureCredential; AZURE_CLIENT_ID selects a user-assigned identity).
 */
export async function createAzureChecks(config: HealthConfig, credential: TokenCredential = new DefaultAzureCredential()): Promise<AzureChecks> {
  const checks: HealthCheck[] = [];
  const closers: (() => Promise<unknown> | void)[] = [];
  const stampId = `${config.region}-${config.release}-${config.instance}`;
  let secretCache: SecretCache | undefined;

  if (config.cosmos) {
    const client = new CosmosClient({
      endpoint: config.cosmos.endpoint,
      aadCredentials: credential,
      // A health check reports throttling rather than hiding it behind a long retry loop.
      connectionPolicy: { requestTimeout: config.checkTimeoutMs, retryOptions: { maxRetryAttemptCount: 1, fixedRetryIntervalInMilliseconds: 100, maxWaitTimeInSeconds: 1 } },
    });
    closers.push(() => client.dispose());
    const container = client.database(config.cosmos.database).container(config.cosmos.container);
    checks.push(cosmosCheck({ container, documentId: `health-${stampId}`, partitionKeyPath: config.cosmos.partitionKeyPath }));
  }
  if (config.serviceBus) {
    const client = new ServiceBusClient(config.serviceBus.fullyQualifiedNamespace, credential);
    const sender = client.createSender(config.serviceBus.queue);
    closers.push(async () => {
      await sender.close();
      await client.close();
    });
    checks.push(serviceBusCheck({ sender, source: stampId }));
  }
  if (config.keyVault) {
    const client = new SecretClient(config.keyVault.uri, credential);
    secretCache = new SecretCache({
      name: config.keyVault.secretName,
      fetch: keyVaultSecretFetcher(client, config.keyVault.secretName),
      refreshIntervalMs: config.keyVault.refreshIntervalMs,
      validityMs: config.keyVault.validityMs,
    }).start();
    const cache = secretCache;
    closers.push(() => cache.stop());
    checks.push(keyVaultCheck(cache));
  }
  if (config.redis) {
    const { host, port, tls, password } = config.redis;
    const client = createClient({
      disableOfflineQueue: true,
      // Azure Managed Redis takes an Entra ID token of the managed identity (no access keys); a
      // password is only ever given for a local redis-server.
      ...(password !== undefined ? { password } : { credentialsProvider: redisEntraCredentials(credential) }),
      socket: {
        host,
        port,
        ...(tls ? { tls: true as const, servername: host } : {}),
        reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 5_000),
        connectTimeout: config.checkTimeoutMs,
      },
    });
    // Connection errors surface through the check; an unhandled 'error' event would kill the process.
    client.on("error", () => undefined);
    client.connect().catch(() => undefined);
    closers.push(() => client.destroy());
    checks.push(redisCheck({ client, key: `contoso-health:${stampId}` }));
  }
  if (config.killSwitch) {
    const marker =
      "drainUrl" in config.killSwitch
        ? new ContainerClient(config.killSwitch.drainUrl, credential)
        : BlobServiceClient.fromConnectionString(config.killSwitch.connectionString).getContainerClient(config.killSwitch.container);
    checks.push(killSwitchCheck({ marker }));
  }
  return {
    checks,
    secretCache,
    close: async () => {
      await Promise.allSettled(closers.map((close) => close()));
    },
  };
}
