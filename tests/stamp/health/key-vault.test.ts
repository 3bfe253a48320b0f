import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { SecretClient } from "@azure/keyvault-secrets";
import { expect } from "chai";
import { keyVaultCheck } from "../../../stamp/health/checks/key-vault.js";
import { SecretCache, keyVaultSecretFetcher } from "../../../stamp/health/checks/secret-cache.js";
import { startHealthServer } from "../../../stamp/health/http.js";
import { HealthService } from "../../../stamp/health/service.js";
import type { StampHealth } from "../../../stamp/health/types.js";
import { probe, probeUntil, sleep } from "./http-probe.js";
import { stubTransport, type StubResponse } from "./stub-transport.js";

const VAULT = "https://kv-shoes-prod-weu-r42.vault.azure.net";

const fakeCredential: TokenCredential = {
  async getToken(): Promise<AccessToken> {
    return { token: "test-token", expiresOnTimestamp: Date.now() + 3_600_000 };
  },
};

/** Key Vault's REST behaviour: a bearer challenge for unauthenticated calls, then the secret or the outage of the moment. */
function vault(state: { outage?: StubResponse | "hang"; expires?: Date }) {
  return stubTransport((req, path) => {
    if (!req.headers.get("authorization")) {
      return { status: 401, headers: { "www-authenticate": `Bearer authorization="https://login.microsoftonline.com/tenant", resource="https://vault.azure.net"` } };
    }
    if (state.outage) return state.outage;
    if (path.startsWith("/secrets/db-password")) {
      return {
        status: 200,
        body: {
          value: "s3cret",
          id: `${VAULT}/secrets/db-password/0123456789abcdef`,
          attributes: { enabled: true, ...(state.expires ? { exp: Math.floor(state.expires.getTime() / 1000) } : {}) },
        },
      };
    }
    return { status: 404, body: { error: { code: "SecretNotFound", message: "not found" } } };
  });
}

function secretClient(state: { outage?: StubResponse | "hang"; expires?: Date }) {
  return new SecretClient(VAULT, fakeCredential, {
    httpClient: vault(state),
    retryOptions: { maxRetries: 0 },
    disableChallengeResourceVerification: true,
  });
}

describe("stamp health: Key Vault secret served from a local cache", function () {
  this.timeout(10_000);
  const stops: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  });

  it("rides out a Key Vault outage while the cached secret is valid (Degraded, 200), and fails once it expires (503)", async function () {
    const kv: { outage?: StubResponse | "hang" } = {};
    const cache = new SecretCache({ name: "db-password", fetch: keyVaultSecretFetcher(secretClient(kv), "db-password"), refreshIntervalMs: 50, validityMs: 700 });
    const service = new HealthService({ release: "r42", region: "westeurope", checks: [keyVaultCheck(cache)], intervalMs: 100, checkTimeoutMs: 50 });
    const server = await startHealthServer(service);
    stops.push(() => cache.stop(), () => service.stop(), () => server.close());
    cache.start();
    await cache.refresh();
    expect(cache.value()).to.equal("s3cret");
    await service.start().runRound();
    expect((await probe(server.port, "/health/stamp")).status).to.equal(200);

    kv.outage = { status: 503, body: { error: { code: "ServiceUnavailable", message: "Key Vault is unavailable" } } };
    const outageStarted = Date.now();
    const degraded = await probeUntil(server.port, "/health/stamp", (r) => JSON.parse(r.body).status === "Degraded", { timeoutMs: 1_000 });
    expect(degraded.response.status, "a Degraded stamp still serves").to.equal(200);
    const component = (JSON.parse(degraded.response.body) as StampHealth).components[0];
    expect(component?.error).to.match(/^Key Vault refresh failing since .*: 503 ServiceUnavailable: Key Vault is unavailable; serving the cached secret until /);
    expect(cache.value(), "the application still reads its secret").to.equal("s3cret");

    // Every probe during the cached secret's validity answers 200.
    while (Date.now() - outageStarted < 450) {
      expect((await probe(server.port, "/health/stamp")).status).to.equal(200);
      await sleep(25);
    }

    const expired = await probeUntil(server.port, "/health/stamp", (r) => r.status === 503, { timeoutMs: 1_500 });
    expect(Date.now() - outageStarted, "fails only after the validity ran out").to.be.at.least(600);
    expect((JSON.parse(expired.response.body) as StampHealth).components[0]?.error).to.match(/^cached secret "db-password" expired at .*; Key Vault refresh failing since/);
    expect(cache.value()).to.equal(undefined);

    delete kv.outage;
    const back = await probeUntil(server.port, "/health/stamp", (r) => r.status === 200 && JSON.parse(r.body).status === "Healthy", { timeoutMs: 1_000 });
    expect(back.elapsedMs).to.be.below(300);
  });

  it("is Unhealthy when the secret was never loaded, naming Key Vault's error (a hung Key Vault times out)", async function () {
    const cache = new SecretCache({ name: "db-password", fetch: keyVaultSecretFetcher(secretClient({ outage: "hang" }), "db-password"), refreshIntervalMs: 1_000, validityMs: 60_000, fetchTimeoutMs: 80 });
    stops.push(() => cache.stop());
    const service = new HealthService({ release: "r42", region: "westeurope", checks: [keyVaultCheck(cache)], intervalMs: 100, checkTimeoutMs: 50 });
    const pending = await service.runRound();
    expect(pending.components[0]?.error).to.equal(`secret "db-password" has never been loaded from Key Vault (first refresh still running)`);
    await cache.refresh();
    const failed = await service.runRound();
    expect(failed.status).to.equal("Unhealthy");
    expect(failed.components[0]?.error).to.match(/^secret "db-password" has never been loaded from Key Vault \(Key Vault refresh failing since .*: Key Vault did not answer within 80 ms\)$/);
  });

  it("never serves a secret past its own expiry in Key Vault", async function () {
    const cache = new SecretCache({ name: "db-password", fetch: keyVaultSecretFetcher(secretClient({ expires: new Date(Date.now() + 1_000) }), "db-password"), refreshIntervalMs: 60_000, validityMs: 3_600_000 });
    await cache.refresh();
    const state = cache.state();
    expect(state.validUntil!.getTime()).to.be.at.most(Date.now() + 1_000);
    expect(cache.value()).to.equal("s3cret");
  });

  it("a missing secret is an error with Key Vault's status code", async function () {
    const cache = new SecretCache({ name: "nope", fetch: keyVaultSecretFetcher(secretClient({}), "nope"), refreshIntervalMs: 60_000, validityMs: 60_000 });
    await cache.refresh();
    expect(cache.state().lastError).to.match(/^404 SecretNotFound: not found/);
  });
});
