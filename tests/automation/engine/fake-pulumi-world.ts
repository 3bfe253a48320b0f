import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { PulumiEngine, PROJECT_NAME } from "../../../automation/engine/pulumi-engine.js";
import { tempDir } from "../cli-harness.js";

/**
 * A world for the Pulumi engine's end-to-end tests: a temp repo whose `file://` backend the stand-in
 * `pulumi` (./fake-pulumi) keeps, that stand-in on PATH for this process only while a test runs,
 * and helpers that read the backend's files the way the real CLI lays them out.
 */
export const FAKE_PULUMI_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "fake-pulumi");

export interface FakeControl {
  crashAtCall?: number;
  crashMidwayAt?: number;
  slowMs?: number;
  sigintGraceMs?: number;
  upHoldMs?: number;
}

export class FakePulumiWorld {
  readonly repo = tempDir("fake-pulumi");
  readonly backend = path.join(this.repo, ".pulumi-state");
  readonly controlFile = path.join(this.repo, "fake-pulumi-control.json");
  readonly env: NodeJS.ProcessEnv;
  private saved: Record<string, string | undefined> = {};

  /** `from`: a world whose files (backend, state, call log) this one starts as a copy of. */
  constructor(extra: Record<string, string> = {}, from?: FakePulumiWorld) {
    if (from) cpSync(from.repo, this.repo, { recursive: true });
    this.env = {
      PATH: `${FAKE_PULUMI_DIR}${path.delimiter}${process.env["PATH"] ?? ""}`,
      HOME: this.repo,
      PULUMI_HOME: path.join(this.repo, ".pulumi-home"),
      PULUMI_BACKEND_URL: pathToFileURL(this.backend).href,
      PULUMI_CONFIG_PASSPHRASE: "test",
      ARM_CLIENT_ID: "c",
      ARM_TENANT_ID: "t",
      ARM_CLIENT_SECRET: "s",
      ARM_SUBSCRIPTION_ID: "00000000-0000-0000-0000-000000000000",
      FAKE_PULUMI_CONTROL: this.controlFile,
      ...extra,
    };
  }

  /** The Automation API runs `pulumi` from this process's PATH: point it at the fake while a test runs. */
  install(): void {
    for (const k of ["PATH", "PULUMI_HOME", "FAKE_PULUMI_CONTROL", "FAKE_PULUMI_VERSION", "FAKE_PULUMI_QUALIFIED_NAMES"]) {
      this.saved[k] = process.env[k];
      if (this.env[k] === undefined) delete process.env[k];
      else process.env[k] = this.env[k];
    }
  }

  uninstall(): void {
    for (const [k, v] of Object.entries(this.saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }

  engine(): PulumiEngine {
    return new PulumiEngine({ env: this.env, repoRoot: this.repo });
  }

  control(c: FakeControl): void {
    writeFileSync(this.controlFile, JSON.stringify(c));
  }

  /** Every counted CLI call so far (argv, without `version`), in order. */
  calls(): string[][] {
    const dir = path.join(this.backend, ".fake-pulumi", "calls");
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .map(Number)
      .sort((a, b) => a - b)
      .map((n) => {
        const file = path.join(dir, String(n), "argv.json");
        return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as string[]) : ["(crashed before writing)"];
      });
  }

  tags(stack: string): Record<string, string> {
    const file = path.join(this.backend, ".pulumi", "stacks", PROJECT_NAME, `${stack}.pulumi-tags`);
    return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as { tags: Record<string, string> }).tags : {};
  }

  deployment(stack: string): { resources: { urn: string; type: string }[]; pending_operations?: { type: string }[] } {
    const file = path.join(this.backend, ".pulumi", "stacks", PROJECT_NAME, `${stack}.json`);
    return (JSON.parse(readFileSync(file, "utf8")) as { checkpoint: { latest: never } }).checkpoint.latest;
  }

  /** The stacks the backend holds (their checkpoint files), sorted. */
  stacks(): string[] {
    const dir = path.join(this.backend, ".pulumi", "stacks", PROJECT_NAME);
    return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5)).sort() : [];
  }

  /** The stack's outputs as its checkpoint holds them (the root resource's). */
  outputs(stack: string): Record<string, unknown> {
    const root = (this.deployment(stack).resources as { type: string; outputs?: Record<string, unknown> }[]).find((r) => r.type === "pulumi:pulumi:Stack");
    return root?.outputs ?? {};
  }

  lockFiles(stack: string): string[] {
    const dir = path.join(this.backend, ".pulumi", "locks", "organization", PROJECT_NAME, stack);
    // Lock files only: the DIY backend counts `<id>.json` blobs (pkg/backend/diy/lock.go); a blob being
    // written is a temporary file beside them, which no listing of locks sees.
    return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".json")).map((f) => path.join(dir, f)) : [];
  }

  /** Everything in the stack's lock folder, half-written blobs included. */
  lockDirEntries(stack: string): string[] {
    const dir = path.join(this.backend, ".pulumi", "locks", "organization", PROJECT_NAME, stack);
    return existsSync(dir) ? readdirSync(dir) : [];
  }
}
