/**
 * The engine port: what the driver needs from "something that runs Pulumi programs against a
 * backend". Two implementations: the real Pulumi engine (Automation API, LocalWorkspace) and the
 * offline engine (the same inline programs under Pulumi's mocks, state on disk).
 */

export type EngineKind = "pulumi" | "offline";
export type Operation = "up" | "preview" | "destroy" | "remove";

/** A stack and the inline program that defines it. */
export interface StackProgram {
  stack: string;
  /** Inline Pulumi program; its return value becomes the stack outputs. */
  program: () => Promise<Record<string, unknown>>;
  /** Provider configuration, e.g. `{ "azure-native:location": "westeurope" }`. Derived every run, never stored. */
  config?: Record<string, string>;
  /**
   * Stack tags to merge onto the stack before an `up` (created if missing). The engine writes them
   * before the update runs, so a crashed first deployment still leaves a stack the reaper can find.
   */
  tags?: Record<string, string>;
}

export type EngineEvent =
  | { type: "started"; stack: string; operation: Operation }
  | { type: "resource"; stack: string; operation: Operation; resourceType: string; name: string; step: "create" | "update" | "delete" | "same" }
  | { type: "log"; stack: string; level: "info" | "warning" | "error"; message: string }
  | { type: "finished"; stack: string; operation: Operation; ok: boolean; durationMs: number; error?: string };

export interface OperationOptions {
  onEvent?: (event: EngineEvent) => void;
  /** Cancels the operation (the Pulumi engine asks the CLI to cancel; offline stops before the next step). */
  signal?: AbortSignal;
}

export interface PlannedResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

export interface PreviewResult {
  stack: string;
  resources: PlannedResource[];
  /** The outputs the program would have, when the engine can know them (offline); Pulumi's preview leaves them unknown. */
  outputs?: Record<string, unknown>;
}

export interface UpResult {
  stack: string;
  outputs: Record<string, unknown>;
  /** Counts of resources by step (create/update/delete/same). */
  changes: Record<string, number>;
}

export interface StackSummary {
  name: string;
  tags: Record<string, string>;
  lastUpdate?: string;
  resourceCount?: number;
}

export interface Engine {
  readonly kind: EngineKind;
  /** One line saying which engine and where its state is, printed by the CLI. */
  readonly description: string;
  /** Where the driver may keep its own records (release locks); a folder on this machine. */
  readonly stateDir: string;
  /**
   * The Pulumi backend's URL (`file://`, `azblob://`, `https://api.pulumi.com`) when the engine keeps
   * state in one; the release lock is shared through it. Undefined for the offline engine.
   */
  readonly backendUrl?: string;
  /** Fails fast, before any stack is touched, with a PrerequisiteError saying what to install or set. */
  checkPrerequisites(): Promise<void>;
  up(spec: StackProgram, options?: OperationOptions): Promise<UpResult>;
  preview(spec: StackProgram, options?: OperationOptions): Promise<PreviewResult>;
  /** Destroys every resource of the stack; the stack itself (and its tags) remains until `remove`. */
  destroy(stack: string, options?: OperationOptions): Promise<void>;
  /** Removes an empty stack. */
  remove(stack: string): Promise<void>;
  /** The stack's outputs, or undefined when the stack does not exist. */
  outputs(stack: string): Promise<Record<string, unknown> | undefined>;
  /** Every stack of the project, with its tags; `tags` filters by exact tag values. */
  listStacks(filter?: { tags?: Record<string, string> }): Promise<StackSummary[]>;
  /** Sets (merges) tags on an existing stack. */
  setTags(stack: string, tags: Record<string, string>): Promise<void>;
}

/** A missing CLI, missing credentials or an unreachable backend: exit code 2, nothing touched. */
export class PrerequisiteError extends Error {
  override readonly name = "PrerequisiteError";
  readonly exitCode = 2;
}

/** Another update holds the stack: reported with who holds it, exit code 1. */
export class StackLockedError extends Error {
  override readonly name = "StackLockedError";
  readonly exitCode = 1;
  constructor(
    readonly stackName: string,
    readonly holder: string,
  ) {
    super(`stack ${stackName} is locked by ${holder}: another update is running (wait for it, or if it died, see "contoso stacks unlock")`);
  }
}

/** An engine operation that failed (Azure said no, a program threw): exit code 1. */
export class OperationError extends Error {
  override readonly name = "OperationError";
  readonly exitCode = 1;
  constructor(
    readonly stackName: string,
    readonly operation: Operation,
    message: string,
  ) {
    super(`${operation} of ${stackName} failed: ${message}`);
  }
}
