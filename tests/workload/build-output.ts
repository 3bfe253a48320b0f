import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { REPO, tempDir } from "../automation/cli-harness.js";

/**
 * The workload as the image holds it: `tsc -p workload/tsconfig.json` into dist/ (the build
 * stage), beside workload/package.json and a node_modules with the production dependencies only
 * (the runtime stage's `npm ci --omit=dev`): each `dependencies` entry linked from the repository's
 * install, nothing else. A folder outside the repository, so no parent node_modules can lend a
 * package the image would not have.
 */
export interface WorkloadBuild {
  dir: string;
  /** `node <dir>/dist/workload/src/main.js`: the image's CMD. */
  main: string;
  productionDependencies: string[];
}

let build: Promise<WorkloadBuild> | undefined;
const created: string[] = [];
process.on("exit", () => {
  for (const dir of created) rmSync(dir, { recursive: true, force: true });
});

export function workloadBuild(): Promise<WorkloadBuild> {
  build ??= (async () => {
    const dir = tempDir("workload-image");
    created.push(dir);
    await promisify(execFile)(process.execPath, [path.join(REPO, "node_modules", "typescript", "bin", "tsc"), "-p", path.join(REPO, "workload", "tsconfig.json"), "--outDir", path.join(dir, "dist")], { cwd: REPO });
    const manifest = JSON.parse(readFileSync(path.join(REPO, "workload", "package.json"), "utf8")) as { dependencies: Record<string, string> };
    writeFileSync(path.join(dir, "package.json"), JSON.stringify(manifest, null, 2));
    const productionDependencies = Object.keys(manifest.dependencies);
    for (const name of productionDependencies) {
      const link = path.join(dir, "node_modules", name);
      mkdirSync(path.dirname(link), { recursive: true });
      symlinkSync(path.join(REPO, "node_modules", name), link, "dir");
    }
    return { dir, main: path.join(dir, "dist", "workload", "src", "main.js"), productionDependencies };
  })();
  return build;
}

/** Copies a test fixture next to dist/, so its imports resolve as the image's would. */
export function besideBuild(build: WorkloadBuild, fixture: string): string {
  const target = path.join(build.dir, path.basename(fixture));
  copyFileSync(fixture, target);
  return target;
}
