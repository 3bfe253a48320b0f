/**
 * A stubbed HTTP transport for the Azure SDKs (`httpClient` client option): the real SDK client,
 * its pipeline, retry and error handling run; only the network is replaced by a function.
 */
import type { HttpClient, HttpHeaders, PipelineRequest, PipelineResponse, RawHttpHeaders } from "@azure/core-rest-pipeline";

class Headers implements HttpHeaders {
  private readonly map = new Map<string, string>();
  constructor(init: Record<string, string> = {}) {
    for (const [k, v] of Object.entries(init)) this.set(k, v);
  }
  get(name: string) {
    return this.map.get(name.toLowerCase());
  }
  has(name: string) {
    return this.map.has(name.toLowerCase());
  }
  set(name: string, value: string | number | boolean) {
    this.map.set(name.toLowerCase(), String(value));
  }
  delete(name: string) {
    this.map.delete(name.toLowerCase());
  }
  toJSON(): RawHttpHeaders {
    return Object.fromEntries(this.map);
  }
  [Symbol.iterator]() {
    return this.map.entries();
  }
}

export interface StubResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface StubTransport extends HttpClient {
  readonly requests: { method: string; path: string }[];
}

/** `respond` returns the response, or `"hang"` for a server that never answers (until the request is aborted). */
export function stubTransport(respond: (req: PipelineRequest, path: string) => StubResponse | "hang"): StubTransport {
  const requests: { method: string; path: string }[] = [];
  return {
    requests,
    async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
      const path = new URL(request.url).pathname;
      requests.push({ method: request.method, path });
      const answer = respond(request, path);
      if (answer === "hang") {
        return new Promise((_, reject) => {
          const abort = () => reject(Object.assign(new Error("The operation was aborted."), { name: "AbortError" }));
          if (request.abortSignal?.aborted) abort();
          request.abortSignal?.addEventListener("abort", abort);
        });
      }
      return {
        request,
        status: answer.status,
        headers: new Headers({ "content-type": "application/json", ...answer.headers }),
        bodyAsText: answer.body === undefined ? "" : JSON.stringify(answer.body),
      };
    },
  };
}
