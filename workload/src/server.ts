import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ServiceBusSender } from "@azure/service-bus";
import type { Container } from "@azure/cosmos";
import { closeServer, handleHealthRequest, send, stampHeaders } from "../../stamp/health/http.js";
import { HealthService } from "../../stamp/health/service.js";
import type { HealthCheck } from "../../stamp/health/types.js";
import { Catalog, isProductId, type CacheClient } from "./catalog.js";
import type { ShopConfig } from "./config.js";
import { Orders, parseOrder } from "./orders.js";

/**
 * The shop API of a stamp: one `node:http` server that answers the health contract
 * (`/health/liveness`, `/health/stamp`, from the embedded reference health service) and the API:
 *   GET  /api/products/<id>   a product from the catalogue (Cosmos DB, cached in Redis)
 *   POST /api/orders          an order, accepted onto the Service Bus `orders` queue (202)
 * Every response carries the stamp's release and region headers, so a caller through Front Door
 * can tell which stamp answered.
 */
export interface ShopDependencies {
  catalog: Pick<Container, "item">;
  orders: Pick<ServiceBusSender, "sendMessages">;
  cache: CacheClient;
  /** The health service's dependency checks (stamp/health/azure-checks.ts builds the real ones). */
  checks: readonly HealthCheck[];
}

export interface Shop {
  readonly port: number;
  readonly health: HealthService;
  close(): Promise<void>;
}

/** Request bodies above this are refused (413): an order is a few hundred bytes. */
const MAX_BODY_BYTES = 64 * 1024;

export async function startShop(config: ShopConfig, deps: ShopDependencies, log: (line: string) => void = () => {}): Promise<Shop> {
  const h = config.health;
  const health = new HealthService({
    release: h.release,
    region: h.region,
    checks: deps.checks,
    intervalMs: h.intervalMs,
    checkTimeoutMs: h.checkTimeoutMs,
    roundDeadlineMs: h.roundDeadlineMs,
    serveWhenDegraded: h.serveWhenDegraded,
    onRound: transitions(log),
  }).start();
  const catalog = new Catalog({ container: deps.catalog, cache: deps.cache, ttlSeconds: config.cacheTtlSeconds, keyPrefix: `shop:${h.release}` });
  const orders = new Orders(catalog, deps.orders, { release: h.release, region: h.region });

  async function api(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const headers = stampHeaders(health);
    const path = (req.url ?? "/").split("?", 1)[0]!;
    const product = /^\/api\/products\/([^/]+)$/.exec(path);
    if (product) {
      if (req.method !== "GET" && req.method !== "HEAD") return send(res, req, 405, { ...headers, allow: "GET, HEAD" }, { error: "use GET" });
      let id: string;
      try {
        id = decodeURIComponent(product[1]!);
      } catch {
        id = ""; // malformed percent-encoding: not a product id either
      }
      if (!isProductId(id)) return send(res, req, 400, headers, { error: "not a product id" });
      const read = await catalog.get(id);
      if (!read) return send(res, req, 404, headers, { error: `no product ${id}` });
      return send(res, req, 200, { ...headers, "x-contoso-cache": read.source === "cache" ? "hit" : "miss" }, read.product);
    }
    if (path === "/api/orders") {
      if (req.method !== "POST") return send(res, req, 405, { ...headers, allow: "POST" }, { error: "use POST" });
      if (!/^application\/json\b/i.test(req.headers["content-type"] ?? "")) return send(res, req, 415, headers, { error: "send the order as application/json" });
      const body = await readBody(req);
      if (body === "too-large") return send(res, req, 413, headers, { error: `an order is at most ${MAX_BODY_BYTES} bytes` });
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        return send(res, req, 400, headers, { error: "the body is not valid JSON" });
      }
      const order = parseOrder(parsed);
      if ("error" in order) return send(res, req, 400, headers, { error: order.error });
      const result = await orders.accept(order);
      if ("unknown" in result) return send(res, req, 422, headers, { error: `no product ${result.unknown}` });
      return send(res, req, 202, { ...headers, location: `/api/orders/${result.accepted.orderId}` }, { status: "accepted", ...result.accepted });
    }
    if (path === "/") return send(res, req, 200, headers, { service: "contoso-shoes shop API", release: h.release, region: h.region });
    send(res, req, 404, headers, { error: `no such path ${path}` });
  }

  const server = createServer((req, res) => {
    if (handleHealthRequest(health, req, res)) return;
    api(req, res).catch((err: unknown) => {
      // A dependency failed mid-request: 503 so Front Door and clients retry elsewhere; the details go to the log only.
      log(JSON.stringify({ event: "request-failed", path: req.url, error: err instanceof Error ? err.message : String(err) }));
      if (!res.headersSent) send(res, req, 503, stampHeaders(health), { error: "a dependency is unavailable; try again" });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    health,
    close: async () => {
      await closeServer(server);
      await health.stop();
    },
  };
}

function readBody(req: IncomingMessage): Promise<string | "too-large"> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve("too-large");
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** Logs health transitions only: a line per round would drown the request logs. */
function transitions(log: (line: string) => void) {
  let previous: string | undefined;
  return (health: { status: string; release: string; region: string; components: { name: string; status: string; error?: string }[] }) => {
    if (health.status === previous) return;
    previous = health.status;
    const failing = health.components.filter((c) => c.status !== "Healthy").map((c) => `${c.name}: ${c.status} (${c.error ?? ""})`);
    log(JSON.stringify({ event: "stamp-health", status: health.status, release: health.release, region: health.region, failing }));
  };
}
