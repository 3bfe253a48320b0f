/**
 * The environment variables a stamp's web app receives: the contract between the infrastructure
 * and the API container (and the health service, `stamp/health/config.ts`, which reads these very
 * constants: this file is the only place a setting's name is spelled). Dependencies are given as
 * endpoints only; the app authenticates with its managed identity (`AZURE_CLIENT_ID` selects it
 * for DefaultAzureCredential), so no connection string or key is ever an app setting.
 */
export const APP_SETTING = {
  env: "CONTOSO_ENV",
  region: "CONTOSO_REGION",
  release: "CONTOSO_RELEASE",
  stamp: "CONTOSO_STAMP",
  azureClientId: "AZURE_CLIENT_ID",
  cosmosEndpoint: "COSMOS_ENDPOINT",
  cosmosDatabase: "COSMOS_DATABASE",
  /** Container of the health service's short-lived documents (expire by the container's TTL). */
  cosmosHealthContainer: "COSMOS_HEALTH_CONTAINER",
  /** `<namespace>.servicebus.windows.net`: what the SDK connects to with a token credential. */
  serviceBusFqdn: "SERVICEBUS_FQDN",
  ordersQueue: "SERVICEBUS_ORDERS_QUEUE",
  /** The queue health probes send their marked messages to (never `orders`). */
  healthQueue: "SERVICEBUS_HEALTH_QUEUE",
  /** Azure Managed Redis host and TLS port; Entra ID authentication, so there is no key setting. */
  redisHost: "REDIS_HOST",
  redisPort: "REDIS_PORT",
  keyVaultUri: "KEYVAULT_URI",
  /** The Key Vault secret whose cached presence the health service reports (the API cannot take payments without it). */
  keyVaultHealthSecret: "KEYVAULT_HEALTH_SECRET_NAME",
  /** This stamp's kill-switch drain marker (a container URL): the stamp is out of rotation while it exists. */
  killSwitchDrainUrl: "KILL_SWITCH_DRAIN_URL",
  appInsights: "APPLICATIONINSIGHTS_CONNECTION_STRING",
  /** `Authorization=AAD;ClientId=<identity client id>`: telemetry authenticated with Entra ID (local auth is off). */
  appInsightsAuthentication: "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
  /** Port the container listens on (App Service forwards 443 to it). */
  containerPort: "WEBSITES_PORT",
} as const;

export type AppSettingName = (typeof APP_SETTING)[keyof typeof APP_SETTING];

/**
 * Optional tuning of the health service. The stamp does not set them: the defaults in
 * `stamp/health/config.ts` are the production values, and an operator can override one on a web
 * app without a new release.
 */
export const HEALTH_TUNING_SETTING = {
  host: "HEALTH_HOST",
  port: "HEALTH_PORT",
  interval: "HEALTH_INTERVAL",
  checkTimeout: "HEALTH_CHECK_TIMEOUT",
  roundDeadline: "HEALTH_ROUND_DEADLINE",
  disabledChecks: "HEALTH_DISABLED_CHECKS",
  serveWhenDegraded: "HEALTH_SERVE_WHEN_DEGRADED",
  cosmosPartitionKeyPath: "COSMOS_HEALTH_PARTITION_KEY_PATH",
  keyVaultRefresh: "KEYVAULT_REFRESH_INTERVAL",
  keyVaultValidity: "KEYVAULT_CACHE_VALIDITY",
  /** App Service's own per-instance id, used to tell instances apart in health documents and keys. */
  instanceId: "WEBSITE_INSTANCE_ID",
} as const;

/**
 * Settings for running the health service against local emulators (redis-server, Azurite), which
 * know nothing of Entra ID. A stamp never sets them: in Azure, Redis and the kill-switch blob are
 * reached with the managed identity.
 */
export const LOCAL_SETTING = {
  /** Password auth instead of an Entra ID token (a local redis-server with `requirepass`, or none). */
  redisPassword: "REDIS_PASSWORD",
  /** `false` for a local redis-server without TLS; Azure Managed Redis accepts TLS only. */
  redisTls: "REDIS_TLS",
  /** Kill switch in an emulator reached by connection string (Azurite), instead of KILL_SWITCH_DRAIN_URL. */
  killSwitchConnectionString: "KILL_SWITCH_STORAGE_CONNECTION_STRING",
  /** The drain marker's container name there. */
  killSwitchContainer: "KILL_SWITCH_CONTAINER",
} as const;

/** The API container's listening port. */
export const CONTAINER_PORT = 8080;

/** Suffix of the setting that carries a secret's Key Vault URI, for the app's background refresh. */
export const SECRET_URI_SUFFIX = "_SECRET_URI";
