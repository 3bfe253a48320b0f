/**
 * The offline stamps (DESIGN.md, "Engines"): one loopback HTTP server per process that answers for
 * every stamp the offline engine has deployed, routed by the `Host` header (the stamp's web app
 * host name). Each stamp is a real `HealthService` from stamp/health with simulated dependency
 * checks whose failures come from the fault plan, so the release gate probes the real health
 * contract over real HTTP. The same server emulates Front Door endpoints: a request for an
 * endpoint's host name is served by one of its origins, chosen by weight among the healthy enabled
 * ones, so a caller can see through the "edge" which releases answer.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { closeServer, handleHealthRequest, send, stampHeaders } from "../../stamp/health/http.js";
import { HealthService } from "../../stamp/health/service.js";
import type { StampHealth } from "../../stamp/health/types.js";
import type { FaultPlan } from "./faults.js";
import { simulatedChecks, validateStampFaults } from "./simulated-checks.js";
import { WeightedRoundRobin } from "./weighted-round-robin.js";
import { evaluateAccess, FORBIDDEN_PAGE, type IncomingRequestSource, type WebAppAccess } from "./network/access-restrictions.js";
import { DEFAULT_RUNNER_ADDRESS, FRONT_DOOR_BACKEND_ADDRESS, FRONT_DOOR_BACKEND_TAG } from "./network/addresses.js";

export interface FabricStamp {
  /** Stamp stack name, e.g. `prod-weu-r42`; what fault plan patterns match. */
  stack: string;
  /** The web app's host name, e.g. `app-shoes-prod-weu-r42-ab1cd.azurewebsites.net`. */
  hostName: string;
  region: string;
  release: string;
  /**
   * False when the stamp's image is not in its environment's (offline) registry: the pull fails,
   * the container never starts, and App Service's front end answers every request itself (below).
   * Default true.
   */
  imagePulled?: boolean;
  /** The web app's access restrictions (from its recorded inputs); every request is checked against them. Absent: no restrictions. */
  access?: WebAppAccess;
  /**
   * How its kill-switch check reads its drain marker, decided from the network model when the
   * stamps are (re)read: refused (the marker cannot be read from the stamp's vnet: fail closed),
   * or the offline control plane's file for the marker, whose existence means drained.
   */
  killSwitch?: { refused: string } | { container: string; markerFile: string };
}

export interface FabricOrigin {
  hostName: string;
  /** Front Door weight, 1-1000. */
  weight: number;
  enabled: boolean;
  release: string;
  region: string;
}

export interface FabricFrontDoor {
  /** The endpoint's host name, e.g. `fde-shoes-prod-abc123.z01.azurefd.net`. */
  hostName: string;
  origins: FabricOrigin[];
  /** The profile's Front Door ID: the X-Azure-FDID header Front Door sets on every request it forwards. */
  frontDoorId?: string;
  /** The profile's stamp endpoints (global/front-door-stamp-endpoints.ts): each forwards `/health/*` to one stamp. */
  stampEndpoints?: { hostName: string; originHostName: string }[];
}

export interface StampFabricOptions {
  /** The stamps that exist now (e.g. from the offline engine's stack outputs); re-read on `refresh()` and every refresh interval. */
  stamps: () => Promise<FabricStamp[]>;
  /** The fault plan; re-read on every check round of every stamp. */
  faults: () => Promise<FaultPlan>;
  /** Front Door endpoints and their origins (e.g. from the global stack's outputs). */
  frontDoors?: () => Promise<FabricFrontDoor[]>;
  /** Interval of each stamp's health checks. Default 1 s. */
  checkIntervalMs?: number;
  /** How often `stamps` and `frontDoors` are re-read in the background. Default: the check interval. */
  refreshIntervalMs?: number;
  /** The public address direct requests come from (the machine running `contoso`); default network/addresses.ts. */
  runnerAddress?: string;
  /** Extra dependency checks of a stamp's component, run before the fault plan's (e.g. the kill switch read through the network model). */
  componentCheck?: (stamp: FabricStamp, component: string) => Promise<void>;
}

export interface StampFabric {
  readonly address: "127.0.0.1";
  readonly port: number;
  /**
   * Where to send a request for a host name (a stamp's or a Front Door endpoint's): connect there
   * and send `Host: <hostName>`. Undefined for a host the fabric does not know (as of the last refresh).
   */
  resolve(hostName: string): { host: string; port: number } | undefined;
  /** Re-reads stamps and Front Door endpoints now: new stamps start their checks, removed ones stop. */
  refresh(): Promise<void>;
  /** A stamp's cached health (what `/health/stamp` would answer), without a request. */
  health(hostName: string): StampHealth | undefined;
  /** Every stamp served now has finished its first round of health checks (so a probe sees its real state). */
  checked(): boolean;
  /** Stops every stamp and the server; the port is free when this resolves. */
  close(): Promise<void>;
}

