import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { cliEntryArgs } from "../setup/cli-build.js";

/** Runs the `contoso` CLI as a user would (a new node process), with a clean, offline environment. */

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const MAIN = path.join(REPO, "automation", "cli", "main.ts");

/**
 * The node arguments that start the CLI (before its own arguments): the build the test run compiled
 * once (tests/setup/cli-build.ts), or the sources through tsx when there is none. Spawn
 * `process.execPath` with `[...nodeOptions, ...cliCommand(), ...cliArgs]`.
 */
export function cliCommand(): string[] {
  return cliEntryArgs();
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Non-empty stderr lines. */
  errLines: string[];
}

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `contoso-${prefix}-`));
}

/**
 * process.env without anything that would select the real engine or point at real state. CI is
 * removed too: these runs are a user's, whose default with no cloud is the offline engine (in CI
 * that default is refused; tests/automation/ci-engine.test.ts sets CI=true explicitly).
 */
export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith("ARM_") || k.startsWith("PULUMI_") || k.startsWith("CONTOSO_") || k === "AZURE_CONFIG_DIR" || k === "CI") continue;
    env[k] = v;
  }
  env["AZURE_CONFIG_DIR"] = path.join(os.tmpdir(), "contoso-no-azure-cli");
  env["CONTOSO_OFFLINE_TIME_SCALE"] = "0.00001";
  env["CONTOSO_OWNER"] = "tester";
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

export function runCli(args: string[], env: NodeJS.ProcessEnv, nodeArgs: string[] = []): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, ...cliCommand(), ...args], { cwd: REPO, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code, signal) =>
      resolve({ code, signal, stdout, stderr, errLines: stderr.split("\n").filter((l) => l.trim() !== "") }),
    );
  });
}

/** A digest of every file (path and bytes) under a folder; "absent" when it does not exist. */
export function folderDigest(dir: string): string {
  if (!existsSync(dir)) return "absent";
  const hash = createHash("sha256");
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const full = path.join(d, name);
      hash.update(path.relative(dir, full));
      if (statSync(full).isDirectory()) walk(full);
      else hash.update(readFileSync(full));
    }
  };
  walk(dir);
  return hash.digest("hex");
}
