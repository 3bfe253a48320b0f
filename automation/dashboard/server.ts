import http from "node:http";
import type { AddressInfo } from "node:net";
import type { EnvironmentView, TimelineEntry } from "./snapshot.js";
import { DASHBOARD_PAGE } from "./page.js";

/**
 * The dashboard's HTTP server: loopback only (127.0.0.1), read-only (GET and HEAD), no secrets.
 * `/` is the page, `/api/state` the current views, `/events` a server-sent event stream that sends
 * the state again whenever a poll of the world finds a change (EventSource reconnects by itself).
 * Requests whose Host is not this loopback address are refused, so a web page elsewhere cannot read
 * it through DNS rebinding.
 */

export interface DashboardState {
  at: string;
  environments: EnvironmentView[];
  timeline: TimelineEntry[];
}

export interface DashboardServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

export interface DashboardOptions {
  /** Reads every environment's view (called every poll). */
  read: () => Promise<EnvironmentView[]>;
  pollMs: number;
  port?: number;
  /** Most recent timeline entries kept. */
  timelineLimit?: number;
}

export async function startDashboard(options: DashboardOptions): Promise<DashboardServer> {
  const clients = new Set<http.ServerResponse>();
  const timeline: TimelineEntry[] = [];
  const limit = options.timelineLimit ?? 200;
  let state: DashboardState = { at: new Date().toISOString(), environments: [], timeline };
  let lastKey = "";
  const phases = new Map<string, string>();

  const poll = async () => {
    const environments = await options.read();
    const at = new Date().toISOString();
    for (const v of environments) {
      const phaseKey = `${v.phase}|${v.release}|${v.greenPercent}`;
      if (phases.get(v.env) !== phaseKey) {
        phases.set(v.env, phaseKey);
        timeline.push({ at, env: v.env, release: v.release, phase: v.phase, greenPercent: v.greenPercent });
        if (timeline.length > limit) timeline.splice(0, timeline.length - limit);
      }
    }
    const key = JSON.stringify(environments);
    state = { at, environments, timeline: [...timeline] };
    if (key !== lastKey) {
      lastKey = key;
      const data = `data: ${JSON.stringify(state)}\n\n`;
      for (const c of clients) c.write(data);
    }
  };
  await poll();

  const server = http.createServer((req, res) => {
    const port = (server.address() as AddressInfo).port;
    const host = (req.headers.host ?? "").toLowerCase();
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
      res.writeHead(421, { "content-type": "text/plain" }).end("misdirected request: open the dashboard at its loopback address\n");
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain" }).end("the dashboard is read-only\n");
      return;
    }
    const headers = { "cache-control": "no-store", "x-content-type-options": "nosniff" };
    const url = new URL(req.url ?? "/", `http://${host}`);
    if (url.pathname === "/") {
      res
        .writeHead(200, {
          ...headers,
          "content-type": "text/html; charset=utf-8",
          // Everything is inline and same-origin: no script or request leaves the loopback page.
          "content-security-policy": "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'",
        })
        .end(req.method === "HEAD" ? undefined : DASHBOARD_PAGE);
      return;
    }
    if (url.pathname === "/api/state") {
      res.writeHead(200, { ...headers, "content-type": "application/json" }).end(req.method === "HEAD" ? undefined : JSON.stringify(state));
      return;
    }
    if (url.pathname === "/events") {
      res.writeHead(200, { ...headers, "content-type": "text/event-stream", connection: "keep-alive" });
      res.write(`retry: 1000\ndata: ${JSON.stringify(state)}\n\n`);
      clients.add(res);
      req.on("close", () => clients.delete(res));
      return;
    }
    res.writeHead(404, { ...headers, "content-type": "text/plain" }).end("not found\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  let polling = false;
  const timer = setInterval(() => {
    if (polling) return;
    polling = true;
    poll()
      .catch(() => undefined)
      .finally(() => (polling = false));
  }, options.pollMs);
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}/`,
    async close() {
      clearInterval(timer);
      for (const c of clients) c.end();
      clients.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
