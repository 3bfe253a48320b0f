import { Agent, request } from "node:http";

export interface ProbeResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request over loopback, optionally with a Host header (how Front Door and the release gate reach a stamp). */
export function probe(port: number, path: string, options: { method?: string; host?: string; agent?: Agent; address?: string } = {}): Promise<ProbeResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: options.address ?? "127.0.0.1",
        port,
        path,
        method: options.method ?? "GET",
        ...(options.host ? { headers: { host: options.host } } : {}),
        ...(options.agent ? { agent: options.agent } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end();
  });
}

/** Polls until `predicate` holds for a probe; returns the matching response and how long it took. */
export async function probeUntil(
  port: number,
  path: string,
  predicate: (r: ProbeResponse) => boolean,
  options: { timeoutMs: number; everyMs?: number; host?: string },
): Promise<{ response: ProbeResponse; elapsedMs: number }> {
  const started = Date.now();
  let last: ProbeResponse | undefined;
  while (Date.now() - started <= options.timeoutMs) {
    last = await probe(port, path, options.host ? { host: options.host } : {});
    if (predicate(last)) return { response: last, elapsedMs: Date.now() - started };
    await new Promise((r) => setTimeout(r, options.everyMs ?? 10));
  }
  throw new Error(`condition not met within ${options.timeoutMs} ms; last response ${last?.status}: ${last?.body}`);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