/** Wall-clock bounds of the offline stamps' health rounds: none that load could reach (a day). */
export const MODELLED_NEVER_MS = 24 * 3600_000;

/** Header an edge response carries: which origin (stamp host name) served it. */
export const ORIGIN_HEADER = "x-contoso-origin";

interface StampEntry {
  stamp: FabricStamp;
  service: HealthService;
  firstServedAt: number | undefined;
  /** The container runs (its image was pulled); otherwise nothing of the app answers. */
  started: boolean;
}

/**
 * What App Service answers for a Linux web app whose container failed to start (here: the image
 * pull failed): the platform logs "... failing site start" / "Stopping site ... because it failed
 * during startup", and its front end answers every path, the health check path included, with 503
 * and its own ":( Application Error" page, since no container listens behind it (reports in
 * github.com/microsoft/azurechat/issues/355 and microsoft/PubSec-Info-Assistant/issues/286; the
 * 503 comes from the front end, not the app: yeongseon.github.io/azure-app-service-practical-guide,
 * "App Startup Failures"). None of the app's headers are there: the release and region headers
 * come from the app, which never ran.
 */
function sendContainerNotStarted(res: ServerResponse, req: IncomingMessage): void {
  const page = "<!DOCTYPE html><html><head><title>Application Error</title></head><body><h1>:( Application Error</h1><p>If you are the application administrator, you can access the diagnostic resources.</p></body></html>";
  res.writeHead(503, { "content-type": "text/html; charset=utf-8", "content-length": Buffer.byteLength(page), "cache-control": "no-store" });
  res.end(req.method === "HEAD" ? undefined : page);
}

function normalizeHost(host: string | undefined): string {
  // A Host header may carry a port and, rarely, a trailing root dot.
  return (host ?? "").trim().toLowerCase().replace(/:\d+$/, "").replace(/\.$/, "");
}

