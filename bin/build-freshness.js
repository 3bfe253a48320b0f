// Whether dist/ (scripts/build.mjs) may run instead of the TypeScript sources: it exists, its build
// finished (build-info.json is written last) and no source file changed after it. Plain JavaScript,
// so the launcher can ask before any loader is registered.
import { readdirSync, statSync } from "node:fs";
import * as path from "node:path";

export const SOURCE_DIRS = ["automation", "environments", "global", "stamp"];

export function freshBuild(repo, env = process.env) {
  if (env.CONTOSO_NO_BUILD === "1") return false;
  let builtAt;
  try {
    builtAt = statSync(path.join(repo, "dist", "build-info.json")).mtimeMs;
  } catch {
    return false;
  }
  for (const dir of SOURCE_DIRS) {
    let entries;
    try {
      entries = readdirSync(path.join(repo, dir), { withFileTypes: true, recursive: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (entry.isFile() && entry.name.endsWith(".ts") && statSync(path.join(entry.parentPath, entry.name)).mtimeMs > builtAt) return false;
    }
  }
  return true;
}
