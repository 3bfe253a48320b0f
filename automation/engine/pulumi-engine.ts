import { mkdir } from "node:fs/promises";
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

/**
 * The real engine (DESIGN.md, "Engines"): Automation API `LocalWorkspace` with inline programs.
 *
 * Every stack gets its own workspace and work directory (`.contoso/pulumi/work/<stack>`): Pulumi
 * keeps the "current stack" per work directory, so two stacks updated in parallel from one process
 * through a shared workspace would race to select their stack. Stack config is written into that
 * folder from `StackProgram.config` before every operation (derived each run, never read back).
 */

export const PROJECT_NAME = "contoso-shoes";

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
    this.stateDir = path.join(repoRoot, ".contoso", "pulumi");
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
    await this.pulumiCommand;
    if (this.backend.localPath) await mkdir(this.backend.localPath, { recursive: true });
    this.prerequisitesChecked = true;
  }

  async up(spec: StackProgram, options: OperationOptions = {}): Promise<UpResult> {
    return this.operation(spec.stack, "up", options, async (emit) => {
      const stack = await this.openStack(spec.stack, spec.program, "create");
      await this.applyConfig(stack, spec.config ?? {});
      await this.applyTags(stack, spec.tags ?? {}, emit);
      const changes: Record<string, number> = {};
      const result = await this.withCancel(stack, options.signal, () =>
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
        await this.withCancel(stack, options.signal, () =>
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

  async destroy(stackName: string, options: OperationOptions = {}): Promise<void> {
    await this.operation(stackName, "destroy", options, async (emit) => {
      const stack = await this.openStack(stackName, async () => ({}), "select");
      await this.withCancel(stack, options.signal, () =>
        stack.destroy({
          onEvent: (e) => this.translate(stackName, "destroy", e, emit),
          onOutput: (line) => emitOutput(stackName, line, emit),
          ...(options.signal ? { signal: options.signal } : {}),
        }),
      );
    });
  }

  async remove(stackName: string): Promise<void> {
    await this.operation(stackName, "remove", {}, async () => {
      const workspace = await this.workspace(stackName, async () => ({}));
      // Without --force Pulumi refuses to remove a stack that still has resources: what we want.
      await workspace.removeStack(stackName);
    });
  }

  async outputs(stackName: string): Promise<Record<string, unknown> | undefined> {
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
    const summaries: StackSummary[] = [];
    for (const s of stacks) {
      const tags = await this.tagsOf(workspace, s.name);
      if (!wanted.every(([k, v]) => tags[k] === v)) continue;
      const summary: StackSummary = { name: s.name, tags };
      if (s.lastUpdate) summary.lastUpdate = s.lastUpdate;
      if (s.resourceCount !== undefined) summary.resourceCount = s.resourceCount;
      summaries.push(summary);
    }
    return summaries;
  }

  async setTags(stackName: string, tags: Record<string, string>): Promise<void> {
    await this.checkPrerequisites();
    const workspace = await this.workspace(stackName, async () => ({}));
    for (const [key, value] of Object.entries(tags)) await workspace.setTag(stackName, key, value);
  }

  /** A stack's tags; backends without stack tags get the facts its name carries. */
  private async tagsOf(workspace: LocalWorkspace, name: string): Promise<Record<string, string>> {
    try {
      const tags = await workspace.listTags(name);
      if (Object.keys(tags).some((k) => k.startsWith("contoso:"))) return tags;
      return { ...tagsFromName(name), ...tags };
    } catch {
      return tagsFromName(name);
    }
  }

  private async stackExists(stackName: string): Promise<boolean> {
    const workspace = await this.workspace(stackName, async () => ({}));
    const stacks = await workspace.listStacks();
    return stacks.some((s) => s.name === stackName || s.name.endsWith(`/${stackName}`));
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

  /** Abort: the CLI gets SIGINT through `signal` (a graceful cancel); backends that support it are also told to cancel. */
  private async withCancel<T>(stack: Stack, signal: AbortSignal | undefined, run: () => Promise<T>): Promise<T> {
    if (!signal) return run();
    const onAbort = () => void stack.cancel().catch(() => undefined);
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      return await run();
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
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
