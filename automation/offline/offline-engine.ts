import { readdir, rm } from "node:fs/promises";
import * as path from "node:path";
import { InputError, isInputError } from "../../environments/errors.js";
import { parseStackName } from "../../environments/stacks.js";
import {
  OperationError,
  StackLockedError,
  type Engine,
  type EngineEvent,
  type Operation,
  type OperationOptions,
  type PlannedResource,
  type PreviewResult,
  type StackProgram,
  type StackSummary,
  type UpResult,
} from "../engine/port.js";
import { readBack } from "./azure-model/read-back.js";
import { maskResourceOutputs, maskSecrets } from "./azure-model/secrets.js";
import { AzureSubscription } from "./azure-model/subscription.js";
import { loadFaultPlan, takeOperationFault } from "./fault-plan.js";
import { abortableDelay, modelledDurationMs, timeScaleFromEnv, type LatencyStackKind } from "./latency.js";
import type { RecordedResource } from "./mock-runner.js";
import { acquireStackLock, describeHolder } from "../lock/file-lock.js";
import { parseStackRecord, UntrustedStateError, type OfflineStackRecord } from "./stack-record.js";
import { offlineStateDir, REPO_ROOT } from "./state-dir.js";
import { readJsonIfExists, writeJsonAtomic } from "./state-files.js";

/**
 * The offline engine (DESIGN.md, "Engines"): runs the same inline programs as the Pulumi engine,
 * in-process under Pulumi's mocks, and keeps what a backend keeps on disk:
 *   <stateDir>/stacks/<stack>.json   tags, outputs, recorded resources (type, name, inputs), last update
 *   <stateDir>/locks/<stack>.lock    the update lock (automation/lock/file-lock.ts)
 *   <stateDir>/faults.json           the fault plan (fault-plan.ts), fault-counts/ its counters
 *   <stateDir>/azure/subscription.json  the one Azure subscription every stack deploys into
 *                                    (azure-model/subscription.ts): every update is judged against it
 * Secret values are never written or returned: `[secret]` stands in for them (azure-model/secrets.ts).
 * Operations take as long as Azure would (latency.ts) times a scale, so parallelism and critical
 * paths behave like the real thing in a fraction of the time.
 */

export type { OfflineStackRecord } from "./stack-record.js";

export interface OfflineEngineOptions {
  /** Default: CONTOSO_STATE_DIR or `<repo>/.contoso/offline`. */
  stateDir?: string;
  /** Default: CONTOSO_OFFLINE_TIME_SCALE or latency.ts's DEFAULT_TIME_SCALE. */
  timeScale?: number;
  /** Environment variables to read the fault plan from (default: process.env). */
  env?: NodeJS.ProcessEnv;
}

const PROJECT = "contoso-shoes";

export class OfflineEngine implements Engine {
  readonly kind = "offline" as const;
  readonly stateDir: string;
  readonly description: string;
  readonly timeScale: number;
  private readonly env: NodeJS.ProcessEnv;
  /** The Azure subscription all offline stacks share. */
  readonly azure: AzureSubscription;
  /** Serialises read-modify-write of one stack's record within this process (tags set during an update). */
  private readonly recordQueues = new Map<string, Promise<unknown>>();

  constructor(options: OfflineEngineOptions = {}) {
    this.env = options.env ?? process.env;
    this.stateDir = path.resolve(options.stateDir ?? offlineStateDir(this.env));
    this.azure = new AzureSubscription(this.stateDir);
    try {
      this.timeScale = options.timeScale ?? timeScaleFromEnv(this.env);
    } catch (err) {
      throw new InputError((err as Error).message);
    }
    const shown = path.relative(REPO_ROOT, this.stateDir);
    this.description = `offline (state in ${shown.startsWith("..") || path.isAbsolute(shown) ? this.stateDir : shown})`;
  }

  /**
   * Nothing to install (the mocks run in this process), but the fault plan is read now: a bad one
   * is a bad input, reported before any command records or writes anything.
   */
  async checkPrerequisites(): Promise<void> {
    await loadFaultPlan(this.stateDir, this.env);
  }

