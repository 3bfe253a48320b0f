import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import * as path from "node:path";
import { REPO_ROOT } from "../offline/state-dir.js";

/**
 * The shop API image's build context: the repository root (the workload embeds the reference
 * health service from stamp/health and the settings contract from stamp/app-settings.ts), with
 * `workload/Dockerfile`. `.dockerignore` at the root lets only `CONTEXT_PATHS` in; the offline
 * build hashes the same paths, so its digest changes exactly when the image's input does.
 */
export const BUILD_CONTEXT_ROOT = REPO_ROOT;
export const DOCKERFILE = "workload/Dockerfile";

/** Every path the Dockerfile copies (kept in step with .dockerignore, which a test checks). */
export const CONTEXT_PATHS = [
  "workload",
  "stamp/health",
  "stamp/app-settings.ts",
  "environments/duration.ts",
  "environments/errors.ts",
  "global/cosmos-containers.ts",
] as const;

/** Never part of the context, wherever they appear (local installs and build output). */
const EXCLUDED = new Set(["node_modules", "dist"]);

/** sha256 over the context's file names and bytes, in a stable order: the offline image's digest. */
export async function contextDigest(root: string = BUILD_CONTEXT_ROOT): Promise<string> {
  const hash = createHash("sha256");
  const add = async (relative: string): Promise<void> => {
    const full = path.join(root, relative);
    let entries;
    try {
      entries = await readdir(full, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOTDIR") throw err;
      hash.update(`${relative}\0`);
      hash.update(await readFile(full));
      return;
    }
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (EXCLUDED.has(entry.name)) continue;
      await add(path.posix.join(relative, entry.name));
    }
  };
  for (const p of CONTEXT_PATHS) await add(p);
  return `sha256:${hash.digest("hex")}`;
}
