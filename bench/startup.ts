import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/**
 * Start-up costs, each in a new node process as a user meets them: `contoso --help` and
 * `contoso stacks ls` (offline; neither may load a Pulumi program or the Azure SDK), and
 * evaluating prod's programs under mocks. Peak memory is the child's own maxRSS, written at exit by
 * a preloaded module (child/report-usage.mjs), so no external tool is needed.
 */

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(HERE, "..");
const USAGE_REPORTER = pathToFileURL(path.join(HERE, "child", "report-usage.mjs")).href;

export interface ProcessRun {
  wallMs: number;
  maxRssMb: number;
  cpuMs: number;
  stdout: string;
}

export interface StartupFigure {
  /** Median of the runs (the first run is as cold as the machine's file cache allows). */
  wallMs: number;
  maxRssMb: number;
  runs: number[];
}

/** The environment of a user with no cloud configured: the CLI picks the offline engine. */
export function offlineCliEnv(stateDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith("ARM_") || k.startsWith("PULUMI_") || k.startsWith("CONTOSO_") || k === "AZURE_CONFIG_DIR" || k === "CI") continue;
    env[k] = v;
  }
  env["AZURE_CONFIG_DIR"] = path.join(os.tmpdir(), "contoso-bench-no-azure-cli");
  env["CONTOSO_STATE_DIR"] = stateDir;
  env["CONTOSO_OWNER"] = "bench";
  return env;
}

export async function timeProcess(args: string[], env: NodeJS.ProcessEnv): Promise<ProcessRun> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "contoso-bench-usage-"));
  const usageFile = path.join(dir, "usage.json");
  try {
    const started = performance.now();
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ["--import", USAGE_REPORTER, ...args], {
        cwd: REPO,
        env: { ...env, CONTOSO_BENCH_USAGE_FILE: usageFile },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      let err = "";
      child.stdout.on("data", (d) => (out += d));
      child.stderr.on("data", (d) => (err += d));
      child.on("error", reject);
      child.on("close", (c) => resolve({ code: c, stdout: out, stderr: err }));
    });
    const wallMs = performance.now() - started;
    if (code !== 0) throw new Error(`node ${args.join(" ")} exited ${code}: ${stderr.trim().split("\n").slice(-3).join(" | ")}`);
    const usage = JSON.parse(await readFile(usageFile, "utf8")) as { maxRssKb: number; userCpuUs: number; systemCpuUs: number };
    return { wallMs, maxRssMb: usage.maxRssKb / 1024, cpuMs: (usage.userCpuUs + usage.systemCpuUs) / 1000, stdout };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** `contoso <args>` through the published launcher (bin/contoso.js), `runs` times. */
export async function timeCli(args: string[], stateDir: string, runs: number): Promise<StartupFigure> {
  const results: ProcessRun[] = [];
  for (let i = 0; i < runs; i++) results.push(await timeProcess([path.join(REPO, "bin", "contoso.js"), ...args], offlineCliEnv(stateDir)));
  return { wallMs: median(results.map((r) => r.wallMs)), maxRssMb: Math.max(...results.map((r) => r.maxRssMb)), runs: results.map((r) => r.wallMs) };
}

export interface ProgramEvaluation {
  /** Whole process, spawn to exit. */
  wallMs: number;
  /** Evaluating global + every stamp (including loading the programs' modules). */
  evaluateMs: number;
  maxRssMb: number;
  stacks: number;
  resources: number;
}

/** prod's global program and every stamp program under mocks, in a new process. */
export async function timeProgramEvaluation(): Promise<ProgramEvaluation> {
  const run = await timeProcess(["--import", "tsx", path.join(HERE, "child", "evaluate-prod.ts")], offlineCliEnv(os.tmpdir()));
  const line = run.stdout.trim().split("\n").pop() ?? "";
  const reported = JSON.parse(line) as { evaluateMs: number; stacks: number; resources: number };
  return { wallMs: run.wallMs, evaluateMs: reported.evaluateMs, maxRssMb: run.maxRssMb, stacks: reported.stacks, resources: reported.resources };
}
