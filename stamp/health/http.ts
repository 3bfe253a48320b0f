import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { canServe } from "./roll-up.js";
import type { HealthService } from "./service.js";
import { REGION_HEADER, RELEASE_HEADER } from "./types.js";

export const LIVENESS_PATH = "/health/liveness";
export const STAMP_HEALTH_PATH = "/health/stamp";

/** Headers on every response of a stamp, so a caller through Front Door can tell who answered. */
export function stampHeaders(service: Pick<HealthService, "release" | "region">): Record<string, string> {
  return { [RELEASE_HEADER]: service.release, [REGION_HEADER]: service.region, "cache-control": "no-store" };
}

/**
 * Serves the health contract from an existing `node:http` server: returns true when it answered
 * (a `/health/...` path), false to let the application handle the request.
 */
export function handleHealthRequest(service: HealthService, req: IncomingMessage, res: ServerResponse): boolean {
  const path = (req.url ?? "/").split("?", 1)[0];
  if (path !== LIVENESS_PATH && path !== STAMP_HEALTH_PATH) return false;
  const headers = stampHeaders(service);
  if (req.method !== "GET" && req.method !== "HEAD") {
    send(res, req, 405, { ...headers, allow: "GET, HEAD" }, { error: `${req.method} is not allowed; use GET or HEAD` });
    return true;
  }
  if (path === LIVENESS_PATH) {
    // Liveness says only "the process answers": restarting an instance cannot fix a dependency.
    send(res, req, 200, headers, { status: "Alive", release: service.release, region: service.region });
    return true;
  }
  const health = service.snapshot();
  send(res, req, canServe(health.status, service.serveWhenDegraded) ? 200 : 503, headers, health);
  return true;
}

/** Writes a JSON response; HEAD gets the same status and headers without a body. */
export function send(res: ServerResponse, req: IncomingMessage, status: number, headers: Record<string, string>, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(req.method === "HEAD" ? undefined : text);
}

export interface HealthServer {
  readonly port: number;
  readonly address: string;
  readonly server: Server;
  close(): Promise<void>;
}

/** A server that answers only the health contract (for running beside an API, or in tests). */
export async function startHealthServer(service: HealthService, options: { port?: number; host?: string } = {}): Promise<HealthServer> {
  const server = createServer((req, res) => {
    if (handleHealthRequest(service, req, res)) return;
    send(res, req, 404, stampHeaders(service), { error: `no such path; this server answers ${LIVENESS_PATH} and ${STAMP_HEALTH_PATH}` });
  });
  // Probes arrive from many edges over kept-alive connections; do not let idle ones pile up.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  return {
    port: bound.port,
    address: bound.address,
    server,
    close: () => closeServer(server),
  };
}

/** Closes a server and the kept-alive connections that would otherwise hold it open. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeAllConnections();
  });
}
