import { execFile } from "node:child_process";
import { accessSync, constants, readFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/**
 * What the real engine needs before it touches any stack: the `pulumi` CLI, Azure credentials and
 * a subscription. Each check returns a one-line problem (what to install or set) or a finding, and
 * takes its environment, file system and process runner as arguments so tests can fake them.
 */

export const PULUMI_INSTALL_HINT = "https://www.pulumi.com/docs/install/";

export interface PrerequisiteProbe {
  env: NodeJS.ProcessEnv;
  /** Whether a file exists and is executable. */
  isExecutable(file: string): boolean;
  /** A text file's content, or undefined when it cannot be read. */
  readText(file: string): string | undefined;
  /** Runs a command; resolves with stdout, rejects when it fails or is missing. */
  run(command: string, args: string[]): Promise<string>;
}

export function systemProbe(env: NodeJS.ProcessEnv = process.env): PrerequisiteProbe {
  return {
    env,
    isExecutable(file) {
      try {
        accessSync(file, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    },
    readText(file) {
      try {
        return readFileSync(file, "utf8");
      } catch {
        return undefined;
      }
    },
    run(command, args) {
      return new Promise((resolve, reject) => {
        execFile(command, args, { env, timeout: 20_000, windowsHide: true }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
      });
    },
  };
}

function executableNames(name: string): string[] {
  return process.platform === "win32" ? [`${name}.exe`, `${name}.cmd`, name] : [name];
}

/** The first `name` on PATH, or undefined. */
export function findOnPath(name: string, probe: PrerequisiteProbe): string | undefined {
  const dirs = (probe.env["PATH"] ?? "").split(path.delimiter).filter((d) => d !== "");
  for (const dir of dirs) {
    for (const file of executableNames(name)) {
      const candidate = path.join(dir, file);
      if (probe.isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

export type PulumiCliFinding = { found: true; command: string; root?: string } | { found: false; problem: string };

/**
 * The Pulumi CLI: on PATH, or where its installer puts it (`$PULUMI_HOME/bin`, default `~/.pulumi/bin`).
 * `root` is set for the latter, for the Automation API's `PulumiCommand.get({ root })`.
 */
export function findPulumiCli(probe: PrerequisiteProbe): PulumiCliFinding {
  const onPath = findOnPath("pulumi", probe);
  if (onPath) return { found: true, command: onPath };
  const home = probe.env["PULUMI_HOME"] || path.join(probe.env["HOME"] || os.homedir(), ".pulumi");
  for (const file of executableNames("pulumi")) {
    const candidate = path.join(home, "bin", file);
    if (probe.isExecutable(candidate)) return { found: true, command: candidate, root: home };
  }
  return {
    found: false,
    problem: `the pulumi CLI is not installed (not on PATH, not in ${path.join(home, "bin")}): install it from ${PULUMI_INSTALL_HINT}, or set PULUMI_HOME to the folder it is installed in, or use --offline`,
  };
}

export type AzureCredentialFinding =
  | { found: true; via: string; subscriptionId?: string }
  | { found: false; problem: string };

const truthy = (v: string | undefined) => v !== undefined && /^(1|true|yes)$/i.test(v.trim());

/**
 * Azure credentials, as azure-native reads them: a service principal or workload identity in ARM_*
 * variables, a managed identity, or an Azure CLI login (checked with `az account show`, which also
 * gives the subscription when ARM_SUBSCRIPTION_ID is not set).
 */
export async function findAzureCredentials(probe: PrerequisiteProbe): Promise<AzureCredentialFinding> {
  const env = probe.env;
  const subscriptionId = env["ARM_SUBSCRIPTION_ID"]?.trim() || undefined;
  const withSubscription = (via: string, fromCli?: string): AzureCredentialFinding => {
    const sub = subscriptionId ?? fromCli;
    if (!sub) {
      return { found: false, problem: `Azure credentials found (${via}) but no subscription: set ARM_SUBSCRIPTION_ID` };
    }
    return { found: true, via, subscriptionId: sub };
  };
  if (truthy(env["ARM_USE_MSI"])) return withSubscription("managed identity (ARM_USE_MSI)");
  if (env["ARM_CLIENT_ID"] && env["ARM_TENANT_ID"]) {
    if (env["ARM_CLIENT_SECRET"]) return withSubscription("service principal (ARM_CLIENT_ID, ARM_CLIENT_SECRET)");
    if (truthy(env["ARM_USE_OIDC"])) return withSubscription("workload identity (ARM_USE_OIDC)");
    if (env["ARM_CLIENT_CERTIFICATE_PATH"]) return withSubscription("service principal certificate (ARM_CLIENT_CERTIFICATE_PATH)");
  }
  const az = findOnPath("az", probe);
  if (az) {
    try {
      const account = JSON.parse(await probe.run(az, ["account", "show", "--output", "json"])) as { id?: string };
      return withSubscription("Azure CLI login", account.id);
    } catch {
      // Not logged in (or the CLI is broken): fall through to the one-line advice.
    }
  }
  return {
    found: false,
    problem:
      "no Azure credentials: run `az login`, or set ARM_CLIENT_ID and ARM_TENANT_ID with ARM_CLIENT_SECRET or ARM_USE_OIDC=true (or ARM_USE_MSI=true), plus ARM_SUBSCRIPTION_ID; or use --offline",
  };
}

/** Whether any cloud configuration is present (without running anything): decides the default engine. */
export function cloudConfigured(probe: PrerequisiteProbe): { configured: boolean; reason: string } {
  const env = probe.env;
  if (env["PULUMI_BACKEND_URL"]?.trim()) return { configured: true, reason: "PULUMI_BACKEND_URL is set" };
  const armVars = Object.keys(env).filter((k) => k.startsWith("ARM_") && (env[k] ?? "") !== "");
  if (armVars.length > 0) return { configured: true, reason: `${armVars.sort()[0]} is set` };
  if (findOnPath("az", probe) && azureCliHasSubscriptions(probe)) return { configured: true, reason: "an Azure CLI login was found" };
  return { configured: false, reason: "no Azure credentials found" };
}

/** The Azure CLI's profile lists subscriptions only while someone is logged in; reading it is cheaper than running `az`. */
function azureCliHasSubscriptions(probe: PrerequisiteProbe): boolean {
  const dir = probe.env["AZURE_CONFIG_DIR"] || path.join(probe.env["HOME"] || os.homedir(), ".azure");
  const text = probe.readText(path.join(dir, "azureProfile.json"));
  if (!text) return false;
  try {
    const profile = JSON.parse(text.replace(/^\uFEFF/, "")) as { subscriptions?: unknown[] };
    return Array.isArray(profile.subscriptions) && profile.subscriptions.length > 0;
  } catch {
    return false;
  }
}
