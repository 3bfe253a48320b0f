import { mkdir } from "node:fs/promises";
import pLimit from "p-limit";
import * as path from "node:path";
import {
  CommandError,
  ConcurrentUpdateError,
  LocalWorkspace,
  PulumiCommand,
  StackNotFoundError,
  type EngineEvent as PulumiEngineEvent,
  type LocalWorkspaceOptions,
  type Stack,
} from "@pulumi/pulumi/automation/index.js";
import { parseStackName, TAG } from "../../environments/stacks.js";
import { REPO_ROOT } from "../offline/state-dir.js";
import { chooseBackend, missingPassphrase, type BackendChoice } from "./backend.js";
import {
  OperationError,
  PrerequisiteError,
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
} from "./port.js";
import { findAzureCredentials, findPulumiCli, systemProbe, type PrerequisiteProbe } from "./prerequisites.js";
import { checkCliVersion } from "./cli-version.js";
import { bareStackName } from "./stack-names.js";
import { isolateProgramFailures } from "./program-isolation.js";
import { clearDeadLocks, describeLocks } from "./stale-locks.js";

/**
 * The real engine (DESIGN.md, "Engines"): Automation API `LocalWorkspace` with inline programs.
 *
 * Every stack gets its own workspace and work directory (`.contoso/pulumi/work/<stack>`): Pulumi
 * keeps the "current stack" per work directory, so two stacks updated in parallel from one process
 * through a shared workspace would race to select their stack. Stack config is written into that
 * folder from `StackProgram.config` before every operation (derived each run, never read back).
 */

export const PROJECT_NAME = "contoso-shoes";
const PROJECT = PROJECT_NAME;
/** How many `pulumi stack tag ls` run at once while listing stacks. */
export const LIST_CONCURRENCY = 8;

export interface PulumiEngineOptions {
  env?: NodeJS.ProcessEnv;
  repoRoot?: string;
  probe?: PrerequisiteProbe;
}

export class PulumiEngine implements Engine {
  readonly kind = "pulumi" as const;
  readonly stateDir: string;
  readonly description: string;
  readonly backend: BackendChoice;
  readonly backendUrl: string;
  private readonly env: NodeJS.ProcessEnv;
  private readonly probe: PrerequisiteProbe;
  private readonly workRoot: string;
  private pulumiCommand?: Promise<PulumiCommand>;
  private subscriptionId?: string;
  private prerequisitesChecked = false;

  constructor(options: PulumiEngineOptions = {}) {
    this.env = options.env ?? process.env;
    this.probe = options.probe ?? systemProbe(this.env);
    const repoRoot = options.repoRoot ?? REPO_ROOT;
    this.backend = chooseBackend(this.env, repoRoot);
    this.backendUrl = this.backend.url;
    // CONTOSO_PULUMI_STATE_DIR: where this machine keeps the workspaces (and a file backend's release lock
    // falls back to); tests give each world its own.
    const stateDir = this.env["CONTOSO_PULUMI_STATE_DIR"]?.trim();
    this.stateDir = stateDir ? path.resolve(stateDir) : path.join(repoRoot, ".contoso", "pulumi");
    this.workRoot = path.join(this.stateDir, "work");
    this.description = `pulumi (backend ${this.backend.url}${this.backend.source === "PULUMI_BACKEND_URL" ? " from PULUMI_BACKEND_URL" : ""})`;
  }

  async checkPrerequisites(): Promise<void> {
    if (this.prerequisitesChecked) return;
    const cli = findPulumiCli(this.probe);
    if (!cli.found) throw new PrerequisiteError(cli.problem);
    const passphrase = missingPassphrase(this.backend, this.env);
    if (passphrase) throw new PrerequisiteError(passphrase);
    const azure = await findAzureCredentials(this.probe);
    if (!azure.found) throw new PrerequisiteError(azure.problem);
    this.subscriptionId = azure.subscriptionId;
    this.pulumiCommand = PulumiCommand.get(cli.root ? { root: cli.root } : {}).catch((err: unknown) => {
      throw new PrerequisiteError(`the pulumi CLI at ${cli.command} did not run (${firstLine(err)}): reinstall it from https://www.pulumi.com/docs/install/`);
    });
    const command = await this.pulumiCommand;
    const tooOld = checkCliVersion(command.version?.version ?? undefined, cli.command);
    if (tooOld) throw new PrerequisiteError(tooOld);
    if (this.backend.localPath) await mkdir(this.backend.localPath, { recursive: true });
    // Inline programs run in this process, side by side: one program's stray failure must fail only its own stack.
    isolateProgramFailures();
    this.prerequisitesChecked = true;
  }

