import { tryParseDuration } from "../../environments/duration.js";
import { InputError } from "../../environments/errors.js";
import { HEALTH_CONTAINER } from "../../global/cosmos-containers.js";
import { APP_SETTING, HEALTH_TUNING_SETTING, LOCAL_SETTING } from "../app-settings.js";
import { COMPONENTS, type ComponentName } from "./types.js";

/**
 * Configuration of the runnable health service (`main.ts`), read from the very environment
 * variables the stamp's web app is given (`stamp/app-settings.ts` spells every name; nothing here
 * invents one). Every problem is reported at once, before anything connects to Azure.
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
  /** `fullyQualifiedNamespace` is `<namespace>.servicebus.windows.net`, as the SDK takes it with a token credential. */
  serviceBus?: { fullyQualifiedNamespace: string; queue: string };
  keyVault?: { uri: string; secretName: string; refreshIntervalMs: number; validityMs: number };
  /**
   * Azure Managed Redis: Entra ID (a token of the managed identity) unless a password is given,
   * which only a local redis-server uses; TLS unless switched off, likewise only locally.
   */
  redis?: { host: string; port: number; tls: boolean; password?: string };
  killSwitch?: { drainUrl: string } | { connectionString: string; container: string };
}

/** Every variable the service reads, for documentation and error messages. */
export const HEALTH_ENV = {
  release: APP_SETTING.release,
  region: APP_SETTING.region,
  cosmosEndpoint: APP_SETTING.cosmosEndpoint,
  cosmosDatabase: APP_SETTING.cosmosDatabase,
  cosmosContainer: APP_SETTING.cosmosHealthContainer,
  serviceBusFqdn: APP_SETTING.serviceBusFqdn,
  serviceBusQueue: APP_SETTING.healthQueue,
  keyVaultUri: APP_SETTING.keyVaultUri,
  keyVaultSecret: APP_SETTING.keyVaultHealthSecret,
  redisHost: APP_SETTING.redisHost,
  redisPort: APP_SETTING.redisPort,
  killSwitchDrainUrl: APP_SETTING.killSwitchDrainUrl,
  ...HEALTH_TUNING_SETTING,
  ...LOCAL_SETTING,
} as const;

/** App Service's own variable with the port to listen on, when HEALTH_PORT is not given. */
const PLATFORM_PORT = "PORT";

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
  const portNumber = (name: string, value: string): number => {
    const port = Number(value);
    if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push(`${name} must be a TCP port number (got "${value}")`);
    return port;
  };
  const flag = (name: string, fallback: boolean): boolean => {
    const v = (text(name) ?? String(fallback)).toLowerCase();
    if (v !== "true" && v !== "false") problems.push(`${name} must be true or false`);
    return v === "true" || (v !== "false" && fallback);
  };

  const disabled = new Set<string>();
  for (const name of (text(HEALTH_ENV.disabledChecks) ?? "").split(",").map((s) => s.trim().toLowerCase()).filter(Boolean)) {
    if (!(COMPONENTS as readonly string[]).includes(name)) {
      problems.push(`${HEALTH_ENV.disabledChecks} names unknown check "${name}" (known: ${COMPONENTS.join(", ")})`);
    }
    disabled.add(name);
  }
  const enabled = (c: ComponentName) => !disabled.has(c);
  const needed = (c: ComponentName) => `needed by the ${c} check; or add ${c} to ${HEALTH_ENV.disabledChecks}`;

  const port = portNumber(HEALTH_ENV.port, text(HEALTH_ENV.port) ?? text(PLATFORM_PORT) ?? "8080");
  const intervalMs = duration(HEALTH_ENV.interval, 10_000);
  const checkTimeoutMs = duration(HEALTH_ENV.checkTimeout, 3_000);
  const roundDeadlineMs = duration(HEALTH_ENV.roundDeadline, intervalMs);
  if (checkTimeoutMs > intervalMs) problems.push(`${HEALTH_ENV.checkTimeout} must not exceed ${HEALTH_ENV.interval}`);

  const config: HealthConfig = {
    release: required(HEALTH_ENV.release, "the release this stamp runs, e.g. r42"),
    region: required(HEALTH_ENV.region, "the Azure region of this stamp, e.g. westeurope"),
    instance: text(HEALTH_ENV.instanceId)?.slice(0, 16) ?? defaultInstance,
    host: text(HEALTH_ENV.host) ?? "0.0.0.0",
    port,
    intervalMs,
    checkTimeoutMs,
    roundDeadlineMs,
    serveWhenDegraded: flag(HEALTH_ENV.serveWhenDegraded, true),
  };
  if (enabled("cosmos")) {
    config.cosmos = {
      endpoint: required(HEALTH_ENV.cosmosEndpoint, needed("cosmos")),
      database: required(HEALTH_ENV.cosmosDatabase, needed("cosmos")),
      container: required(HEALTH_ENV.cosmosContainer, needed("cosmos")),
      // The health container's own key (global/cosmos-containers.ts); overridable for a local emulator.
      partitionKeyPath: text(HEALTH_ENV.cosmosPartitionKeyPath) ?? HEALTH_CONTAINER.partitionKey,
    };
  }
  if (enabled("servicebus")) {
    config.serviceBus = {
      fullyQualifiedNamespace: required(HEALTH_ENV.serviceBusFqdn, needed("servicebus")),
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
  if (enabled("redis")) {
    const host = required(HEALTH_ENV.redisHost, needed("redis"));
    const portText = required(HEALTH_ENV.redisPort, needed("redis"));
    const password = text(HEALTH_ENV.redisPassword);
    config.redis = {
      host,
      port: portText ? portNumber(HEALTH_ENV.redisPort, portText) : 0,
      tls: flag(HEALTH_ENV.redisTls, true),
      ...(password !== undefined ? { password } : {}),
    };
  }
  if (enabled("killswitch")) {
    const drainUrl = text(HEALTH_ENV.killSwitchDrainUrl);
    const connectionString = text(HEALTH_ENV.killSwitchConnectionString);
    if (drainUrl) config.killSwitch = { drainUrl };
    else if (connectionString) {
      config.killSwitch = { connectionString, container: required(HEALTH_ENV.killSwitchContainer, "the kill switch drain marker's container") };
    } else {
      problems.push(`${HEALTH_ENV.killSwitchDrainUrl} is not set (${needed("killswitch")})`);
    }
  }
  if (problems.length > 0) throw new InputError(`health service configuration: ${problems.join("; ")}`);
  return config;
}
