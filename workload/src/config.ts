import { InputError } from "../../environments/errors.js";
import { COSMOS_CONTAINERS } from "../../global/cosmos-containers.js";
import { APP_SETTING, LOCAL_SETTING } from "../../stamp/app-settings.js";
import { loadHealthConfig, type HealthConfig } from "../../stamp/health/config.js";

/**
 * The shop API's configuration: exactly the app settings the stamp writes (stamp/stamp.ts, names in
 * stamp/app-settings.ts), plus the health service's own (stamp/health/config.ts reads those). Every
 * problem is reported at once, in one line, before anything connects.
 */
export interface ShopConfig {
  /** Where to listen: App Service forwards the site's traffic to WEBSITES_PORT (the stamp sets 8080). */
  host: string;
  port: number;
  release: string;
  region: string;
  cosmos: { endpoint: string; database: string; catalogContainer: string };
  orders: { fullyQualifiedNamespace: string; queue: string };
  redis: { host: string; port: number; tls: boolean; password?: string };
  /** Seconds a catalogue entry stays in the cache. */
  cacheTtlSeconds: number;
  health: HealthConfig;
}

/** The catalogue's container (global/cosmos-containers.ts), partitioned by /productId. */
export const CATALOG_CONTAINER = COSMOS_CONTAINERS.find((c) => c.name === "catalog")!;

export function loadShopConfig(env: Record<string, string | undefined>, defaultInstance = "local"): ShopConfig {
  const problems: string[] = [];
  const text = (name: string) => env[name]?.trim() || undefined;
  const required = (name: string, why: string): string => {
    const v = text(name);
    if (v === undefined) problems.push(`${name} is not set (${why})`);
    return v ?? "";
  };
  const port = (name: string, value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n > 65535) problems.push(`${name} must be a TCP port number (got "${value}")`);
    return n;
  };

  let health: HealthConfig | undefined;
  try {
    health = loadHealthConfig(env, defaultInstance);
  } catch (err) {
    problems.push((err as Error).message);
  }
  // App Service sends the site's traffic to WEBSITES_PORT when set (it also sets PORT for the
  // container, not always to the same value): WEBSITES_PORT wins, then PORT, then the stamp's 8080.
  const portName = text(APP_SETTING.containerPort) !== undefined ? APP_SETTING.containerPort : "PORT";
  const listenPort = port(portName, text(portName) ?? "8080");
  const redisPort = required(APP_SETTING.redisPort, "the catalogue cache");
  const redisTls = (text(LOCAL_SETTING.redisTls) ?? "true").toLowerCase();
  if (redisTls !== "true" && redisTls !== "false") problems.push(`${LOCAL_SETTING.redisTls} must be true or false`);
  const password = text(LOCAL_SETTING.redisPassword);

  const config = {
    host: text("HOST") ?? "0.0.0.0",
    port: listenPort,
    release: text(APP_SETTING.release) ?? "",
    region: text(APP_SETTING.region) ?? "",
    cosmos: {
      endpoint: required(APP_SETTING.cosmosEndpoint, "the catalogue"),
      database: required(APP_SETTING.cosmosDatabase, "the catalogue"),
      catalogContainer: CATALOG_CONTAINER.name,
    },
    orders: {
      fullyQualifiedNamespace: required(APP_SETTING.serviceBusFqdn, "the orders queue"),
      queue: required(APP_SETTING.ordersQueue, "the orders queue"),
    },
    redis: {
      host: required(APP_SETTING.redisHost, "the catalogue cache"),
      port: redisPort ? port(APP_SETTING.redisPort, redisPort) : 0,
      tls: redisTls !== "false",
      ...(password !== undefined ? { password } : {}),
    },
    cacheTtlSeconds: 60,
  };
  if (problems.length > 0 || !health) throw new InputError(`shop API configuration: ${problems.join("; ")}`);
  return { ...config, health };
}