  async up(spec: StackProgram, options: OperationOptions = {}): Promise<UpResult> {
    return this.operation(spec.stack, "up", options, async (emit) => {
      const stack = await this.openStack(spec.stack, spec.program, "create");
      await this.applyConfig(stack, spec.config ?? {});
      await this.applyTags(stack, spec.tags ?? {}, emit);
      await this.repairInterrupted(stack, emit, options.signal);
      const changes: Record<string, number> = {};
      const result = await this.withCancel(stack, emit, () =>
        stack.up({
          onEvent: (e) => this.translate(spec.stack, "up", e, emit, (step) => (changes[step] = (changes[step] ?? 0) + 1)),
          onOutput: (line) => emitOutput(spec.stack, line, emit),
          ...(options.signal ? { signal: options.signal } : {}),
        }),
      );
      const outputs = Object.fromEntries(Object.entries(result.outputs).map(([k, v]) => [k, v.value]));
      return { stack: spec.stack, outputs, changes };
    });
  }

  async preview(spec: StackProgram, options: OperationOptions = {}): Promise<PreviewResult> {
    return this.operation(spec.stack, "preview", options, async (emit) => {
      const existed = await this.stackExists(spec.stack);
      const stack = await this.openStack(spec.stack, spec.program, "create");
      try {
        await this.applyConfig(stack, spec.config ?? {});
        const resources: PlannedResource[] = [];
        await this.withCancel(stack, emit, () =>
          stack.preview({
            onEvent: (e) => {
              this.translate(spec.stack, "preview", e, emit);
              const meta = e.resourcePreEvent?.metadata;
              const planned = meta?.new;
              if (meta && planned && planned.custom !== false && isCloudResource(meta.type) && meta.op !== "delete") {
                resources.push({ type: meta.type, name: logicalName(meta.urn), inputs: planned.inputs ?? {} });
              }
            },
            onOutput: (line) => emitOutput(spec.stack, line, emit),
            ...(options.signal ? { signal: options.signal } : {}),
          }),
        );
        return { stack: spec.stack, resources };
      } finally {
        // A preview of a stack that did not exist must not leave an empty stack behind.
        if (!existed) await stack.workspace.removeStack(spec.stack).catch(() => undefined);
      }
    });
  }

  async destroy(name: string, options: OperationOptions = {}): Promise<void> {
    const stackName = bareStackName(name, PROJECT);
    await this.operation(stackName, "destroy", options, async (emit) => {
      const stack = await this.openStack(stackName, async () => ({}), "select");
      await this.repairInterrupted(stack, emit, options.signal);
      await this.withCancel(stack, emit, () =>
        stack.destroy({
          onEvent: (e) => this.translate(stackName, "destroy", e, emit),
          onOutput: (line) => emitOutput(stackName, line, emit),
          ...(options.signal ? { signal: options.signal } : {}),
        }),
      );
    });
  }

  async remove(name: string): Promise<void> {
    const stackName = bareStackName(name, PROJECT);
    await this.operation(stackName, "remove", {}, async () => {
      const workspace = await this.workspace(stackName, async () => ({}));
      // Without --force Pulumi refuses to remove a stack that still has resources: what we want.
      await workspace.removeStack(stackName);
    });
  }

