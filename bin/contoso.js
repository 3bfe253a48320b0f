#!/usr/bin/env node
// Launcher for `npx contoso`. Runs the precompiled bundle in dist/app/ (`npm run build`, also run by
// `npm install`) when it is newer than every source file: start-up then pays neither tsx's loader
// nor its transpiler (about 100 ms of every command). Otherwise (a fresh clone, a source edited
// since the build, CONTOSO_NO_BUILD=1) it registers tsx and runs the TypeScript sources, so an edit
// is never shadowed by a stale build.
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { freshBuild } from "./build-freshness.js";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

let main;
if (freshBuild(REPO)) {
  ({ main } = await import(pathToFileURL(path.join(REPO, "dist", "app", "main.mjs")).href));
} else {
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import("../automation/cli/main.ts"));
}
process.exitCode = await main();