  async up(spec: StackProgram, options: OperationOptions = {}): Promise<UpResult> {
    const { stack } = spec;
    return this.locked(stack, "up", options, async (emit) => {
      const before = await this.readRecord(stack);
      await this.updateRecord(stack, (record) => ({ ...record, tags: { ...record.tags, ...(spec.tags ?? {}) } }));
      const firstDeployment = !before || before.resources.length === 0;
      const plan = await loadFaultPlan(this.stateDir, this.env);
      const run = await this.evaluateWhileWaiting(spec, "up", before, emit, { firstDeployment }, plan, options.signal);
      // Azure judges the update against everything else in the subscription (ids, global names,
      // per-resource rules, log queries); a refusal fails the update and changes nothing.
      await this.azure.apply(stack, run.registered);
      const now = new Date().toISOString();
      await this.updateRecord(stack, (record) => ({ ...record, outputs: run.outputs, resources: run.resources, lastUpdate: now }));
      return { stack, outputs: run.outputs, changes: run.changes };
    });
  }

  async preview(spec: StackProgram, options: OperationOptions = {}): Promise<PreviewResult> {
    const { stack } = spec;
    return this.operation(stack, "preview", options, async (emit) => {
      const before = await this.readRecord(stack);
      const plan = await loadFaultPlan(this.stateDir, this.env);
      const run = await this.evaluateWhileWaiting(spec, "preview", before, emit, {}, plan, options.signal);
      return { stack, resources: run.resources, outputs: run.outputs };
    });
  }

  async destroy(stack: string, options: OperationOptions = {}): Promise<void> {
    await this.locked(stack, "destroy", options, async (emit) => {
      const before = await this.readRecord(stack);
      if (!before) throw new OperationError(stack, "destroy", "no such stack");
      const plan = await loadFaultPlan(this.stateDir, this.env);
      for (const r of before.resources) {
        emit({ type: "resource", stack, operation: "destroy", resourceType: r.type, name: r.name, step: "delete" });
      }
      if (before.resources.length > 0) await this.wait(stack, "destroy", {}, plan, options.signal);
      else await this.wait(stack, "remove", {}, plan, options.signal);
      await this.azure.release(stack);
      const now = new Date().toISOString();
      await this.updateRecord(stack, (record) => ({ ...record, outputs: {}, resources: [], lastUpdate: now }));
    });
  }

  async remove(stack: string): Promise<void> {
    await this.locked(stack, "remove", {}, async () => {
      const record = await this.readRecord(stack);
      if (!record) throw new OperationError(stack, "remove", "no such stack");
      if (record.resources.length > 0) {
        throw new OperationError(stack, "remove", `it still has ${record.resources.length} resources; destroy it first`);
      }
      const plan = await loadFaultPlan(this.stateDir, this.env);
      await this.wait(stack, "remove", {}, plan, undefined);
      await rm(this.recordPath(stack), { force: true });
    });
  }

  async outputs(stack: string): Promise<Record<string, unknown> | undefined> {
    return (await this.readRecord(stack))?.outputs;
  }

  async listStacks(filter: { tags?: Record<string, string> } = {}): Promise<StackSummary[]> {
    let files: string[];
    try {
      files = await readdir(path.join(this.stateDir, "stacks"));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw err;
    }
    const wanted = Object.entries(filter.tags ?? {});
    const summaries: StackSummary[] = [];
    for (const file of files.filter((f) => f.endsWith(".json")).sort()) {
      const record = await this.readRecord(file.slice(0, -".json".length));
      if (!record || !wanted.every(([k, v]) => record.tags[k] === v)) continue;
      const summary: StackSummary = { name: record.name, tags: record.tags, resourceCount: record.resources.length };
      if (record.lastUpdate) summary.lastUpdate = record.lastUpdate;
      summaries.push(summary);
    }
    return summaries;
  }

  async setTags(stack: string, tags: Record<string, string>): Promise<void> {
    if (!(await this.readRecord(stack))) throw new OperationError(stack, "up", "cannot set tags: no such stack");
    await this.updateRecord(stack, (record) => ({ ...record, tags: { ...record.tags, ...tags } }));
  }