  async outputs(name: string): Promise<Record<string, unknown> | undefined> {
    const stackName = bareStackName(name, PROJECT);
    await this.checkPrerequisites();
    try {
      const stack = await this.openStack(stackName, async () => ({}), "select");
      const outputs = await stack.outputs();
      return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, v.value]));
    } catch (err) {
      if (err instanceof StackNotFoundError) return undefined;
      throw mapPulumiError(stackName, "up", err);
    }
  }

  async listStacks(filter: { tags?: Record<string, string> } = {}): Promise<StackSummary[]> {
    await this.checkPrerequisites();
    const workspace = await this.workspace("_list", async () => ({}));
    const stacks = await workspace.listStacks();
    const wanted = Object.entries(filter.tags ?? {});
    // `pulumi stack ls --json` carries no tags (pkg/cmd/pulumi/stack/stack_list.go stackSummaryJSON:
    // name, current, lastUpdate, updateInProgress, resourceCount, url), so each stack's tags take one
    // `stack tag ls`: at most LIST_CONCURRENCY at once, so a backend with hundreds of stacks costs
    // hundreds/LIST_CONCURRENCY round trips, not hundreds in a row, and never hundreds of CLIs at once.
    const limit = pLimit(LIST_CONCURRENCY);
    const found = await Promise.all(
      stacks.map((s) =>
        limit(async (): Promise<StackSummary | undefined> => {
          // Stack names come back organisation-qualified on Pulumi Cloud (and with --fully-qualify-stack-names):
          // the driver compares bare names, so they are made bare here, once.
          const name = bareStackName(s.name, PROJECT, { otherProject: "skip" });
          if (name === undefined) return undefined;
          const tags = await this.tagsOf(workspace, s.name, name);
          if (!wanted.every(([k, v]) => tags[k] === v)) return undefined;
          const summary: StackSummary = { name, tags };
          if (s.lastUpdate) summary.lastUpdate = s.lastUpdate;
          if (s.resourceCount !== undefined) summary.resourceCount = s.resourceCount;
          return summary;
        }),
      ),
    );
    return found.filter((s): s is StackSummary => s !== undefined);
  }

  /**
   * One `pulumi stack tag set` per tag, in the order given: the CLI has no call that sets several
   * tags at once, so a record that must be seen whole is kept in ONE tag (release/intent-tags.ts).
   */
  async setTags(name: string, tags: Record<string, string>): Promise<void> {
    const stackName = bareStackName(name, PROJECT);
    await this.checkPrerequisites();
    try {
      const workspace = await this.workspace(stackName, async () => ({}));
      for (const [key, value] of Object.entries(tags)) await workspace.setTag(stackName, key, value);
    } catch (err) {
      throw mapPulumiError(stackName, "up", err);
    }
  }

  /**
   * A stack's tags, over the facts its name carries (env, kind, region, release): a tag, when
   * present, wins. The name's facts fill in for backends without stack tags and for a stack whose
   * tags were not all written: `up` sets them one `stack tag set` at a time after `stack init`, so a
   * driver killed between two of them leaves, say, `contoso:env` without `contoso:kind`. Read from
   * its tags alone that stack was no stamp at all: a release's abort (and the reaper) never saw the
   * green stack it had started, and left it behind for good (the crash property found it: a kill at
   * the green stamp's `contoso:kind` tag, then `release abort`).
   */
  private async tagsOf(workspace: LocalWorkspace, listed: string, bare: string): Promise<Record<string, string>> {
    try {
      return { ...tagsFromName(bare), ...(await workspace.listTags(listed)) };
    } catch {
      return tagsFromName(bare);
    }
  }

  private async stackExists(stackName: string): Promise<boolean> {
    const workspace = await this.workspace(stackName, async () => ({}));
    const stacks = await workspace.listStacks();
    return stacks.some((s) => bareStackName(s.name, PROJECT, { otherProject: "skip" }) === stackName);
  }

  /** One workspace (and work directory) per stack: see the file comment. */
  private async workspace(stackName: string, program: () => Promise<Record<string, unknown>>): Promise<LocalWorkspace> {
    return LocalWorkspace.create(await this.workspaceOptions(stackName, program));
  }

  private async workspaceOptions(stackName: string, program: () => Promise<Record<string, unknown>>): Promise<LocalWorkspaceOptions> {
    const workDir = path.join(this.workRoot, stackName);
    await mkdir(workDir, { recursive: true });
    const envVars: Record<string, string> = { PULUMI_BACKEND_URL: this.backend.url, PULUMI_SKIP_UPDATE_CHECK: "true" };
    if (this.subscriptionId && !this.env["ARM_SUBSCRIPTION_ID"]) envVars["ARM_SUBSCRIPTION_ID"] = this.subscriptionId;
    const options: LocalWorkspaceOptions = {
      workDir,
      program,
      envVars,
      projectSettings: { name: PROJECT_NAME, runtime: "nodejs", backend: { url: this.backend.url } },
    };
    if (this.backend.secretsProvider) options.secretsProvider = this.backend.secretsProvider;
    if (this.pulumiCommand) options.pulumiCommand = await this.pulumiCommand;
    return options;
  }

  private async openStack(stackName: string, program: () => Promise<Record<string, unknown>>, mode: "create" | "select"): Promise<Stack> {
    const args = { stackName, projectName: PROJECT_NAME, program };
    const options = await this.workspaceOptions(stackName, program);
    return mode === "create" ? LocalWorkspace.createOrSelectStack(args, options) : LocalWorkspace.selectStack(args, options);
  }

  private async applyConfig(stack: Stack, config: Record<string, string>): Promise<void> {
    const entries = Object.entries(config);
    if (entries.length === 0) return;
    await stack.setAllConfig(Object.fromEntries(entries.map(([k, v]) => [k, { value: v }])));
  }

  private async applyTags(stack: Stack, tags: Record<string, string>, emit: (e: EngineEvent) => void): Promise<void> {
    for (const [key, value] of Object.entries(tags)) {
      try {
        await stack.setTag(key, value);
      } catch (err) {
        emit({ type: "log", stack: stack.name, level: "warning", message: `this backend does not keep stack tags (${firstLine(err)}); stacks are found by name instead` });
        return;
      }
    }
  }

  /**
   * Abort: the Automation API sends the CLI SIGINT through `signal` (automation/cmd.js exec:
   * `proc.kill("SIGINT")`), the CLI's graceful cancel: it stops starting steps, waits for the ones in
   * flight, saves the state and releases its own lock, and the returned promise settles only once
   * the CLI has exited. Nothing here runs `pulumi cancel`: on a self-managed backend that deletes
   * every lock file of the stack (pkg/backend/diy/backend.go CancelCurrentUpdate), so a second
   * runner could start on the stack while this CLI still finishes its in-flight operations.
   * A stale lock left by a CLI that died is handled by `runUnlocked`, from its holder's liveness.
   */
  private async withCancel<T>(stack: Stack, emit: (e: EngineEvent) => void, run: () => Promise<T>): Promise<T> {
    return this.runUnlocked(stack.name, emit, run);
  }

  /**
   * Runs a CLI operation; when the stack is locked and every lock belongs to a process that is
   * provably dead (this machine, its pid gone), those lock files are removed (by name, never all) and
   * the operation runs once more. A live holder, or one on another machine, is never broken.
   */
  private async runUnlocked<T>(stackName: string, emit: (e: EngineEvent) => void, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (!(err instanceof ConcurrentUpdateError) || !this.backend.localPath) throw err;
      const cleared = await clearDeadLocks(this.backend.localPath, PROJECT, stackName);
      if (!cleared.allDead || cleared.removed.length === 0) {
        throw new StackLockedError(stackName, describeLocks(cleared.locks));
      }
      for (const l of cleared.removed) {
        emit({ type: "log", stack: stackName, level: "warning", message: `removed the lock of a dead update (${l.username}@${l.hostname} pid ${l.pid} since ${l.timestamp})` });
      }
      return run();
    }
  }

  /**
   * A stack whose last update did not finish (the CLI was killed) has pending operations in its
   * state. Pulumi's documented repair is `pulumi refresh`, which reads the provider's state and
   * settles pending updates and deletes; pending CREATEs need `--clear-pending-creates` in a
   * non-interactive run (pkg/cmd/pulumi/operations/refresh.go: "Clear all pending creates, dropping
   * them from the state"; the engine's own warning says "you can repair your stack using `pulumi
   * refresh`", pkg/engine/lifecycletest/testdata/output/TestUpdateShowsWarningWithPendingOperations).
   * `refresh({ clearPendingCreates: true })` is that call in the Automation API (automation/stack.js).
   */
  private async repairInterrupted(stack: Stack, emit: (e: EngineEvent) => void, signal: AbortSignal | undefined): Promise<void> {
    const state = await stack.exportStack();
    const pending = (state.deployment as { pending_operations?: { type?: string; resource?: { urn?: string } }[] } | undefined)?.pending_operations ?? [];
    if (pending.length === 0) return;
    const what = pending.map((p) => `${p.type ?? "?"} ${logicalName(p.resource?.urn ?? "?")}`).join(", ");
    emit({ type: "log", stack: stack.name, level: "warning", message: `the last update of ${stack.name} did not finish (${pending.length} pending: ${what}): refreshing it and clearing pending creates first` });
    await this.withCancel(stack, emit, () =>
      stack.refresh({ clearPendingCreates: true, onOutput: (line) => emitOutput(stack.name, line, emit), ...(signal ? { signal } : {}) }),
    );
  }

  private translate(stack: string, operation: Operation, e: PulumiEngineEvent, emit: (e: EngineEvent) => void, count?: (step: string) => void) {
    const pre = e.resourcePreEvent?.metadata;
    if (pre && isCloudResource(pre.type)) {
      const step = toStep(pre.op);
      count?.(step);
      emit({ type: "resource", stack, operation, resourceType: pre.type, name: logicalName(pre.urn), step });
    }
    const diag = e.diagnosticEvent;
    if (diag && !diag.ephemeral && diag.severity !== "info#err") {
      emit({ type: "log", stack, level: diag.severity === "error" ? "error" : diag.severity === "warning" ? "warning" : "info", message: diag.message.trim() });
    }
  }

  private async operation<T>(stack: string, op: Operation, options: OperationOptions, body: (emit: (e: EngineEvent) => void) => Promise<T>): Promise<T> {
    await this.checkPrerequisites();
    const emit = (event: EngineEvent) => options.onEvent?.(event);
    const started = Date.now();
    emit({ type: "started", stack, operation: op });
    try {
      const result = await body(emit);
      emit({ type: "finished", stack, operation: op, ok: true, durationMs: Date.now() - started });
      return result;
    } catch (err) {
      const mapped = options.signal?.aborted ? new OperationError(stack, op, "cancelled") : mapPulumiError(stack, op, err);
      emit({ type: "finished", stack, operation: op, ok: false, durationMs: Date.now() - started, error: mapped.message });
      throw mapped;
    }
  }
}

