import { setTimeout as sleep } from "node:timers/promises";
import type { Environment } from "../../environments/index.js";
import { globalStackName, parseStackName, TAG } from "../../environments/stacks.js";
import type { OriginSpec, StampEndpointOutput } from "../../global/contract.js";
import type { Engine, StackSummary } from "../engine/port.js";
import { verifyEdge } from "./edge-check.js";
import { gateStamps, watchStamps, type GateOptions, type GateSettings, type GateTarget, type StampVerdict } from "./health-gate.js";
import { GATE_TAG, gateFromTags, intentFromTags, intentToTags, PROMOTE_TAG } from "./intent-tags.js";
import type { Action, ObservedStamp, World } from "./model.js";
import { retentionFromTags, retentionToTags } from "./retention-tag.js";
import { probeOnce, type HostResolver, type ProbeResult } from "./probe.js";
import type { ActionResult, ReconcilerEvent, ReleasePorts } from "./reconciler.js";

/**
 * The reconciler's real edges: observing the environment through an engine (stacks by tag, the
 * global stack's outputs and tags) and carrying out actions (stack updates, health probes over
 * HTTP). Stack programs come from `StackOps`, so this file knows nothing about how a stack is built.
 */

export interface StackOps {
  /** Deploys (or updates) the stamp of a region for a release; resets its gate verdict. */
  deployStamp(region: string, release: string, image: string, signal?: AbortSignal): Promise<void>;
  /** One update of the global stack with this origin list and live release. */
  updateGlobal(origins: OriginSpec[], liveRelease: string | null, signal?: AbortSignal): Promise<void>;
  /** Destroys a stamp's resources and removes its stack. */
  destroyStamp(stack: string, signal?: AbortSignal): Promise<void>;
}

export interface ReleaseTiming {
  /** Multiplies every wait of the driver (bake, probe interval, deadlines); 1 against Azure. */
  scale: number;
}

export type ProgressEvent =
  | { type: "probe"; stack: string; result: ProbeResult }
  | { type: "gate-verdict"; verdict: StampVerdict }
  | { type: "edge"; releasesSeen: string[]; satisfied: boolean }
  | { type: "stamp-deployed"; stack: string }
  | { type: "stamp-destroyed"; stack: string }
  /** Blue's stamps are kept for `release undo` until `until` (then the reaper removes them). */
  | { type: "retained"; release: string; until: string };

export interface EnginePortsOptions {
  engine: Engine;
  env: Environment;
  ops: StackOps;
  resolve: HostResolver;
  timing: ReleaseTiming;
  checkpoint: (name: string) => void | Promise<void>;
  onEvent: (event: ReconcilerEvent | ProgressEvent) => void;
  /** Interrupts everything (SIGTERM): stack operations and waits. */
  signal?: AbortSignal;
  /** Interrupts only the waits of a gate or bake, read when each starts (an abort asked for by another process). */
  waitSignal?: () => AbortSignal | undefined;
  /** The clock the end of an undo window is computed from (default: the system clock). */
  now?: () => Date;
}

/** Durations scaled for offline runs, never below what a loopback HTTP round trip needs. */
export function gateSettings(env: Environment, timing: ReleaseTiming): GateSettings & { deadlineMs: number } {
  const g = env.healthGate;
  const intervalMs = Math.max(50, Math.round(g.interval * timing.scale));
  return {
    intervalMs,
    sampleSize: g.sampleSize,
    successesRequired: g.successesRequired,
    // A loopback answer from a starved test machine can take most of a second; against Azure the
    // probe timeout is seconds anyway. (Only the timeout has this floor: probes still go out every
    // interval, and a deadline counts probe rounds, see health-gate.ts.)
    probeTimeoutMs: Math.max(1_000, Math.round(g.probeTimeout * timing.scale)),
    deadlineMs: Math.max(intervalMs * g.sampleSize * 4, Math.round(g.deadline * timing.scale)),
  };
}

