import { tryParseDuration } from "../../environments/duration.js";
import { InputError } from "../../environments/errors.js";
import { COMPONENTS, type ComponentName } from "./types.js";

/**
 * Configuration of the runnable health service (`main.ts`), read from environment variables so
 * the stamp's web app settings configure it. Every problem is reported at once, before anything
 * connects to Azure.
 */
export interface HealthConfig {
  release: string;
  region: string;
  /** Identifies this instance in health documents and keys (App Service's WEBSITE_INSTANCE_ID, else the host name). */
  instance: string;
  host: string;
  port: number;
  intervalMs: number;
  checkTimeoutMs: number;
  roundDeadlineMs: number;
  serveWhenDegraded: boolean;
  cosmos?: { endpoint: string; database: string; container: string; partitionKeyPath: string };
  serviceBus?: { namespace: string; queue: string };
  keyVault?: { uri: string; secretName: string; refreshIntervalMs: number; validityMs: number };
  redis?: { url: string };
  killSwitch?: { blobUrl: string } | { connectionString: string; container: string; blob: string };
}

/** The variables, for documentation and error messages. */
export const HEALTH_ENV = {
  release: "CONTOSO_RELEASE",
  region: "CONTOSO_REGION",
  port: "HEALTH_PORT",
  host: "HEALTH_HOST",
  interval: "HEALTH_INTERVAL",
  checkTimeout: "HEALTH_CHECK_TIMEOUT",
  roundDeadline: "HEALTH_ROUND_DEADLINE",
  disabled: "HEALTH_DISABLED_CHECKS",
  serveWhenDegraded: "HEALTH_SERVE_WHEN_DEGRADED",
  cosmosEndpoint: "COSMOS_ENDPOINT",
  cosmosDatabase: "COSMOS_DATABASE",
  cosmosContainer: "COSMOS_HEALTH_CONTAINER",
  cosmosPartitionKeyPath: "COSMOS_HEALTH_PARTITION_KEY_PATH",
  serviceBusNamespace: "SERVICEBUS_NAMESPACE",
  serviceBusQueue: "SERVICEBUS_QUEUE",
  keyVaultUri: "KEYVAULT_URI",
  keyVaultSecret: "KEYVAULT_SECRET_NAME",
  keyVaultRefresh: "KEYVAULT_REFRESH_INTERVAL",
  keyVaultValidity: "KEYVAULT_CACHE_VALIDITY",
  redisUrl: "REDIS_URL",
  killSwitchBlobUrl: "KILL_SWITCH_BLOB_URL",
  storageConnectionString: "KILL_SWITCH_STORAGE_CONNECTION_STRING",
  killSwitchContainer: "KILL_SWITCH_CONTAINER",
  killSwitchBlob: "KILL_SWITCH_BLOB",
} as const;

export function loadHealthConfig(env: Record<string, string | undefined>, defaultInstance = "local"): HealthConfig {
  const problems: string[] = [];
  const text = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v ? v : undefined;
  };
  const required = (name: string, why: string): string => {
    const v = text(name);
    if (v === undefined) problems.push(`${name} is not set (${why})`);
    return v ?? "";
  };
  const duration = (name: string, fallback: number): number => {
    const v = text(name);
    if (v === undefined) return fallback;
    const parsed = tryParseDuration(v);
    if ("error" in parsed) {
      problems.push(`${name} ${parsed.error}`);
      return fallback;
    }
    if (parsed.ms <= 0) problems.push(`${name} must be greater than zero`);
    return parsed.ms;
  };

  const disabled = new Set<string>();
  for (const name of (text(HEALTH_ENV.disabled) ?? "").split(",").map((s) => s.trim().toLowerCase()).filter(Boolean)) {
    if (!(COMPONENTS as readonly string[]).includes(name)) {
      problems.push(`${HEALTH_ENV.disabled} names unknown check "${name}" (known: ${COMPONENTS.join(", ")})`);
    }
    disabled.add(name);
  }
  const enabled = (c: ComponentName) => !disabled.has(c);
  const needed = (c: ComponentName) => `needed by the ${c} check; or add ${c} to ${HEALTH_ENV.disabled}`;

  const portText = text(HEALTH_ENV.port) ?? text("PORT") ?? "8080";
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push(`${HEALTH_ENV.port} must be a TCP port number (got "${portText}")`);

  const intervalMs = duration(HEALTH_ENV.interval, 10_000);
  const checkTimeoutMs = duration(HEALTH_ENV.checkTimeout, 3_000);
  const roundDeadlineMs = duration(HEALTH_ENV.roundDeadline, intervalMs);
  if (checkTimeoutMs > intervalMs) problems.push(`${HEALTH_ENV.checkTimeout} must not exceed ${HEALTH_ENV.interval}`);

  const degradedText = (text(HEALTH_ENV.serveWhenDegraded) ?? "true").toLowerCase();
  if (degradedText !== "true" && degradedText !== "false") problems.push(`${HEALTH_ENV.serveWhenDegraded} must be true or false`);

  const config: HealthConfig = {
    release: required(HEALTH_ENV.release, "the release this stamp runs, e.g. r42"),
    region: required(HEALTH_ENV.region, "the Azure region of this stamp, e.g. westeurope"),
    instance: text("WEBSITE_INSTANCE_ID")?.slice(0, 16) ?? defaultInstance,
    host: text(HEALTH_ENV.host) ?? "0.0.0.0",
    port,
    intervalMs,
    checkTimeoutMs,
    roundDeadlineMs,
    serveWhenDegraded: degradedText !== "false",
  };
  if (enabled("cosmos")) {
    config.cosmos = {
      endpoint: required(HEALTH_ENV.cosmosEndpoint, needed("cosmos")),
      database: required(HEALTH_ENV.cosmosDatabase, needed("cosmos")),
      container: required(HEALTH_ENV.cosmosContainer, needed("cosmos")),
      partitionKeyPath: text(HEALTH_ENV.cosmosPartitionKeyPath) ?? "/id",
    };
  }
  if (enabled("servicebus")) {
    config.serviceBus = {
      namespace: required(HEALTH_ENV.serviceBusNamespace, needed("servicebus")),
      queue: required(HEALTH_ENV.serviceBusQueue, needed("servicebus")),
    };
  }
  if (enabled("keyvault")) {
    config.keyVault = {
      uri: required(HEALTH_ENV.keyVaultUri, needed("keyvault")),
      secretName: required(HEALTH_ENV.keyVaultSecret, needed("keyvault")),
      refreshIntervalMs: duration(HEALTH_ENV.keyVaultRefresh, 300_000),
      validityMs: duration(HEALTH_ENV.keyVaultValidity, 3_600_000),
    };
  }
  if (enabled("redis")) config.redis = { url: required(HEALTH_ENV.redisUrl, needed("redis")) };
  if (enabled("killswitch")) {
    const blobUrl = text(HEALTH_ENV.killSwitchBlobUrl);
    const connectionString = text(HEALTH_ENV.storageConnectionString);
    if (blobUrl) config.killSwitch = { blobUrl };
    else if (connectionString) {
      config.killSwitch = {
        connectionString,
        container: required(HEALTH_ENV.killSwitchContainer, "the kill switch blob's container"),
        blob: required(HEALTH_ENV.killSwitchBlob, "the kill switch blob's name"),
      };
    } else {
      problems.push(`${HEALTH_ENV.killSwitchBlobUrl} is not set (${needed("killswitch")})`);
    }
  }
  if (problems.length > 0) throw new InputError(`health service configuration: ${problems.join("; ")}`);
  return config;
}
