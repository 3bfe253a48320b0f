import { expect } from "chai";
import { InputError } from "../../environments/errors.js";
import { APP_SETTING } from "../../stamp/app-settings.js";
import { CATALOG_CONTAINER, loadShopConfig } from "../../workload/src/config.js";

/** The shop API reads exactly the app settings the stamp writes (stamp/app-settings.ts), and nothing it does not write. */
const STAMP_SETTINGS = {
  [APP_SETTING.containerPort]: "8080",
  [APP_SETTING.release]: "r9",
  [APP_SETTING.region]: "westeurope",
  [APP_SETTING.cosmosEndpoint]: "https://cosmos-shoes-prod.documents.azure.com:443/",
  [APP_SETTING.cosmosDatabase]: "shoes",
  [APP_SETTING.cosmosHealthContainer]: "health",
  [APP_SETTING.serviceBusFqdn]: "sb-shoes-prod-weu-r9.servicebus.windows.net",
  [APP_SETTING.ordersQueue]: "orders",
  [APP_SETTING.healthQueue]: "health",
  [APP_SETTING.redisHost]: "redis-shoes-prod-weu-r9.westeurope.redis.azure.net",
  [APP_SETTING.redisPort]: "10000",
  [APP_SETTING.keyVaultUri]: "https://kv-shoes-prod-weu-r9.vault.azure.net/",
  [APP_SETTING.keyVaultHealthSecret]: "payments-api-key",
  [APP_SETTING.killSwitchDrainUrl]: "https://stshoeskill.blob.core.windows.net/killswitch/drain-prod-weu-r9",
};

describe("workload: configuration from the stamp's app settings", () => {
  it("needs nothing but what the stamp writes: endpoints, TLS and Entra ID for Redis, the catalogue container from the data model", () => {
    const config = loadShopConfig(STAMP_SETTINGS);
    expect(config).to.deep.include({ host: "0.0.0.0", port: 8080, release: "r9", region: "westeurope", cacheTtlSeconds: 60 });
    expect(config.cosmos).to.deep.equal({ endpoint: STAMP_SETTINGS.COSMOS_ENDPOINT, database: "shoes", catalogContainer: "catalog" });
    expect(CATALOG_CONTAINER.partitionKey).to.equal("/productId");
    expect(config.orders).to.deep.equal({ fullyQualifiedNamespace: "sb-shoes-prod-weu-r9.servicebus.windows.net", queue: "orders" });
    expect(config.redis).to.deep.equal({ host: "redis-shoes-prod-weu-r9.westeurope.redis.azure.net", port: 10000, tls: true });
    expect(config.health.keyVault?.secretName).to.equal("payments-api-key");
  });

  it("listens on WEBSITES_PORT (where App Service sends the traffic), else PORT, else 8080", () => {
    expect(loadShopConfig({ ...STAMP_SETTINGS, WEBSITES_PORT: "3000", PORT: "80" }).port).to.equal(3000);
    const { WEBSITES_PORT: _, ...withoutWebsitesPort } = STAMP_SETTINGS;
    expect(loadShopConfig({ ...withoutWebsitesPort, PORT: "8181" }).port).to.equal(8181);
    expect(loadShopConfig(withoutWebsitesPort).port).to.equal(8080);
  });

  it("reports every problem at once in one InputError line", () => {
    const { SERVICEBUS_ORDERS_QUEUE: _q, REDIS_HOST: _h, ...missing } = STAMP_SETTINGS;
    let err: unknown;
    try {
      loadShopConfig({ ...missing, WEBSITES_PORT: "http" });
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(InputError);
    const message = (err as Error).message;
    expect(message.split("\n")).to.have.length(1);
    expect(message).to.match(/^shop API configuration: /);
    for (const part of ["WEBSITES_PORT must be a TCP port number", "SERVICEBUS_ORDERS_QUEUE is not set", "REDIS_HOST is not set"]) expect(message).to.contain(part);
  });
});
