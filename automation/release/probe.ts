import http from "node:http";
import https from "node:https";

/**
 * One HTTP probe of a stamp's health contract (DESIGN.md, "Health contract"). A probe succeeds only
 * when the stamp says Healthy with a 200 *and* the answer comes from the expected release, so a
 * response from another stamp (a stale DNS entry, a Front Door edge still on the old config) never
 * counts for the one being gated.
 */

/** Where to send a request for a host name: the real one, or the offline stamps' loopback server. */
export interface Endpoint {
  protocol: "http" | "https";
  address: string;
  port: number;
}
export type HostResolver = (hostName: string) => Endpoint;

export const resolveViaDns: HostResolver = () => ({ protocol: "https", address: "", port: 443 });

export interface ComponentHealth {
  name: string;
  status: string;
  latencyMs?: number;
  error?: string;
}

export interface ProbeResult {
  ok: boolean;
  statusCode?: number;
  status?: string;
  release?: string;
  region?: string;
  components: ComponentHealth[];
  latencyMs: number;
  error?: string;
}

export async function probeOnce(
  hostName: string,
  path: string,
  options: { resolve: HostResolver; timeoutMs: number; expectRelease?: string; signal?: AbortSignal },
): Promise<ProbeResult> {
  const endpoint = options.resolve(hostName);
  const started = performance.now();
  const client = endpoint.protocol === "https" ? https : http;
  return new Promise<ProbeResult>((resolvePromise) => {
    const done = (result: Omit<ProbeResult, "latencyMs">) => resolvePromise({ ...result, latencyMs: Math.round(performance.now() - started) });
    const req = client.request(
      {
        host: endpoint.address || hostName,
        port: endpoint.port,
        path,
        method: "GET",
        headers: { host: hostName, accept: "application/json", "user-agent": "contoso-release-gate" },
        servername: endpoint.protocol === "https" ? hostName : undefined,
        timeout: options.timeoutMs,
        signal: options.signal,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", (err) => done({ ok: false, components: [], error: err.message }));
        res.on("end", () => {
          const release = header(res.headers["x-contoso-release"]);
          const region = header(res.headers["x-contoso-region"]);
          let body: { status?: string; components?: ComponentHealth[] } = {};
          try {
            body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as typeof body;
          } catch {
            // A non-JSON answer is reported as such below; the probe fails either way.
          }
          const components = Array.isArray(body.components) ? body.components : [];
          const wrongRelease = options.expectRelease !== undefined && release !== options.expectRelease;
          const ok = res.statusCode === 200 && body.status === "Healthy" && !wrongRelease;
          const failing = components.filter((c) => c.status !== "Healthy").map((c) => `${c.name}: ${c.error ?? c.status}`);
          const error = ok
            ? undefined
            : wrongRelease
              ? `answered by release ${release ?? "?"} instead of ${options.expectRelease}`
              : `HTTP ${res.statusCode} ${body.status ?? "(no health body)"}${failing.length ? ` (${failing.join("; ")})` : ""}`;
          done({ ok, statusCode: res.statusCode, status: body.status, release, region, components, error });
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
    req.on("error", (err) => done({ ok: false, components: [], error: err.message }));
    req.end();
  });
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
