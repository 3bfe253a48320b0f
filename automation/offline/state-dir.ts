import * as path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The repository root: this file is automation/offline/state-dir.ts, or a chunk of a CLI bundle
 * two folders under the repository (dist/app/ from scripts/build.mjs, dist/cli/ in the tests),
 * whose state must be the same folder. (An unbundled copy at dist/automation/offline/ is still
 * recognised by its parent being dist.)
 */
const HERE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const REPO_ROOT = path.basename(HERE_ROOT) === "dist" ? path.dirname(HERE_ROOT) : HERE_ROOT;

/**
 * Where the offline engine keeps stacks, locks and fault counters: CONTOSO_STATE_DIR, or
 * `.contoso/offline` in the repository (ignored by git). Resolving it touches nothing on disk.
 */
export function offlineStateDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env["CONTOSO_STATE_DIR"];
  return fromEnv && fromEnv.trim() !== "" ? path.resolve(fromEnv) : path.join(REPO_ROOT, ".contoso", "offline");
}
