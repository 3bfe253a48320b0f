import type { Engine, Operation, OperationOptions, PreviewResult, StackProgram, StackSummary, UpResult } from "../automation/engine/port.js";

/**
 * An engine that passes everything to another and notes when each stack operation started and
 * ended, so the benchmark can tell the time an operation itself took (the slowest stamp's
 * deployment, each Front Door update) from the time the driver spent around it. The release driver
 * does not report engine events per stack, and needs no change for this.
 */

export interface RecordedOperation {
  stack: string;
  operation: Operation;
  startMs: number;
  endMs: number;
  ok: boolean;
}

export class RecordingEngine implements Engine {
  readonly operations: RecordedOperation[] = [];

  constructor(
    private readonly inner: Engine,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  get kind() {
    return this.inner.kind;
  }
  get description() {
    return this.inner.description;
  }
  get stateDir() {
    return this.inner.stateDir;
  }

  checkPrerequisites(): Promise<void> {
    return this.inner.checkPrerequisites();
  }
  up(spec: StackProgram, options?: OperationOptions): Promise<UpResult> {
    return this.record(spec.stack, "up", () => this.inner.up(spec, options));
  }
  preview(spec: StackProgram, options?: OperationOptions): Promise<PreviewResult> {
    return this.record(spec.stack, "preview", () => this.inner.preview(spec, options));
  }
  destroy(stack: string, options?: OperationOptions): Promise<void> {
    return this.record(stack, "destroy", () => this.inner.destroy(stack, options));
  }
  remove(stack: string): Promise<void> {
    return this.record(stack, "remove", () => this.inner.remove(stack));
  }
  outputs(stack: string): Promise<Record<string, unknown> | undefined> {
    return this.inner.outputs(stack);
  }
  listStacks(filter?: { tags?: Record<string, string> }): Promise<StackSummary[]> {
    return this.inner.listStacks(filter);
  }
  setTags(stack: string, tags: Record<string, string>): Promise<void> {
    return this.inner.setTags(stack, tags);
  }

  private async record<T>(stack: string, operation: Operation, work: () => Promise<T>): Promise<T> {
    const startMs = this.clock();
    let ok = false;
    try {
      const result = await work();
      ok = true;
      return result;
    } finally {
      this.operations.push({ stack, operation, startMs, endMs: this.clock(), ok });
    }
  }
}
