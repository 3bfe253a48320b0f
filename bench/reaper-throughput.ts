import { mkdir } from "node:fs/promises";
import * as path from "node:path";
import pLimit from "p-limit";
import * as resources from "@pulumi/azure-native/resources/index.js";
import { resourceName } from "../environments/naming.js";
import { stackTags, stampStackName } from "../environments/stacks.js";
import { reap } from "../automation/reaper/reap.js";
import { benchEngine } from "./offline-world.js";

/**
 * Reaper throughput: stale stamp stacks of an expired personal environment, destroyed by the real
 * reaper (`reap`, which observes, plans, takes the environment's release lock and destroys with
 * bounded concurrency), timed from the call to its report.
 *
 * The stale stamps are made cheaply: each is a stack named and tagged as a stamp with one resource
 * group, so its teardown is modelled as a stamp's (latency.ts goes by the stack's name) without
 * evaluating a full stamp program a hundred times. What is measured is the reaper and the engine,
 * not the stamp program.
 */

/** A personal environment: the reaper may destroy its stacks (prod and staging it never touches). */
export const REAPED_ENV = "dev-bench";
const REGION = "westeurope";

export interface ReapTiming {
  concurrency: number;
  stacks: number;
  destroyed: number;
  wallMs: number;
}

/** `count` stale stamps (created and expired two days before `now`) in a fresh state folder. */
export async function staleStamps(stateDir: string, count: number, now: Date): Promise<void> {
  await mkdir(stateDir, { recursive: true });
  const engine = benchEngine(stateDir, 0);
  const day = 24 * 3600_000;
  const limit = pLimit(8);
  await Promise.all(
    Array.from({ length: count }, (_, i) =>
      limit(async () => {
        const release = `b${i + 1}`;
        const tags = stackTags({
          env: REAPED_ENV,
          kind: "stamp",
          region: REGION,
          release,
          owner: "bench",
          createdAt: new Date(now.getTime() - 3 * day),
          expiresAt: new Date(now.getTime() - 2 * day),
        });
        const groupName = resourceName("resourceGroup", { env: REAPED_ENV, region: REGION, release });
        await engine.up({
          stack: stampStackName(REAPED_ENV, REGION, release),
          tags,
          config: { "azure-native:location": REGION },
          program: async () => {
            const group = new resources.ResourceGroup("rg", { resourceGroupName: groupName, location: REGION, tags });
            return { resourceGroupName: group.name };
          },
        });
      }),
    ),
  );
}

export async function timeReap(stateDir: string, options: { stacks: number; concurrency: number; timeScale: number; now: Date }): Promise<ReapTiming> {
  const engine = benchEngine(stateDir, options.timeScale);
  const started = performance.now();
  const report = await reap(engine, { now: options.now, graceMs: 0, env: REAPED_ENV, dryRun: false, concurrency: options.concurrency });
  const wallMs = performance.now() - started;
  if (report.summary.destroyed !== options.stacks) {
    const notDone = report.stacks.filter((s) => s.result !== "destroyed").map((s) => `${s.stack}: ${s.result} (${s.detail ?? s.reason})`);
    throw new Error(`the reaper destroyed ${report.summary.destroyed} of ${options.stacks} stale stamps: ${notDone.slice(0, 3).join("; ")}`);
  }
  return { concurrency: options.concurrency, stacks: options.stacks, destroyed: report.summary.destroyed, wallMs };
}

export function reapStateDir(root: string, concurrency: number): string {
  return path.join(root, `reap-c${concurrency}`);
}
