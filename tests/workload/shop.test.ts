import { BlobServiceClient } from "@azure/storage-blob";
import { expect } from "chai";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { createClient } from "redis";
import { APP_SETTING } from "../../stamp/app-settings.js";
import { probe, probeUntil } from "../stamp/health/http-probe.js";
import { freePort, startAzuriteBlob, startRedis, type LocalAzurite, type LocalRedis } from "../stamp/health/local-servers.js";
import { REPO } from "../automation/cli-harness.js";
import { besideBuild, workloadBuild, type WorkloadBuild } from "./build-output.js";

/**
 * The shop API started from its build output with production dependencies only, as the image runs
 * it, answering its API and the health contract against a real redis-server and Azurite (Cosmos DB
 * and Service Bus through stub transports).
 */
const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "shop-with-stubs.mjs");
const CATALOG = {
  "boot-42": { id: "boot-42", productId: "boot-42", name: "Trail boot", priceCents: 12900, currency: "EUR" },
  "sneaker-7": { id: "sneaker-7", productId: "sneaker-7", name: "City sneaker", priceCents: 8950, currency: "EUR" },
};

/** The app settings the stamp writes (stamp/stamp.ts), with local endpoints, plus the local-only settings. */
function stampSettings(redis: LocalRedis, azurite: LocalAzurite, port: number): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "",
    [APP_SETTING.containerPort]: String(port),
    [APP_SETTING.env]: "prod",
    [APP_SETTING.region]: "westeurope",
    [APP_SETTING.release]: "r9",
    [APP_SETTING.stamp]: "prod-weu-r9",
    [APP_SETTING.cosmosEndpoint]: "https://127.0.0.1:9/",
    [APP_SETTING.cosmosDatabase]: "shoes",
    [APP_SETTING.cosmosHealthContainer]: "health",
    [APP_SETTING.serviceBusFqdn]: "sb-shoes-prod-weu-r9.servicebus.windows.net",
    [APP_SETTING.ordersQueue]: "orders",
    [APP_SETTING.healthQueue]: "health",
    [APP_SETTING.redisHost]: "127.0.0.1",
    [APP_SETTING.redisPort]: String(redis.port),
    REDIS_TLS: "false",
    KILL_SWITCH_STORAGE_CONNECTION_STRING: azurite.connectionString,
    KILL_SWITCH_CONTAINER: "killswitch",
    KILL_SWITCH_BLOB: "prod-weu-r9",
    HEALTH_DISABLED_CHECKS: "keyvault",
    HEALTH_INTERVAL: "1s",
    HEALTH_CHECK_TIMEOUT: "900ms",
    HOST: "127.0.0.1",
  };
}

interface Running {
  child: ChildProcessWithoutNullStreams;
  lines: Record<string, unknown>[];
  stderr: () => string;
}

function start(file: string, env: Record<string, string>): Running {
  const child = spawn(process.execPath, [file], { env, stdio: ["pipe", "pipe", "pipe"] });
  const lines: Record<string, unknown>[] = [];
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  createInterface({ input: child.stdout }).on("line", (line) => {
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      lines.push({ text: line });
    }
  });
  return { child, lines, stderr: () => stderr };
}

/** Resolves with the first stdout line that matches, rejects when the process exits first. */
function waitForLine(run: Running, match: (line: Record<string, unknown>) => boolean, timeoutMs = 30_000): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const until = Date.now() + timeoutMs;
    const timer = setInterval(() => {
      const found = run.lines.find(match);
      if (found) {
        clearInterval(timer);
        resolve(found);
      } else if (run.child.exitCode !== null || Date.now() > until) {
        clearInterval(timer);
        reject(new Error(`no such line (exit code ${run.child.exitCode}): ${JSON.stringify(run.lines)} ${run.stderr()}`));
      }
    }, 20);
  });
}

async function stop(run: Running): Promise<number | null> {
  if (run.child.exitCode !== null) return run.child.exitCode;
  run.child.kill("SIGTERM");
  const [code] = (await once(run.child, "exit")) as [number | null];
  return code;
}

function request(port: number, method: string, path: string, body?: unknown, contentType = "application/json") {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; json: any }>((resolve, reject) => {
    import("node:http").then(({ request: send }) => {
      const text = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
      const req = send({ host: "127.0.0.1", port, method, path, headers: text === undefined ? {} : { "content-type": contentType, "content-length": Buffer.byteLength(text) } }, (res) => {
        let data = "";
        res.on("data", (c: Buffer) => (data += c.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, json: data ? JSON.parse(data) : undefined }));
      });
      req.on("error", reject);
      req.end(text);
    }, reject);
  });
}