  /** The full record of a stack (tags, outputs, recorded resources), for tests and diagnostics. */
  async readRecord(stack: string): Promise<OfflineStackRecord | undefined> {
    const file = this.recordPath(stack);
    let value: unknown;
    try {
      value = await readJsonIfExists(file);
    } catch (err) {
      // Not even JSON: as untrusted as a wrong document.
      throw new UntrustedStateError(`${(err as Error).message.split(";")[0]}: it cannot be trusted, so nothing was written; restore it from a backup (or, if the stack is gone, delete the file) and run the command again`);
    }
    return value === undefined ? undefined : parseStackRecord(file, stack, value);
  }

  private recordPath(stack: string): string {
    return path.join(this.stateDir, "stacks", `${stack}.json`);
  }

  private updateRecord(stack: string, change: (record: OfflineStackRecord) => OfflineStackRecord): Promise<OfflineStackRecord> {
    const previous = this.recordQueues.get(stack) ?? Promise.resolve();
    const next = previous.then(async () => {
      const current = (await this.readRecord(stack)) ?? { name: stack, tags: {}, outputs: {}, resources: [], createdAt: new Date().toISOString() };
      const updated = change(current);
      await writeJsonAtomic(this.recordPath(stack), updated);
      return updated;
    });
    this.recordQueues.set(stack, next.catch(() => undefined));
    return next;
  }

  /** Runs an operation with started/finished events and errors mapped to the port's error types. */
  private async operation<T>(stack: string, op: Operation, options: OperationOptions, body: (emit: (e: EngineEvent) => void) => Promise<T>): Promise<T> {
    const emit = (event: EngineEvent) => options.onEvent?.(event);
    const started = Date.now();
    emit({ type: "started", stack, operation: op });
    try {
      if (options.signal?.aborted) throw new OperationError(stack, op, "cancelled before it started");
      const result = await body(emit);
      emit({ type: "finished", stack, operation: op, ok: true, durationMs: Date.now() - started });
      return result;
    } catch (err) {
      const mapped = mapError(stack, op, err, options.signal);
      emit({ type: "finished", stack, operation: op, ok: false, durationMs: Date.now() - started, error: mapped.message });
      throw mapped;
    }
  }

  /** Like `operation`, holding the stack's lock (recovering one a dead process left behind). */
  private locked<T>(stack: string, op: Operation, options: OperationOptions, body: (emit: (e: EngineEvent) => void) => Promise<T>): Promise<T> {
    return this.operation(stack, op, options, async (emit) => {
      const lock = await acquireStackLock(this.stateDir, stack, op);
      if (lock.recoveredFrom) {
        emit({
          type: "log",
          stack,
          level: "warning",
          message: `recovered the lock of ${stack} left by ${describeHolder(lock.recoveredFrom)}, which is no longer running`,
        });
      }
      try {
        return await body(emit);
      } finally {
        await lock.release();
      }
    });
  }

  private async runProgram(spec: StackProgram, op: Operation, before: OfflineStackRecord | undefined, emit: (e: EngineEvent) => void) {
    const { runUnderMocks } = await import("./mock-runner.js");
    const previous = new Map((before?.resources ?? []).map((r) => [`${r.type}::${r.name}`, r]));
    const changes: Record<string, number> = { create: 0, update: 0, delete: 0, same: 0 };
    const seen = new Set<string>();
    const onResource = (r: RecordedResource) => {
      if (!r.custom) return;
      const key = `${r.type}::${r.name}`;
      seen.add(key);
      const old = previous.get(key);
      // What the program sends now against what Azure read back last time: a property Azure
      // ignores differs every time, as it does on every refresh (read-back.ts).
      const sent = maskResourceOutputs(r.type, plain(r.inputs) as Record<string, unknown>);
      const step = !old ? "create" : JSON.stringify(old.inputs) === JSON.stringify(sent) ? "same" : "update";
      changes[step] = (changes[step] ?? 0) + 1;
      emit({ type: "resource", stack: spec.stack, operation: op, resourceType: r.type, name: r.name, step });
    };
    // A program that throws would otherwise surface as an unhandled rejection from inside Pulumi's
    // root Stack resource; catch it here and fail the operation with it instead.
    let failure: { error: unknown } | undefined;
    const guarded = async () => {
      try {
        return await spec.program();
      } catch (error) {
        failure = { error };
        return {};
      }
    };
    const run = await runUnderMocks(guarded, { project: PROJECT, stack: spec.stack, config: spec.config ?? {}, onResource });
    if (failure) throw failure.error;
    for (const [key, old] of previous) {
      if (seen.has(key)) continue;
      changes["delete"] = (changes["delete"] ?? 0) + 1;
      emit({ type: "resource", stack: spec.stack, operation: op, resourceType: old.type, name: old.name, step: "delete" });
    }
    const custom = run.resources.filter((r) => r.custom);
    const resources: PlannedResource[] = custom.map((r) => ({ type: r.type, name: r.name, inputs: stored(r.type, r.inputs) }));
    // What Azure receives (secrets included, as the provider would send them); never stored or shown.
    const registered = custom.map((r) => ({ type: r.type, name: r.name, inputs: plain(r.inputs) as Record<string, unknown> }));
    return { outputs: maskSecrets(plain(run.outputs ?? {}) as Record<string, unknown>), resources, changes, registered };
  }

