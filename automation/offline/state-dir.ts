import * as path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The repository root: this file is automation/offline/state-dir.ts, or its precompiled copy
 * dist/automation/offline/state-dir.js (scripts/build.mjs), whose state must be the same folder.
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