/**
 * Runs the health gate on stamps and records each verdict as a tag of its stack, where the next
 * observation (of this run or a resumed one) reads it: traffic goes only to a stamp tagged passed.
 */
export async function gateAndRecord(engine: Engine, targets: GateTarget[], deadlineMs: number, options: GateOptions): Promise<StampVerdict[]> {
  const verdicts = await gateStamps(targets, deadlineMs, options);
  for (const v of verdicts) await engine.setTags(v.stack, { [GATE_TAG]: v.passed ? "passed" : "failed" });
  return verdicts;
}

/**
 * Waits until each target's stamp endpoint answers for its stamp (any status, from the right
 * release): Front Door has then deployed the endpoint and its route to the edges this runner
 * reaches. Throws when one does not within `timeoutMs` (the step is retried, then rolled back).
 */
export async function awaitStampEndpoints(targets: GateTarget[], options: GateOptions & { timeoutMs: number }): Promise<void> {
  const { settings } = options;
  await Promise.all(
    targets.map(async (t) => {
      const deadline = Date.now() + options.timeoutMs;
      for (;;) {
        const r = await probeOnce(t.hostName, options.path ?? "/health/stamp", { resolve: options.resolve, timeoutMs: settings.probeTimeoutMs, ...(options.signal ? { signal: options.signal } : {}) });
        if (r.release === t.release) return;
        if (Date.now() >= deadline || options.signal?.aborted) {
          throw new Error(`the Front Door endpoint ${t.hostName} of ${t.stack} did not serve the stamp within ${options.timeoutMs} ms (last answer: ${r.error ?? `HTTP ${r.statusCode}`})`);
        }
        await sleep(settings.intervalMs);
      }
    }),
  );
}

export async function observeWorld(engine: Engine, envName: string): Promise<World> {
  const stacks = await engine.listStacks({ tags: { [TAG.env]: envName } });
  const globalName = globalStackName(envName);
  const globalSummary = stacks.find((s) => s.name === globalName);
  const globalOutputs = globalSummary ? await engine.outputs(globalName) : undefined;
  const stampSummaries = stacks.filter((s) => s.tags[TAG.kind] === "stamp");
  const probeHosts = new Map(
    (Array.isArray(globalOutputs?.["stampEndpoints"]) ? (globalOutputs["stampEndpoints"] as StampEndpointOutput[]) : []).map((e) => [e.stamp, e.hostName]),
  );
  const stamps = await Promise.all(stampSummaries.map((s) => observeStamp(engine, s, probeHosts.get(s.name))));
  const origins = Array.isArray(globalOutputs?.["origins"]) ? (globalOutputs["origins"] as OriginSpec[]) : [];
  const live = globalOutputs?.["liveRelease"];
  const fdHost = globalOutputs?.["frontDoorEndpointHostName"];
  return {
    env: envName,
    global: {
      exists: Boolean(globalOutputs && typeof fdHost === "string"),
      origins,
      liveRelease: typeof live === "string" ? live : null,
      ...(typeof fdHost === "string" ? { frontDoorHostName: fdHost } : {}),
    },
    stamps: stamps.filter((s): s is ObservedStamp => s !== undefined),
    intent: globalSummary ? intentFromTags(globalSummary.tags, globalName) : null,
    retention: globalSummary ? retentionFromTags(globalSummary.tags, globalName) : null,
  };
}

async function observeStamp(engine: Engine, summary: StackSummary, probeHostName: string | undefined): Promise<ObservedStamp | undefined> {
  let parsed;
  try {
    parsed = parseStackName(summary.name);
  } catch {
    return undefined;
  }
  if (parsed.kind !== "stamp") return undefined;
  const outputs = await engine.outputs(summary.name);
  const host = outputs?.["webAppHostName"];
  return {
    stack: summary.name,
    region: parsed.region,
    release: parsed.release,
    deployed: typeof host === "string",
    ...(typeof host === "string" ? { hostName: host } : {}),
    ...(probeHostName ? { probeHostName } : {}),
    gate: gateFromTags(summary.tags),
  };
}

