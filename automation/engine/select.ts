import { InputError } from "../../environments/errors.js";
import type { Engine, EngineKind } from "./port.js";
import { cloudConfigured, systemProbe, type PrerequisiteProbe } from "./prerequisites.js";

/**
 * Which engine a command uses: `--offline` or `--engine offline|pulumi` when given; otherwise
 * offline when no cloud is configured (no PULUMI_BACKEND_URL, no ARM_* variables, no Azure CLI
 * login), so a fresh clone rehearses everything without an account. The reason is part of the
 * line the CLI prints on every command, so nobody wonders where their stacks went. In CI (CI set)
 * that fallback is refused: the offline engine runs there only when asked for.
 * Engines are imported lazily: the Pulumi engine loads the Automation API, which `--help` and
 * the offline `stacks ls` never need.
 */

export interface EngineChoice {
  kind: EngineKind;
  reason: string;
}

export interface EngineFlags {
  offline?: boolean;
  engine?: string;
}

export function chooseEngine(flags: EngineFlags, probe: PrerequisiteProbe = systemProbe()): EngineChoice {
  if (flags.engine !== undefined && flags.engine !== "offline" && flags.engine !== "pulumi") {
    throw new InputError(`--engine "${flags.engine}" must be "pulumi" or "offline"`);
  }
  if (flags.offline && flags.engine === "pulumi") throw new InputError("--offline and --engine pulumi contradict each other: pick one");
  if (flags.offline) return { kind: "offline", reason: "--offline" };
  if (flags.engine) return { kind: flags.engine as EngineKind, reason: `--engine ${flags.engine}` };
  const fromEnv = probe.env["CONTOSO_ENGINE"]?.trim();
  if (fromEnv === "offline" || fromEnv === "pulumi") return { kind: fromEnv, reason: "CONTOSO_ENGINE" };
  if (fromEnv) throw new InputError(`CONTOSO_ENGINE "${fromEnv}" must be "pulumi" or "offline"`);
  const cloud = cloudConfigured(probe);
  if (cloud.configured) return { kind: "pulumi", reason: cloud.reason };
  // In a pipeline, a silent fallback to the offline engine would "deploy" nothing and report
  // success: there it runs only when asked for.
  if (inCi(probe.env)) {
    throw new InputError(`CI is set and no cloud is configured (${cloud.reason}): configure Azure and a Pulumi backend, or ask for the offline engine with --offline`);
  }
  return { kind: "offline", reason: cloud.reason };
}

/** CI=true (GitHub Actions, Azure Pipelines, GitLab and most others set it); "false" or "0" mean no. */
export function inCi(env: NodeJS.ProcessEnv): boolean {
  const ci = env["CI"]?.trim().toLowerCase();
  return ci !== undefined && ci !== "" && ci !== "false" && ci !== "0";
}

export async function createEngine(choice: EngineChoice, env: NodeJS.ProcessEnv = process.env): Promise<Engine> {
  if (choice.kind === "offline") {
    const { OfflineEngine } = await import("../offline/offline-engine.js");
    return new OfflineEngine({ env });
  }
  const { PulumiEngine } = await import("./pulumi-engine.js");
  return new PulumiEngine({ env });
}

/** The line printed (stderr) on every command, e.g. `engine: offline (state in .contoso/offline; no Azure credentials found)`. */
export function engineLine(engine: Engine, choice: EngineChoice): string {
  const d = engine.description;
  return d.endsWith(")") ? `engine: ${d.slice(0, -1)}; ${choice.reason})` : `engine: ${d} (${choice.reason})`;
}
