import { expect } from "chai";
import { isInputError } from "../../../environments/errors.js";
import { loadHealthConfig } from "../../../stamp/health/config.js";

const ALL = {
  CONTOSO_RELEASE: "r42",
  CONTOSO_REGION: "westeurope",
  COSMOS_ENDPOINT: "https://cosmos-shoes-prod.documents.azure.com:443/",
  COSMOS_DATABASE: "shop",
  COSMOS_HEALTH_CONTAINER: "health",
  SERVICEBUS_NAMESPACE: "sb-shoes-prod-weu-r42.servicebus.windows.net",
  SERVICEBUS_QUEUE: "orders",
  KEYVAULT_URI: "https://kv-shoes-prod-weu-r42.vault.azure.net",
  KEYVAULT_SECRET_NAME: "db-password",
  REDIS_URL: "rediss://redis-shoes-prod-weu-r42.westeurope.redis.azure.net:10000",
  KILL_SWITCH_BLOB_URL: "https://stshoesprodweu.blob.core.windows.net/health/stamp",
};

function problems(env: Record<string, string>): string {
  try {
    loadHealthConfig(env);
  } catch (err) {
    if (isInputError(err)) return err.message;
    throw err;
  }
  throw new Error("expected an InputError");
}

describe("stamp health: configuration from environment variables", function () {
  it("reads a full configuration with defaults for timing", function () {
    const config = loadHealthConfig({ ...ALL, HEALTH_INTERVAL: "5s", WEBSITE_INSTANCE_ID: "0123456789abcdef0123" });
    expect(config).to.deep.include({ release: "r42", region: "westeurope", intervalMs: 5_000, checkTimeoutMs: 3_000, roundDeadlineMs: 5_000, port: 8080, serveWhenDegraded: true, instance: "0123456789abcdef" });
    expect(config.keyVault).to.deep.equal({ uri: ALL.KEYVAULT_URI, secretName: "db-password", refreshIntervalMs: 300_000, validityMs: 3_600_000 });
    expect(config.cosmos?.partitionKeyPath).to.equal("/id");
    expect(config.killSwitch).to.deep.equal({ blobUrl: ALL.KILL_SWITCH_BLOB_URL });
  });

  it("leaves disabled checks out and needs nothing for them", function () {
    const config = loadHealthConfig({ CONTOSO_RELEASE: "r1", CONTOSO_REGION: "northeurope", HEALTH_DISABLED_CHECKS: "cosmos, servicebus,keyvault,redis,killswitch" });
    expect(config.cosmos ?? config.serviceBus ?? config.keyVault ?? config.redis ?? config.killSwitch).to.equal(undefined);
  });

  it("reports every problem in one line: missing settings, bad durations, unknown checks", function () {
    const message = problems({ CONTOSO_REGION: "westeurope", HEALTH_INTERVAL: "soon", HEALTH_DISABLED_CHECKS: "cosmos,servicebus,keyvault,killswitch,frontdoor" });
    expect(message).to.not.include("\n");
    expect(message).to.include("CONTOSO_RELEASE is not set");
    expect(message).to.include(`HEALTH_INTERVAL must be a duration such as 30s`);
    expect(message).to.include(`HEALTH_DISABLED_CHECKS names unknown check "frontdoor"`);
    expect(message).to.include("REDIS_URL is not set (needed by the redis check; or add redis to HEALTH_DISABLED_CHECKS)");
  });

  it("refuses a per-check timeout longer than the interval", function () {
    expect(problems({ ...ALL, HEALTH_INTERVAL: "2s", HEALTH_CHECK_TIMEOUT: "5s" })).to.include("HEALTH_CHECK_TIMEOUT must not exceed HEALTH_INTERVAL");
  });
});
