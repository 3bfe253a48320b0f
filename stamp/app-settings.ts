/**
 * The environment variables a stamp's web app receives: the contract between the infrastructure
 * and the API container (and the health service, which reads the same names). Dependencies are
 * given as endpoints only; the app authenticates with its managed identity (`AZURE_CLIENT_ID`
 * selects it for DefaultAzureCredential), so no connection string or key is ever an app setting.
 */
export const APP_SETTING = {
  env: "CONTOSO_ENV",
  region: "CONTOSO_REGION",
  release: "CONTOSO_RELEASE",
  stamp: "CONTOSO_STAMP",
  azureClientId: "AZURE_CLIENT_ID",
  cosmosEndpoint: "COSMOS_ENDPOINT",
  cosmosDatabase: "COSMOS_DATABASE",
  serviceBusFqdn: "SERVICEBUS_FQDN",
  ordersQueue: "SERVICEBUS_ORDERS_QUEUE",
  healthQueue: "SERVICEBUS_HEALTH_QUEUE",
  redisHost: "REDIS_HOST",
  redisPort: "REDIS_PORT",
  keyVaultUri: "KEYVAULT_URI",
  appInsights: "APPLICATIONINSIGHTS_CONNECTION_STRING",
  /** Port the container listens on (App Service forwards 443 to it). */
  containerPort: "WEBSITES_PORT",
} as const;

/** The API container's listening port. */
export const CONTAINER_PORT = 8080;

/** Suffix of the setting that carries a secret's Key Vault URI, for the app's background refresh. */
export const SECRET_URI_SUFFIX = "_SECRET_URI";
