import { mkdtemp, rm } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";

/**
 * Run in a fresh process by the benchmark: evaluates prod's programs (the global stack and one
 * stamp per region) under Pulumi's mocks through the offline engine's preview with no modelled
 * Azure time, and prints, as one JSON line, how long loading the modules and evaluating took.
 * Peak memory is reported by report-usage.mjs, loaded before this script.
 */
const loadStarted = performance.now();
const { loadEnvironment } = await import("../../environments/index.js");
const { OfflineEngine } = await import("../../automation/offline/offline-engine.js");
const { previewEnvironment } = await import("../../automation/stacks/preview-environment.js");
// The programs' own modules (@pulumi/pulumi, the azure-native submodules) load on first use, so
// loading is counted with the evaluation; `setupMs` is only the driver's modules.
const setupMs = performance.now() - loadStarted;

const stateDir = await mkdtemp(path.join(os.tmpdir(), "contoso-bench-eval-"));
try {
  const engine = new OfflineEngine({ stateDir, timeScale: 0, env: {} });
  const env = loadEnvironment("prod");
  const started = performance.now();
  const stacks = await previewEnvironment(engine, env, "r1");
  const evaluateMs = performance.now() - started;
  const resources = stacks.reduce((n, s) => n + s.resources.length, 0);
  process.stdout.write(`${JSON.stringify({ setupMs, evaluateMs, sinceProcessStartMs: performance.now(), stacks: stacks.length, resources })}\n`);
} finally {
  await rm(stateDir, { recursive: true, force: true });
}