  /**
   * Evaluates the program during the modelled Azure time, not before it: the real engine creates
   * resources while the program still runs, so the program's CPU is not on the critical path.
   * A program that fails stops the wait; a failed wait (an injected fault) lets the program finish first.
   */
  private async evaluateWhileWaiting(
    spec: StackProgram,
    op: "up" | "preview",
    before: OfflineStackRecord | undefined,
    emit: (e: EngineEvent) => void,
    query: { firstDeployment?: boolean },
    plan: Awaited<ReturnType<typeof loadFaultPlan>>,
    signal: AbortSignal | undefined,
  ): Promise<Awaited<ReturnType<OfflineEngine["runProgram"]>>> {
    const stopWait = new AbortController();
    const waitSignal = signal ? AbortSignal.any([signal, stopWait.signal]) : stopWait.signal;
    const evaluation = this.runProgram(spec, op, before, emit).catch((err: unknown) => {
      stopWait.abort(err);
      throw err;
    });
    // Both settle before returning, so nothing the program reports comes after the operation's end.
    const [run, waited] = await Promise.allSettled([evaluation, this.wait(spec.stack, op, query, plan, waitSignal)]);
    if (run.status === "rejected") throw run.reason;
    if (waited.status === "rejected") throw waited.reason;
    return run.value;
  }

  /** Waits the modelled time; an injected fault fails the operation halfway through, as Azure would. */
  private async wait(
    stack: string,
    op: Operation,
    query: { firstDeployment?: boolean },
    plan: Awaited<ReturnType<typeof loadFaultPlan>>,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const duration = modelledDurationMs({ kind: stackKind(stack), operation: op, ...query }) * this.timeScale;
    const fault = await takeOperationFault(this.stateDir, stack, op, plan);
    if (fault) {
      await abortableDelay(duration / 2, signal);
      throw new OperationError(stack, op, fault.message ?? "injected fault (fault plan)");
    }
    await abortableDelay(duration, signal);
  }
}

function stackKind(stack: string): LatencyStackKind {
  try {
    return parseStackName(stack).kind;
  } catch {
    return "other";
  }
}

/**
 * A resource's inputs as the state keeps them: as Azure reads them back (read-back.ts, what a
 * refresh would store) and with every secret masked.
 */
function stored(type: string, inputs: Record<string, unknown>): Record<string, unknown> {
  return maskResourceOutputs(type, readBack(type, plain(inputs) as Record<string, unknown>));
}

/** Plain JSON (undefined dropped) so records round-trip; secret markers stay until masked. */
function plain(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

function mapError(stack: string, op: Operation, err: unknown, signal: AbortSignal | undefined): Error {
  if (err instanceof OperationError || err instanceof StackLockedError || isInputError(err)) return err as Error;
  if (signal?.aborted) return new OperationError(stack, op, "cancelled");
  const message = err instanceof Error ? err.message : String(err);
  return new OperationError(stack, op, message.split("\n")[0] ?? message);
}
