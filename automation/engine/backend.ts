import * as path from "node:path";
import { pathToFileURL } from "node:url";

/**
 * Which Pulumi backend the real engine uses, and which secrets provider goes with it.
 * Default: the embedded local file backend in the project folder (`file://<repo>/.pulumi-state`),
 * so nobody needs a Pulumi Cloud account. PULUMI_BACKEND_URL overrides it: `azblob://<container>`
 * for teams and pipelines (with AZURE_STORAGE_ACCOUNT), `https://api.pulumi.com` for Pulumi Cloud.
 * Self-managed ("DIY") backends encrypt secrets with a passphrase unless CONTOSO_SECRETS_PROVIDER
 * names another provider (e.g. `azurekeyvault://<vault>.vault.azure.net/keys/<key>`).
 */

export interface BackendChoice {
  url: string;
  /** `file://` backend: the folder holding state, created before first use. */
  localPath?: string;
  /** Where the URL came from, named in messages. */
  source: "PULUMI_BACKEND_URL" | "project folder";
  /** Secrets provider for new stacks; undefined lets Pulumi Cloud use its own. */
  secretsProvider?: string;
}

export const LOCAL_BACKEND_FOLDER = ".pulumi-state";

export function chooseBackend(env: NodeJS.ProcessEnv, repoRoot: string): BackendChoice {
  const fromEnv = env["PULUMI_BACKEND_URL"]?.trim();
  const url = fromEnv ? fromEnv : pathToFileURL(path.join(repoRoot, LOCAL_BACKEND_FOLDER)).href;
  const choice: BackendChoice = { url, source: fromEnv ? "PULUMI_BACKEND_URL" : "project folder" };
  if (url.startsWith("file://")) {
    const rest = url.slice("file://".length).split("?")[0]!;
    // `file://~` is Pulumi's shorthand for the home folder; a relative path is relative to the work dir, so we resolve it from the repo.
    choice.localPath = rest.startsWith("~")
      ? path.join(env["HOME"] ?? "~", rest.slice(1))
      : path.isAbsolute(rest)
        ? decodeURIComponent(rest)
        : path.resolve(repoRoot, rest);
    choice.url = pathToFileURL(choice.localPath).href;
  }
  const secrets = env["CONTOSO_SECRETS_PROVIDER"]?.trim();
  if (secrets) choice.secretsProvider = secrets;
  else if (isSelfManaged(choice.url)) choice.secretsProvider = "passphrase";
  return choice;
}

/** Backends that keep state in a file system or bucket (no service to hold secrets keys or locks). */
export function isSelfManaged(url: string): boolean {
  return /^(file|azblob|s3|gs):\/\//.test(url);
}

/** A passphrase provider needs the passphrase; otherwise the CLI would prompt or fail mid-update. */
export function missingPassphrase(choice: BackendChoice, env: NodeJS.ProcessEnv): string | undefined {
  if (choice.secretsProvider !== "passphrase") return undefined;
  if (env["PULUMI_CONFIG_PASSPHRASE"] !== undefined || env["PULUMI_CONFIG_PASSPHRASE_FILE"]) return undefined;
  return (
    `the ${choice.source === "project folder" ? "local" : "self-managed"} Pulumi backend (${choice.url}) encrypts secrets with a passphrase: ` +
    `set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE), or CONTOSO_SECRETS_PROVIDER=azurekeyvault://...`
  );
}