describe("workload: the shop API from its build output, production dependencies only", function () {
  this.timeout(120_000);
  let build: WorkloadBuild;
  let redis: LocalRedis;
  let azurite: LocalAzurite;

  before(async function () {
    this.timeout(300_000);
    [build, redis, azurite] = await Promise.all([workloadBuild(), startRedis(), startAzuriteBlob()]);
    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient("killswitch");
    await container.createIfNotExists();
    await container.getBlockBlobClient("prod-weu-r9").upload("armed", 5);
  });
  after(async () => {
    await Promise.all([redis?.stop(), azurite?.stop()]);
  });

  it("the image's dependencies are exactly what the repository tests: the same packages at the same versions", () => {
    const workload = JSON.parse(readFileSync(path.join(REPO, "workload", "package.json"), "utf8")) as { dependencies: Record<string, string> };
    const root = JSON.parse(readFileSync(path.join(REPO, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    for (const [name, version] of Object.entries(workload.dependencies)) {
      expect(root.dependencies[name], name).to.equal(version);
      const installed = JSON.parse(readFileSync(path.join(REPO, "node_modules", name, "package.json"), "utf8")) as { version: string };
      expect(installed.version, `${name} installed`).to.equal(version);
    }
  });

  it("main.js (the image's CMD) loads with production dependencies only and refuses bad settings in one line, exit 2", async () => {
    const run = start(build.main, { PATH: process.env.PATH ?? "" });
    const [code] = (await once(run.child, "exit")) as [number | null];
    expect(code, run.stderr()).to.equal(2);
    const lines = run.stderr().trim().split("\n");
    expect(lines).to.have.length(1);
    expect(lines[0]).to.match(/^shop API configuration: .*CONTOSO_RELEASE is not set.*COSMOS_ENDPOINT is not set .*SERVICEBUS_ORDERS_QUEUE is not set/);
  });

  it("main.js with the stamp's settings listens on WEBSITES_PORT: liveness answers, stamp health reports each real dependency", async () => {
    const port = await freePort();
    // Without a password the app asks Entra ID for a Redis token (Azure Managed Redis); a local
    // server takes a password instead (REDIS_PASSWORD, a local-only setting).
    const admin = createClient({ url: redis.url });
    await admin.connect();
    await admin.configSet("requirepass", "local-secret");
    const run = start(build.main, { ...stampSettings(redis, azurite, port), REDIS_PASSWORD: "local-secret" });
    const restorePassword = async () => {
      await admin.configSet("requirepass", "");
      await admin.destroy();
    };
    try {
      const listening = await waitForLine(run, (l) => typeof l["text"] === "string" && (l["text"] as string).startsWith("shop API r9 in westeurope listening on"));
      expect(listening["text"]).to.equal(`shop API r9 in westeurope listening on 127.0.0.1:${port}`);
      const live = await probeUntil(port, "/health/liveness", (r) => r.status === 200, { timeoutMs: 20_000 });
      expect(live.response.headers["x-contoso-release"]).to.equal("r9");
      expect(live.response.headers["x-contoso-region"]).to.equal("westeurope");
      // Redis and the kill switch are real and answer; Cosmos DB and Service Bus cannot be reached
      // from here with a managed identity, so the stamp must not claim to serve.
      const { response } = await probeUntil(port, "/health/stamp", (r) => {
        const body = r.status ? (JSON.parse(r.body) as { components: { name: string; status: string }[] }) : undefined;
        const healthy = (name: string) => body?.components.find((c) => c.name === name)?.status === "Healthy";
        return healthy("redis") && healthy("killswitch");
      }, { timeoutMs: 20_000 });
      expect(response.status).to.equal(503);
      const components = Object.fromEntries((JSON.parse(response.body) as { components: { name: string; status: string }[] }).components.map((c) => [c.name, c.status]));
      expect(components).to.deep.equal({ cosmos: "Unhealthy", servicebus: "Unhealthy", redis: "Healthy", killswitch: "Healthy" });
    } catch (err) {
      await stop(run);
      await restorePassword();
      throw new Error(`${(err as Error).message}\nstdout: ${JSON.stringify(run.lines)}\nstderr: ${run.stderr()}`);
    }
    // SIGTERM (App Service stopping the instance): drains and exits 0.
    const code = await stop(run);
    await restorePassword();
    expect(code, run.stderr()).to.equal(0);
  });

  describe("with Cosmos DB and Service Bus through stub transports", function () {
    let run: Running;
    let port: number;
    const sent = () => run.lines.filter((l) => "sent" in l).map((l) => l["sent"] as { queue: string; message: { messageId: string; body: any; applicationProperties?: Record<string, unknown> } });

    before(async function () {
      this.timeout(60_000);
      const fixture = besideBuild(build, FIXTURE);
      run = start(fixture, { ...stampSettings(redis, azurite, 0), TEST_CATALOG: JSON.stringify(CATALOG) });
      port = (await waitForLine(run, (l) => "listening" in l))["listening"] as number;
    });
    after(async () => {
      expect(await stop(run), run.stderr()).to.equal(0);
    });

    it("answers the health contract: Healthy with every dependency checked, release and region in headers", async () => {
      const { response } = await probeUntil(port, "/health/stamp", (r) => r.status === 200, { timeoutMs: 10_000 });
      const health = JSON.parse(response.body) as { status: string; release: string; region: string; components: { name: string; status: string }[] };
      expect(health).to.deep.include({ status: "Healthy", release: "r9", region: "westeurope" });
      expect(health.components.map((c) => [c.name, c.status])).to.have.deep.members([["cosmos", "Healthy"], ["servicebus", "Healthy"], ["redis", "Healthy"], ["killswitch", "Healthy"]]);
      expect(response.headers["x-contoso-release"]).to.equal("r9");
      // The health check's message went to the health queue, never to orders.
      expect(sent().filter((s) => s.queue === "health").length).to.be.at.least(1);
      expect(sent().filter((s) => s.queue === "orders")).to.deep.equal([]);
      const live = await probe(port, "/health/liveness", { method: "HEAD" });
      expect(live.status).to.equal(200);
    });

    it("reads a product from Cosmos DB, then from the Redis cache", async () => {
      const first = await request(port, "GET", "/api/products/boot-42");
      expect(first.status).to.equal(200);
      expect(first.headers["x-contoso-cache"]).to.equal("miss");
      expect(first.json).to.deep.equal({ productId: "boot-42", name: "Trail boot", priceCents: 12900, currency: "EUR" });
      const second = await request(port, "GET", "/api/products/boot-42");
      expect(second.headers["x-contoso-cache"]).to.equal("hit");
      expect(second.json).to.deep.equal(first.json);
      const client = createClient({ url: redis.url });
      await client.connect();
      try {
        expect(JSON.parse((await client.get("shop:r9:product:boot-42")) ?? "null")).to.deep.equal(first.json);
        expect(await client.ttl("shop:r9:product:boot-42")).to.be.within(1, 60);
      } finally {
        await client.destroy();
      }
      expect((await request(port, "GET", "/api/products/no-such-shoe")).status).to.equal(404);
      expect((await request(port, "GET", "/api/products/..%2Fetc")).status).to.equal(400);
      expect((await request(port, "GET", "/api/products/%E0%A4%A")).status, "malformed percent-encoding").to.equal(400);
    });

    it("accepts an order onto the orders queue: priced from the catalogue, 202, the order id as message id", async () => {
      const accepted = await request(port, "POST", "/api/orders", { customerId: "c-17", lines: [{ productId: "boot-42", quantity: 2 }, { productId: "sneaker-7", quantity: 1 }] });
      expect(accepted.status).to.equal(202);
      expect(accepted.json).to.deep.include({ status: "accepted", customerId: "c-17", totalCents: 2 * 12900 + 8950, currency: "EUR", release: "r9", region: "westeurope" });
      expect(accepted.headers["location"]).to.equal(`/api/orders/${accepted.json.orderId}`);
      const orders = sent().filter((s) => s.queue === "orders");
      expect(orders).to.have.length(1);
      expect(orders[0]!.message.messageId).to.equal(accepted.json.orderId);
      expect(orders[0]!.message.body).to.deep.include({ orderId: accepted.json.orderId, totalCents: 34750 });
    });

    it("refuses bad orders without sending anything: 400, 415, 422", async () => {
      const before = sent().length;
      expect((await request(port, "POST", "/api/orders", { customerId: "c-17", lines: [] })).status).to.equal(400);
      expect((await request(port, "POST", "/api/orders", { customerId: "c-17", lines: [{ productId: "boot-42", quantity: 0 }] })).status).to.equal(400);
      expect((await request(port, "POST", "/api/orders", "{not json")).status).to.equal(400);
      expect((await request(port, "POST", "/api/orders", "customerId=c", "application/x-www-form-urlencoded")).status).to.equal(415);
      const unknown = await request(port, "POST", "/api/orders", { customerId: "c-17", lines: [{ productId: "ghost", quantity: 1 }] });
      expect(unknown.status).to.equal(422);
      expect(unknown.json).to.deep.equal({ error: "no product ghost" });
      expect(sent().slice(before).filter((s) => s.queue === "orders")).to.deep.equal([]);
    });

    it("keeps serving the catalogue from Cosmos DB when Redis goes down, and says so in stamp health", async () => {
      await redis.stop();
      try {
        const { response } = await probeUntil(port, "/health/stamp", (r) => (JSON.parse(r.body) as { status: string }).status !== "Healthy", { timeoutMs: 10_000 });
        const redisHealth = (JSON.parse(response.body) as { components: { name: string; status: string }[] }).components.find((c) => c.name === "redis");
        expect(redisHealth?.status).to.equal("Unhealthy");
        const read = await request(port, "GET", "/api/products/sneaker-7");
        expect(read.status).to.equal(200);
        expect(read.headers["x-contoso-cache"]).to.equal("miss");
      } finally {
        await redis.start();
      }
    });
  });
});
