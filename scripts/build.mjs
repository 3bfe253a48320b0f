// Precompiles the driver's TypeScript (automation/, environments/, global/, stamp/) to dist/, one
// JavaScript file per source file, so `bin/contoso.js` starts without tsx's loader and transpiler
// (about 100 ms of every command's start-up). esbuild only strips types: `npm run typecheck` stays
// the type check. bin/contoso.js uses dist/ only while it is newer than every source file.
import { build } from "esbuild";
import { readdirSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { SOURCE_DIRS } from "../bin/build-freshness.js";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
function sources(dir) {
  return readdirSync(path.join(REPO, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".d.ts"))
    .map((e) => path.join(e.parentPath, e.name));
}

const entryPoints = SOURCE_DIRS.flatMap(sources);
const dist = path.join(REPO, "dist");
// Only this build's own output: dist/cli/ is the test run's bundle (tests/setup/cli-build.ts).
rmSync(path.join(dist, "build-info.json"), { force: true });
for (const dir of SOURCE_DIRS) rmSync(path.join(dist, dir), { recursive: true, force: true });
await build({
  entryPoints,
  outdir: dist,
  outbase: REPO,
  format: "esm",
  platform: "node",
  target: "node20",
  bundle: false,
  logLevel: "warning",
});
// Written last: a build that failed half-way leaves no marker, and the launcher falls back to tsx.
writeFileSync(path.join(dist, "build-info.json"), JSON.stringify({ builtAt: new Date().toISOString(), files: entryPoints.length }));
process.stdout.write(`built ${entryPoints.length} files into dist/\n`);
