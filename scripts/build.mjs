// Precompiles the driver (automation/, environments/, global/, stamp/) into one bundle in dist/app/
// (scripts/cli-bundle.mjs), so `bin/contoso.js` starts without tsx's loader and transpiler and
// without opening ~200 module files. esbuild only strips types: `npm run typecheck` stays the type
// check. bin/contoso.js uses dist/ only while it is newer than every source file.
import { rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { bundleCli, REPO } from "./cli-bundle.mjs";

const dist = path.join(REPO, "dist");
// Only this build's own output: dist/cli-<pid>/ are test runs' bundles (tests/setup/cli-build.ts).
rmSync(path.join(dist, "build-info.json"), { force: true });
// The unbundled layout of earlier builds (one file per source) is not used any more.
for (const dir of ["automation", "environments", "global", "stamp"]) rmSync(path.join(dist, dir), { recursive: true, force: true });
const entry = await bundleCli(path.join(dist, "app"));
// Written last: a build that failed half-way leaves no marker, and the launcher falls back to tsx.
writeFileSync(path.join(dist, "build-info.json"), JSON.stringify({ builtAt: new Date().toISOString(), entry: path.relative(REPO, entry) }));
process.stdout.write(`built the CLI into ${path.relative(REPO, path.dirname(entry))}/\n`);
