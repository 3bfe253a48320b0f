import { expect } from "chai";
import { isInputError } from "../../../environments/errors.js";
import { loadHealthConfig } from "../../../stamp/health/config.js";

const ALL = {
  CONTOSO_RELEASE: "r42",
  CONTOSO_REGION: "westeurope",
  COSMOS_ENDPOINT: "https://cosmos-shoes-prod.documents.azure.com:443/",
  COSMOS_DATABASE: "shoes",
  COSMOS_HEALTH_CONTAINER: "health",
  SERVICEBUS_FQDN: "sbns-shoes-prod-weu-r42.servicebus.windows.net",
  SERVICEBUS_HEALTH_QUEUE: "health",
  KEYVAULT_URI: "https://kv-shoes-prod-weu-r42.vault.azure.net",
  KEYVAULT_HEALTH_SECRET_NAME: "payment-api-key",
  REDIS_HOST: "amr-shoes-prod-weu-r42.westeurope.redis.azure.net",
  REDIS_PORT: "10000",
  KILL_SWITCH_DRAIN_URL: "https://stshoesprodks.blob.core.windows.net/drain-prod-weu-r42",
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
    expect(config.keyVault).to.deep.equal({ uri: ALL.KEYVAULT_URI, secretName: "payment-api-key", refreshIntervalMs: 300_000, validityMs: 3_600_000 });
    expect(config.cosmos?.partitionKeyPath).to.equal("/id");
    expect(config.killSwitch).to.deep.equal({ drainUrl: ALL.KILL_SWITCH_DRAIN_URL });
    expect(config.serviceBus).to.deep.equal({ fullyQualifiedNamespace: ALL.SERVICEBUS_FQDN, queue: "health" });
  });

  it("reaches Azure Managed Redis by host and TLS port with Entra ID: no password unless one is given for a local server", function () {
    expect(loadHealthConfig(ALL).redis).to.deep.equal({ host: ALL.REDIS_HOST, port: 10000, tls: true });
    expect(loadHealthConfig({ ...ALL, REDIS_HOST: "127.0.0.1", REDIS_PORT: "6379", REDIS_TLS: "false", REDIS_PASSWORD: "local" }).redis).to.deep.equal({
      host: "127.0.0.1",
      port: 6379,
      tls: false,
      password: "local",
    });
    expect(problems({ ...ALL, REDIS_PORT: "ten thousand", REDIS_TLS: "maybe" })).to.include(`REDIS_PORT must be a TCP port number (got "ten thousand")`).and.include("REDIS_TLS must be true or false");
  });

  it("finds the kill switch's drain marker in a local emulator by connection string when no drain URL is given", function () {
    const { KILL_SWITCH_DRAIN_URL: _url, ...rest } = ALL;
    const config = loadHealthConfig({ ...rest, KILL_SWITCH_STORAGE_CONNECTION_STRING: "UseDevelopmentStorage=true", KILL_SWITCH_CONTAINER: "drain-dev-weu-r1" });
    expect(config.killSwitch).to.deep.equal({ connectionString: "UseDevelopmentStorage=true", container: "drain-dev-weu-r1" });
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
    expect(message).to.include("REDIS_HOST is not set (needed by the redis check; or add redis to HEALTH_DISABLED_CHECKS)");
    expect(message).to.include("REDIS_PORT is not set (needed by the redis check; or add redis to HEALTH_DISABLED_CHECKS)");
  });

  it("refuses a per-check timeout longer than the interval", function () {
    expect(problems({ ...ALL, HEALTH_INTERVAL: "2s", HEALTH_CHECK_TIMEOUT: "5s" })).to.include("HEALTH_CHECK_TIMEOUT must not exceed HEALTH_INTERVAL");
  });
});
