import { CosmosClient } from "@azure/cosmos";
import { expect } from "chai";
import { cosmosCheck } from "../../../stamp/health/checks/cosmos.js";
import { HealthService } from "../../../stamp/health/service.js";
import { stubTransport, type StubResponse } from "./stub-transport.js";

const ENDPOINT = "https://cosmos-shoes-prod.documents.azure.com:443/";
/** The Cosmos DB emulator's documented, well-known key (not a secret); the stub never checks it. */
const EMULATOR_KEY = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";

interface Behaviour {
  write?: StubResponse | "hang";
  read?: StubResponse | "hang";
}

/** Cosmos DB's REST API as the SDK sees it: account discovery, container metadata, document writes and point reads. */
function cosmosAccount(behaviour: Behaviour) {
  const stored = new Map<string, unknown>();
  const transport = stubTransport((req, path) => {
    if (path === "/" || path === "") {
      const location = { name: "West Europe", databaseAccountEndpoint: ENDPOINT };
      return { status: 200, body: { id: "cosmos-shoes-prod", writableLocations: [location], readableLocations: [location], userConsistencyPolicy: { defaultConsistencyLevel: "Session" } } };
    }
    if (path === "/dbs/shop/colls/health") {
      return { status: 200, body: { id: "health", partitionKey: { paths: ["/pk"], kind: "Hash", version: 2 }, defaultTtl: -1 } };
    }
    if (req.method === "POST" && path === "/dbs/shop/colls/health/docs") {
      if (behaviour.write) return behaviour.write;
      const doc = JSON.parse(String(req.body)) as { id: string };
      stored.set(doc.id, doc);
      return { status: 200, body: doc };
    }
    const read = /^\/dbs\/shop\/colls\/health\/docs\/(.+)$/.exec(path);
    if (req.method === "GET" && read) {
      if (behaviour.read) return behaviour.read;
      const doc = stored.get(decodeURIComponent(read[1]!));
      return doc ? { status: 200, body: doc } : { status: 404, body: { code: "NotFound", message: "Entity with the specified id does not exist in the system." } };
    }
    return { status: 400, body: { code: "BadRequest", message: `unexpected ${req.method} ${path}` } };
  });
  const client = new CosmosClient({
    endpoint: ENDPOINT,
    key: EMULATOR_KEY,
    httpClient: transport,
    // The throttling policy would otherwise retry a 429 for up to 30 s; a health check reports it.
    connectionPolicy: { retryOptions: { maxRetryAttemptCount: 0, fixedRetryIntervalInMilliseconds: 0, maxWaitTimeInSeconds: 0 } },
  });
  const container = client.database("shop").container("health");
  return { client, container, transport, stored };
}

const throttled: StubResponse = {
  status: 429,
  headers: { "x-ms-retry-after-ms": "10", "x-ms-substatus": "3200" },
  body: { code: "TooManyRequests", message: "Request rate is large. More Request Units may be needed, so no changes were made." },
};
const unavailable: StubResponse = {
  status: 503,
  body: { code: "ServiceUnavailable", message: "Service is currently unavailable." },
};

describe("stamp health: Cosmos DB read and write through the SDK with a stubbed transport", function () {
  this.timeout(10_000);
  const clients: CosmosClient[] = [];
  afterEach(() => clients.splice(0).forEach((c) => c.dispose()));

  function serviceFor(behaviour: Behaviour) {
    const account = cosmosAccount(behaviour);
    clients.push(account.client);
    const check = cosmosCheck({ container: account.container, documentId: "health-westeurope-r42-i0", partitionKeyPath: "/pk", ttlSeconds: 120 });
    const service = new HealthService({ release: "r42", region: "westeurope", checks: [check], intervalMs: 300, checkTimeoutMs: 150 });
    return { service, account };
  }

  it("writes a short-lived document, reads it back, and is Healthy", async function () {
    const { service, account } = serviceFor({});
    const health = await service.runRound();
    expect(health.status).to.equal("Healthy");
    expect(account.stored.get("health-westeurope-r42-i0")).to.include({ id: "health-westeurope-r42-i0", pk: "health-westeurope-r42-i0", ttl: 120, kind: "contoso-health" });
    expect(account.transport.requests.map((r) => `${r.method} ${r.path}`)).to.include.members(["POST /dbs/shop/colls/health/docs", "GET /dbs/shop/colls/health/docs/health-westeurope-r42-i0"]);
  });

  it("a throttled write (429) is Unhealthy with the status code", async function () {
    const health = await serviceFor({ write: throttled }).service.runRound();
    expect(health.status).to.equal("Unhealthy");
    expect(health.components[0]?.error).to.equal("write failed: 429/3200: Request rate is large. More Request Units may be needed, so no changes were made.");
  });

  it("an unavailable service (503) on read is Unhealthy with the status code", async function () {
    const health = await serviceFor({ read: unavailable }).service.runRound();
    expect(health.status).to.equal("Unhealthy");
    expect(health.components[0]?.error).to.equal("read failed: 503: Service is currently unavailable.");
  });

  it("a write that never answers is Unhealthy at the per-check timeout", async function () {
    const { service } = serviceFor({ write: "hang" });
    const t0 = Date.now();
    const health = await service.runRound();
    // Never before the 150 ms timeout; generous above it (a busy machine): a write left to hang
    // would end at the round deadline with another error, asserted below.
    expect(Date.now() - t0).to.be.at.least(140).and.below(5_000);
    expect(health.components[0]).to.include({ status: "Unhealthy", error: "timed out after 150 ms" });
  });

  it("a document missing right after its write is Unhealthy", async function () {
    const health = await serviceFor({ read: { status: 404, body: { code: "NotFound", message: "Entity with the specified id does not exist in the system." } } }).service.runRound();
    expect(health.components[0]?.error).to.equal(`read failed: document "health-westeurope-r42-i0" was not found right after it was written`);
  });

  it("refuses a nested partition key path it cannot fill", function () {
    const { container } = cosmosAccount({});
    expect(() => cosmosCheck({ container, documentId: "x", partitionKeyPath: "/a/b" })).to.throw(/single-level path/);
  });
});