function emitOutput(stack: string, chunk: string, emit: (e: EngineEvent) => void): void {
  // Structured events carry the progress; raw output is kept for `--verbose` style consumers as info logs.
  for (const line of chunk.split("\n")) {
    if (line.trim() !== "") emit({ type: "log", stack, level: "info", message: line.trimEnd() });
  }
}

function isCloudResource(type: string): boolean {
  return type !== "pulumi:pulumi:Stack" && !type.startsWith("pulumi:providers:");
}

/** `urn:pulumi:<stack>::<project>::<type chain>::<name>` → name. */
export function logicalName(urn: string): string {
  const i = urn.lastIndexOf("::");
  return i >= 0 ? urn.slice(i + 2) : urn;
}

function toStep(op: string): "create" | "update" | "delete" | "same" {
  switch (op) {
    case "create":
    case "create-replacement":
    case "import":
    case "import-replacement":
      return "create";
    case "delete":
    case "delete-replaced":
    case "discard":
    case "discard-replaced":
      return "delete";
    case "same":
    case "read":
    case "refresh":
      return "same";
    default:
      return "update";
  }
}

/** Facts a stack name carries, for backends without stack tags. */
export function tagsFromName(name: string): Record<string, string> {
  const short = name.includes("/") ? name.slice(name.lastIndexOf("/") + 1) : name;
  try {
    const parsed = parseStackName(short);
    return parsed.kind === "global"
      ? { [TAG.env]: parsed.env, [TAG.kind]: "global", [TAG.region]: "global" }
      : { [TAG.env]: parsed.env, [TAG.kind]: "stamp", [TAG.region]: parsed.region, [TAG.release]: parsed.release };
  } catch {
    return {};
  }
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split("\n").find((l) => l.trim() !== "")?.trim() ?? text;
}

