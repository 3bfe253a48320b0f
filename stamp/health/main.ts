/**
 * Runs the reference health service beside the API: `npx tsx stamp/health/main.ts`, configured by
 * environment variables (see `HEALTH_ENV` in config.ts). Bad configuration: one line on stderr,
 * exit code 2, nothing contacted; SIGTERM stops it cleanly (run-service.ts).
 */
import { hostname } from "node:os";
import { createAzureChecks } from "./azure-checks.js";
import { loadHealthConfig } from "./config.js";
import { startHealthServer } from "./http.js";
import { runService } from "./run-service.js";
import { HealthService } from "./service.js";
import type { StampHealth } from "./types.js";

runService(async () => {
  const config = loadHealthConfig(process.env, hostname());
  const azure = await createAzureChecks(config);
  let previous: StampHealth["status"] | undefined;
  const service = new HealthService({
    release: config.release,
    region: config.region,
    checks: azure.checks,
    intervalMs: config.intervalMs,
    checkTimeoutMs: config.checkTimeoutMs,
    roundDeadlineMs: config.roundDeadlineMs,
    serveWhenDegraded: config.serveWhenDegraded,
    onRound: (health) => {
      // Log transitions only: a line per round would drown the application's own logs.
      if (health.status === previous) return;
      previous = health.status;
      const failing = health.components.filter((c) => c.status !== "Healthy").map((c) => `${c.name}: ${c.status} (${c.error ?? ""})`);
      console.log(JSON.stringify({ event: "stamp-health", status: health.status, release: health.release, region: health.region, failing }));
    },
  }).start();
  const server = await startHealthServer(service, { host: config.host, port: config.port });
  console.log(`health service for ${config.release} in ${config.region} on http://${server.address}:${server.port} (checks: ${azure.checks.map((c) => c.name).join(", ") || "none"})`);

  return async () => {
    await server.close();
    await service.stop();
    await azure.close();
  };
});
