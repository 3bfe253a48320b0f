import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { InputError } from "../../environments/errors.js";
import type { Engine } from "../engine/port.js";

/**
 * Where the release lock of an environment lives (pure: env vars and the engine in, a place out).
 * One release per environment at a time only holds if every runner that can release takes the
 * SAME lock, so the lock lives where the state lives:
 *  - CONTOSO_RELEASE_LOCK, when set, wins: `azblob://<container>[?storage_account=<acct>]` or `file:///abs/path`;
 *  - an `azblob://` Pulumi backend: a blob lease in that container and storage account;
 *  - a `file://` Pulumi backend: the lock file inside the backend folder (runners sharing it share the lock);
 *  - Pulumi Cloud (or another backend we cannot lock in): the lock file in the engine's state
 *    folder, with a warning that it only serialises releases from this machine;
 *  - the offline engine: the lock file in its state folder (its stacks live there too).
 */

export type ReleaseLockLocation =
  | { kind: "file"; dir: string }
  | {
      kind: "blob";
      account: string;
      container: string;
      /** The account's blob service URL, e.g. `https://<acct>.blob.core.windows.net`. */
      serviceUrl: string;
      /** Folder inside the container where the lock blobs go (`.contoso/locks/`, under the backend's path prefix if any). */
      blobPrefix: string;
    };

export interface LockPlacement {
  location: ReleaseLockLocation;
  /** Why the lock lives there, for messages. */
  source: "CONTOSO_RELEASE_LOCK" | "Pulumi backend" | "engine state";
  /** One line for the operator when the lock does not protect against runners on other machines. */
  warning?: string;
}

export const RELEASE_LOCK_VAR = "CONTOSO_RELEASE_LOCK";
/** Lock blobs and lock files sit in this folder of the shared place, beside (never inside) Pulumi's own `.pulumi/`. */
const LOCK_FOLDER = ".contoso";

export function releaseLockPlacement(engine: Pick<Engine, "kind" | "stateDir" | "backendUrl">, env: NodeJS.ProcessEnv): LockPlacement {
  const override = env[RELEASE_LOCK_VAR]?.trim();
  if (override) return { location: parseOverride(override, env), source: RELEASE_LOCK_VAR };
  const backend = engine.kind === "pulumi" ? engine.backendUrl : undefined;
  if (backend?.startsWith("azblob://")) return { location: blobLocation(backend, env, "PULUMI_BACKEND_URL"), source: "Pulumi backend" };
  if (backend?.startsWith("file://")) {
    return { location: { kind: "file", dir: path.join(fileURLToPath(backend.split("?")[0]!), LOCK_FOLDER) }, source: "Pulumi backend" };
  }
  const placement: LockPlacement = { location: { kind: "file", dir: engine.stateDir }, source: "engine state" };
  if (backend) {
    placement.warning =
      `the release lock is per machine with the backend ${backend} (${describeBackend(backend)}): ` +
      `runners on other machines can release at the same time; set ${RELEASE_LOCK_VAR}=azblob://<container>?storage_account=<account> to share one`;
  }
  return placement;
}

/** Where a placement is, in the words an operator searches for (a path or a blob URL). */
export function describeLocation(location: ReleaseLockLocation): string {
  return location.kind === "file" ? path.join(location.dir, "locks") : `${location.serviceUrl}/${location.container}/${location.blobPrefix}`;
}

function describeBackend(url: string): string {
  return /^https?:\/\//.test(url) ? "Pulumi Cloud holds stack locks, not ours" : "no lock of ours lives there";
}

function parseOverride(value: string, env: NodeJS.ProcessEnv): ReleaseLockLocation {
  if (value.startsWith("azblob://")) return blobLocation(value, env, RELEASE_LOCK_VAR);
  if (value.startsWith("file://")) {
    let dir: string;
    try {
      dir = fileURLToPath(value);
    } catch {
      throw new InputError(`${RELEASE_LOCK_VAR} "${value}" is not a file URL: use file:///absolute/folder`);
    }
    if (!path.isAbsolute(dir) || !value.startsWith("file:///")) {
      throw new InputError(`${RELEASE_LOCK_VAR} "${value}" must name an absolute folder: use file:///absolute/folder`);
    }
    return { kind: "file", dir };
  }
  throw new InputError(`${RELEASE_LOCK_VAR} "${value}" must be azblob://<container>[?storage_account=<account>] or file:///absolute/folder`);
}

/**
 * An `azblob://` URL, read the way Pulumi's azblob backend (Go CDK) reads it: the host is the
 * container, a path is a prefix inside it, the query may name `storage_account`, `domain`,
 * `protocol` and `localemu`; otherwise AZURE_STORAGE_ACCOUNT, AZURE_STORAGE_DOMAIN,
 * AZURE_STORAGE_PROTOCOL and AZURE_STORAGE_IS_LOCAL_EMULATOR apply.
 */
function blobLocation(value: string, env: NodeJS.ProcessEnv, from: string): ReleaseLockLocation {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InputError(`${from} "${value}" is not a URL: use azblob://<container>[?storage_account=<account>]`);
  }
  const container = url.hostname;
  if (!/^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/.test(container)) {
    throw new InputError(`${from} "${value}": container "${container}" must be 3-63 lowercase letters, digits and single hyphens (azblob://<container>)`);
  }
  const account = url.searchParams.get("storage_account")?.trim() || env["AZURE_STORAGE_ACCOUNT"]?.trim();
  if (!account) {
    throw new InputError(`${from} "${value}" names no storage account: set AZURE_STORAGE_ACCOUNT or add ?storage_account=<account> to the URL`);
  }
  if (!/^[a-z0-9]{3,24}$/.test(account)) throw new InputError(`storage account "${account}" must be 3-24 lowercase letters and digits`);
  const protocol = url.searchParams.get("protocol")?.trim() || env["AZURE_STORAGE_PROTOCOL"]?.trim() || undefined;
  if (protocol !== undefined && protocol !== "https" && protocol !== "http") {
    throw new InputError(`storage protocol "${protocol}" (AZURE_STORAGE_PROTOCOL or ?protocol=) must be https or http`);
  }
  const emulator = isTrue(url.searchParams.get("localemu") ?? env["AZURE_STORAGE_IS_LOCAL_EMULATOR"]);
  const domain = url.searchParams.get("domain")?.trim() || env["AZURE_STORAGE_DOMAIN"]?.trim() || (emulator ? "localhost:10000" : "core.windows.net");
  if (!/^[a-z0-9.-]+(:\d{1,5})?$/i.test(domain)) throw new InputError(`storage domain "${domain}" (AZURE_STORAGE_DOMAIN or ?domain=) must be a host name, e.g. core.windows.net`);
  // An emulator (Azurite) serves every account from one host, the account being the first path segment.
  const serviceUrl = emulator ? `${protocol ?? "http"}://${domain}/${account}` : `${protocol ?? "https"}://${account}.blob.${domain}`;
  const prefix = url.pathname.replace(/^\/+|\/+$/g, "");
  return { kind: "blob", account, container, serviceUrl, blobPrefix: `${prefix ? `${prefix}/` : ""}${LOCK_FOLDER}/locks/` };
}

function isTrue(value: string | null | undefined): boolean {
  return value !== null && value !== undefined && /^(1|true|yes)$/i.test(value.trim());
}