/**
 * Maps Automation API errors to the port's: a concurrent update (Pulumi Cloud's 409, a DIY
 * backend's lock file) becomes StackLockedError naming the holder; a CLI failure becomes an
 * OperationError with Pulumi's own `error:` lines, not the whole captured output.
 */
export function mapPulumiError(stack: string, op: Operation, err: unknown): Error {
  if (err instanceof OperationError || err instanceof StackLockedError || err instanceof PrerequisiteError) return err;
  if (err instanceof ConcurrentUpdateError) {
    const text = err.message;
    const holder = /created by ([^\n]+)/.exec(text)?.[1]?.trim() ?? (/409/.test(text) ? "another update in Pulumi Cloud" : "another update (pulumi cancel releases a dead one)");
    return new StackLockedError(stack, holder);
  }
  if (err instanceof StackNotFoundError) return new OperationError(stack, op, "no such stack");
  if (err instanceof CommandError) {
    const errors = err.message
      .split("\n")
      .map((l) => l.trim())
      // CommandResult.toString() prefixes the first stderr line with "stderr: ".
      .filter((l) => /^(stderr:\s*)?error:/i.test(l))
      .map((l) => l.replace(/^(stderr:\s*)?error:\s*/i, ""));
    return new OperationError(stack, op, errors.length > 0 ? errors.join("; ") : firstLine(err));
  }
  return new OperationError(stack, op, firstLine(err));
}