export async function startStampFabric(options: StampFabricOptions): Promise<StampFabric> {
  const checkIntervalMs = options.checkIntervalMs ?? 1_000;
  const stamps = new Map<string, StampEntry>();
  let frontDoors = new Map<string, FabricFrontDoor>();
  /** Stamp endpoint host → the Front Door it belongs to and the stamp host it forwards to. */
  let stampEndpoints = new Map<string, { fd: FabricFrontDoor; originHostName: string }>();
  const runner = options.runnerAddress ?? DEFAULT_RUNNER_ADDRESS;
  const balancers = new Map<string, WeightedRoundRobin>();
  let lastRefreshError: string | undefined;
  let closed = false;

  // One read of the plan serves every check that asks while it is in flight (all components of a
  // round start together), and every round reads it afresh.
  let planInFlight: Promise<FaultPlan> | undefined;
  const plan = (): Promise<FaultPlan> => {
    planInFlight ??= options
      .faults()
      .then(validateStampFaults)
      .finally(() => {
        planInFlight = undefined;
      });
    return planInFlight;
  };

  function startStamp(stamp: FabricStamp): StampEntry {
    const service = new HealthService({
      release: stamp.release,
      region: stamp.region,
      checks: simulatedChecks({ stack: stamp.stack, firstServedAt: () => entry.firstServedAt }, plan, options.componentCheck ? (component) => options.componentCheck!(entry.stamp, component) : undefined),
      intervalMs: checkIntervalMs,
      // A simulated check's outcome is the fault plan's, and its modelled latency is nil: no wall-clock
      // timeout applies to it, nor a staleness rule, so a busy machine (a slow event loop) can never
      // turn a healthy modelled stamp Unhealthy and roll a release back. Only the plan does.
      checkTimeoutMs: MODELLED_NEVER_MS,
      roundDeadlineMs: MODELLED_NEVER_MS,
      staleAfterMs: MODELLED_NEVER_MS,
    });
    const started = stamp.imagePulled !== false;
    const entry: StampEntry = { stamp, service, firstServedAt: undefined, started };
    // A container that never started runs no checks.
    if (started) service.start();
    return entry;
  }

  async function reconcile(): Promise<void> {
    const [wanted, endpoints] = await Promise.all([options.stamps(), options.frontDoors?.() ?? Promise.resolve([])]);
    if (closed) return;
    const byHost = new Map<string, FabricStamp>();
    for (const stamp of wanted) {
      const host = normalizeHost(stamp.hostName);
      const other = byHost.get(host);
      if (other) throw new Error(`stamps ${other.stack} and ${stamp.stack} both claim host name ${host}`);
      byHost.set(host, stamp);
    }
    const stops: Promise<void>[] = [];
    for (const [host, entry] of stamps) {
      const next = byHost.get(host);
      // An image pushed later is pulled on the next start, as App Service retries a failed pull.
      const pulled = (st: FabricStamp) => st.imagePulled !== false;
      if (!next || next.stack !== entry.stamp.stack || next.release !== entry.stamp.release || next.region !== entry.stamp.region || pulled(next) !== pulled(entry.stamp)) {
        stops.push(entry.service.stop());
        stamps.delete(host);
      } else {
        // Same stamp, maybe new settings (an update changed its access restrictions).
        entry.stamp = next;
      }
    }
    for (const [host, stamp] of byHost) if (!stamps.has(host)) stamps.set(host, startStamp(stamp));
    frontDoors = new Map(endpoints.map((fd) => [normalizeHost(fd.hostName), fd]));
    stampEndpoints = new Map(endpoints.flatMap((fd) => (fd.stampEndpoints ?? []).map((e) => [normalizeHost(e.hostName), { fd, originHostName: e.originHostName }] as const)));
    for (const host of [...balancers.keys()]) if (!frontDoors.has(host)) balancers.delete(host);
    await Promise.all(stops);
  }

  // Refreshes run one after another, each reading the sources afresh, so a caller that changed
  // the stamps and then awaits refresh() always sees its change.
  let refreshChain: Promise<void> = Promise.resolve();
  const refresh = (): Promise<void> => {
    const run = refreshChain.then(reconcile);
    refreshChain = run.then(
      () => {
        lastRefreshError = undefined;
      },
      (err: unknown) => {
        lastRefreshError = err instanceof Error ? err.message : String(err);
      },
    );
    return run;
  };

  function served(entry: StampEntry): StampEntry {
    entry.firstServedAt ??= Date.now();
    return entry;
  }

  /** App Service's front end: the web app's access restrictions decide before the app sees the request. */
  function admitted(entry: StampEntry, source: IncomingRequestSource, req: IncomingMessage, res: ServerResponse): boolean {
    if (!entry.stamp.access) return true;
    const decision = evaluateAccess(entry.stamp.access, source);
    if (decision.allowed) return true;
    res.writeHead(403, { "content-type": "text/html", "cache-control": "no-store", "x-contoso-denied": decision.reason });
    res.end(req.method === "HEAD" ? undefined : FORBIDDEN_PAGE);
    return false;
  }

  /** A request Front Door forwards: from its backend addresses, with its profile's X-Azure-FDID (set by Front Door, never the client's). */
  function fromFrontDoor(fd: FabricFrontDoor, req: IncomingMessage): IncomingRequestSource {
    const headers: IncomingRequestSource["headers"] = { ...req.headers };
    delete headers["x-azure-fdid"];
    if (fd.frontDoorId) headers["x-azure-fdid"] = fd.frontDoorId;
    return { address: FRONT_DOOR_BACKEND_ADDRESS, serviceTags: [FRONT_DOOR_BACKEND_TAG], headers };
  }

  function serveStamp(entry: StampEntry, req: IncomingMessage, res: ServerResponse): void {
    if (!entry.started) return sendContainerNotStarted(res, req);
    served(entry);
    if (handleHealthRequest(entry.service, req, res)) return;
    const path = (req.url ?? "/").split("?", 1)[0];
    if (path === "/") {
      // The shop API's stand-in: enough for a caller to see which stamp answered a request.
      send(res, req, 200, stampHeaders(entry.service), { service: "contoso-shoes-api (offline stamp)", stack: entry.stamp.stack, release: entry.stamp.release, region: entry.stamp.region });
      return;
    }
    send(res, req, 404, stampHeaders(entry.service), { error: `offline stamp ${entry.stamp.stack} has no ${path}` });
  }

  function serveEdge(fd: FabricFrontDoor, host: string, req: IncomingMessage, res: ServerResponse): void {
    const edgeHeaders = { "cache-control": "no-store", "x-contoso-edge": host };
    const enabled = fd.origins.filter((o) => o.enabled && o.weight > 0);
    if (enabled.length === 0) {
      send(res, req, 503, edgeHeaders, { error: `Front Door endpoint ${host} has no enabled origin to send the request to` });
      return;
    }
    // Front Door's own probes: an origin is healthy when its stamp answers the health path with 200.
    const healthy = enabled.filter((o) => {
      const entry = stamps.get(normalizeHost(o.hostName));
      // Front Door's probes pass the web app's access restrictions like any request it forwards.
      const admitsProbes = !entry?.stamp.access || evaluateAccess(entry.stamp.access, fromFrontDoor(fd, req)).allowed;
      return entry !== undefined && entry.started && admitsProbes && served(entry).service.isServing();
    });
    // When every origin is unhealthy, Front Door sends traffic to all of them rather than to none.
    const candidates = healthy.length > 0 ? healthy : enabled;
    let balancer = balancers.get(host);
    if (!balancer) balancers.set(host, (balancer = new WeightedRoundRobin()));
    const origin = balancer.pick(candidates, (o) => normalizeHost(o.hostName), (o) => o.weight);
    const entry = stamps.get(normalizeHost(origin.hostName));
    if (!entry) {
      send(res, req, 502, edgeHeaders, { error: `origin ${origin.hostName} (${origin.release}, ${origin.region}) did not answer: no such offline stamp` });
      return;
    }
    res.setHeader(ORIGIN_HEADER, normalizeHost(origin.hostName));
    res.setHeader("x-contoso-edge", host);
    if (admitted(entry, fromFrontDoor(fd, req), req, res)) serveStamp(entry, req, res);
  }

  /** A stamp endpoint: one route, `/health/*`, to one stamp; Front Door answers 404 for a path no route matches. */
  function serveStampEndpoint(fd: FabricFrontDoor, originHostName: string, host: string, req: IncomingMessage, res: ServerResponse): void {
    const edgeHeaders = { "cache-control": "no-store", "x-contoso-edge": host };
    const path = (req.url ?? "/").split("?", 1)[0] ?? "/";
    if (!path.startsWith("/health/")) {
      send(res, req, 404, edgeHeaders, { error: `Front Door endpoint ${host} has no route for ${path} (its only route matches /health/*)` });
      return;
    }
    const entry = stamps.get(normalizeHost(originHostName));
    if (!entry) {
      send(res, req, 502, edgeHeaders, { error: `origin ${originHostName} did not answer: no such offline stamp` });
      return;
    }
    res.setHeader(ORIGIN_HEADER, normalizeHost(originHostName));
    res.setHeader("x-contoso-edge", host);
    if (admitted(entry, fromFrontDoor(fd, req), req, res)) serveStamp(entry, req, res);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const host = normalizeHost(req.headers.host);
    for (let attempt = 0; attempt < 2; attempt++) {
      const entry = stamps.get(host);
      // A direct request: it comes from the machine running the driver, over the internet.
      if (entry) {
        if (admitted(entry, { address: runner, serviceTags: [], headers: req.headers }, req, res)) serveStamp(entry, req, res);
        return;
      }
      const fd = frontDoors.get(host);
      if (fd) return serveEdge(fd, host, req, res);
      const stampEndpoint = stampEndpoints.get(host);
      if (stampEndpoint) return serveStampEndpoint(stampEndpoint.fd, stampEndpoint.originHostName, host, req, res);
      // A stamp deployed since the last refresh answers at once, as a new web app would.
      if (attempt === 0) await refresh().catch(() => undefined);
    }
    send(res, req, 404, { "cache-control": "no-store" }, {
      error: `no offline stamp or Front Door endpoint answers for host "${host || "(no Host header)"}"`,
      knownStamps: [...stamps.keys()].sort(),
      knownFrontDoorEndpoints: [...frontDoors.keys(), ...stampEndpoints.keys()].sort(),
      ...(lastRefreshError ? { lastRefreshError } : {}),
    });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, req, 500, { "cache-control": "no-store" }, { error: err instanceof Error ? err.message : String(err) });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  try {
    await refresh();
  } catch (err) {
    await closeServer(server);
    throw err;
  }
  const timer = setInterval(() => void refresh().catch(() => undefined), options.refreshIntervalMs ?? checkIntervalMs);
  timer.unref();

  return {
    address: "127.0.0.1",
    port,
    resolve(hostName) {
      const host = normalizeHost(hostName);
      return stamps.has(host) || frontDoors.has(host) || stampEndpoints.has(host) ? { host: "127.0.0.1", port } : undefined;
    },
    refresh,
    health(hostName) {
      return stamps.get(normalizeHost(hostName))?.service.snapshot();
    },
    checked() {
      return [...stamps.values()].every((e) => e.service.snapshot().checkedAt !== undefined);
    },
    async close() {
      closed = true;
      clearInterval(timer);
      await refreshChain;
      await closeServer(server);
      await Promise.all([...stamps.values()].map((e) => e.service.stop()));
      stamps.clear();
    },
  };
}