export function enginePorts(options: EnginePortsOptions): ReleasePorts {
  const { engine, env, ops, signal } = options;
  const globalName = globalStackName(env.name);
  const settings = gateSettings(env, options.timing);
  const gateOptions = (): GateOptions => {
    const waits = options.waitSignal?.() ?? signal;
    return {
      settings,
      resolve: options.resolve,
      path: env.originHealthProbe.path,
      ...(waits ? { signal: waits } : {}),
      onProbe: (stack: string, result: ProbeResult) => options.onEvent({ type: "probe", stack, result }),
    };
  };
  const targetsOf = (world: World, stacks: string[]): GateTarget[] =>
    stacks.map((stack) => {
      const s = world.stamps.find((x) => x.stack === stack);
      if (!s?.hostName) throw new Error(`stamp ${stack} has no host name`);
      // The web app admits only this environment's Front Door: the stamp is probed through its own endpoint.
      if (!s.probeHostName) throw new Error(`stamp ${stack} has no Front Door stamp endpoint yet (it is not in the origin list)`);
      return { stack, hostName: s.probeHostName, release: s.release };
    });
  const propagationMs = Math.max(settings.intervalMs * 20, Math.round(env.release.edgePropagationTimeout * options.timing.scale));
  const edge = async (world: World, expect: { present: string[]; absent: string[] }) => {
    // Never skipped: a step that moved traffic is done only once the edge shows it.
    if (!world.global.frontDoorHostName) throw new Error(`cannot verify the Front Door edge: ${globalName} reports no Front Door host name`);
    const result = await verifyEdge(world.global.frontDoorHostName, expect, {
      resolve: options.resolve,
      path: env.originHealthProbe.path,
      timeoutMs: Math.max(settings.intervalMs * 20, Math.round(env.release.edgePropagationTimeout * options.timing.scale)),
      intervalMs: settings.intervalMs,
      probeTimeoutMs: settings.probeTimeoutMs,
      ...(signal ? { signal } : {}),
    });
    options.onEvent({ type: "edge", releasesSeen: result.releasesSeen, satisfied: result.satisfied });
    if (!result.satisfied) throw new Error(`Front Door did not serve the expected releases in time: ${result.detail}`);
  };
  const settleAll = async (stacks: string[], work: (stack: string) => Promise<void>, what: string) => {
    const results = await Promise.allSettled(stacks.map(work));
    const failed = results.flatMap((r, i) => (r.status === "rejected" ? [`${stacks[i]}: ${(r.reason as Error).message}`] : []));
    if (failed.length > 0) throw new Error(`${what} failed for ${failed.join("; ")}`);
  };

  return {
    observe: () => observeWorld(engine, env.name),
    checkpoint: options.checkpoint,
    emit: options.onEvent,
    async execute(action: Action, world: World): Promise<ActionResult> {
      const intent = world.intent!;
      switch (action.kind) {
        case "deploy-green":
          await settleAll(action.regions, async (region) => {
            await ops.deployStamp(region, intent.release, intent.image, signal);
          }, "deploying green");
          return { ok: true };
        case "expose":
          await ops.updateGlobal(action.origins, action.liveRelease, signal);
          return { ok: true };
        case "gate": {
          const targets = targetsOf(world, action.stacks);
          const gate = gateOptions();
          // A new Front Door endpoint takes minutes to reach every edge: the gate's window starts once it serves.
          await awaitStampEndpoints(targets, { ...gate, timeoutMs: propagationMs });
          const verdicts = await gateAndRecord(engine, targets, settings.deadlineMs, gate);
          for (const verdict of verdicts) options.onEvent({ type: "gate-verdict", verdict });
          return { ok: true };
        }
        case "shift":
          await ops.updateGlobal(action.origins, action.liveRelease, signal);
          await edge(world, {
            present: [intent.release],
            absent: action.percent === 100 ? action.origins.filter((o) => o.release !== intent.release).map((o) => o.release) : [],
          });
          return { ok: true };
        case "bake": {
          const bakeMs = Math.round(env.release.bakeTime * options.timing.scale);
          const verdicts = await watchStamps(targetsOf(world, action.stacks), Math.max(bakeMs, settings.intervalMs * settings.sampleSize), gateOptions());
          const failed = verdicts.filter((v) => !v.passed);
          for (const v of failed) {
            options.onEvent({ type: "gate-verdict", verdict: v });
            await engine.setTags(v.stack, { [GATE_TAG]: "failed" });
          }
          return failed.length === 0 ? { ok: true } : { ok: false, unhealthy: failed.map((v) => `${v.stack}: ${v.reason}`).join("; ") };
        }
        case "pause": {
          // The paused step goes into the release record (one tag, written whole, by the lock holder only).
          if (intent.pausedAt !== action.step) await engine.setTags(globalName, intentToTags({ ...intent, pausedAt: action.step }));
          // One detection window of the same k-of-n watch as a bake; the loop then observes again and
          // so picks up a `release promote` (or an abort) recorded meanwhile by another process.
          const verdicts = await watchStamps(targetsOf(world, action.stacks), settings.intervalMs * settings.sampleSize, gateOptions());
          const failed = verdicts.filter((v) => !v.passed);
          for (const v of failed) {
            options.onEvent({ type: "gate-verdict", verdict: v });
            await engine.setTags(v.stack, { [GATE_TAG]: "failed" });
          }
          return failed.length === 0 ? { ok: true } : { ok: false, unhealthy: failed.map((v) => `${v.stack}: ${v.reason}`).join("; ") };
        }
        case "promote":
        case "drop-retained":
          await ops.updateGlobal(action.origins, action.liveRelease, signal);
          return { ok: true };
        case "retain-blue": {
          // The window starts when the retention is recorded (after the promotion's global update).
          const now = (options.now ?? (() => new Date()))();
          const until = new Date(now.getTime() + action.retentionMs).toISOString();
          await engine.setTags(globalName, retentionToTags({ release: action.release, from: action.from, until }));
          options.onEvent({ type: "retained", release: action.release, until });
          return { ok: true };
        }
        case "forget-retention":
          await engine.setTags(globalName, retentionToTags(null));
          return { ok: true };
        case "restore-blue":
          await ops.updateGlobal(action.origins, action.liveRelease, signal);
          // Only the enabled origins serve (a retained blue's stay disabled through a rollback).
          if (action.origins.some((o) => o.enabled)) await edge(world, { present: [...new Set(action.origins.filter((o) => o.enabled).map((o) => o.release))], absent: [intent.release] });
          return { ok: true };
        case "destroy-stamps":
          await settleAll(action.stacks, async (stack) => {
            await ops.destroyStamp(stack, signal);
            options.onEvent({ type: "stamp-destroyed", stack });
          }, "destroying stamps");
          return { ok: true };
        case "begin-rollback":
          await engine.setTags(globalName, intentToTags({ ...intent, mode: intent.mode === "abort" ? "abort" : "rollback", reason: action.reason }));
          return { ok: true };
        case "finish":
          // The record goes last: a crash before it leaves the release in progress, and resume finishes again.
          // A promote request of this release is cleared before it (it names its release, so a left one approves nothing).
          // An undo ends its window: the retained release serves again and the undone one is gone.
          await engine.setTags(globalName, {
            [TAG.release]: world.global.liveRelease ?? "none",
            [PROMOTE_TAG]: "none",
            ...(action.outcome === "undone" ? retentionToTags(null) : {}),
            ...intentToTags(null),
          });
          return { ok: true };
        case "blocked":
          throw new Error(action.reason);
      }
    },
  };
}
