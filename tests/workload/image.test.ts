import { expect } from "chai";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { CONTEXT_PATHS, DOCKERFILE } from "../../automation/images/build-context.js";
import { CONTAINER_PORT } from "../../stamp/app-settings.js";
import { REPO } from "../automation/cli-harness.js";
import { workloadBuild } from "./build-output.js";

/**
 * The production image's recipe, checked without a Docker engine: stages, pinned base, production
 * dependencies only in the runtime stage, a non-root user, the port the stamp sets, an entry point
 * that the workload's build really produces, and a build context that holds what the Dockerfile copies.
 */
const dockerfile = readFileSync(path.join(REPO, DOCKERFILE), "utf8");
const instructions = dockerfile
  .split("\n")
  .map((l) => l.trim())
  .filter((l) => l !== "" && !l.startsWith("#"));
const stages = instructions.reduce<string[][]>((acc, line) => {
  if (/^FROM\s/i.test(line)) acc.push([line]);
  else acc[acc.length - 1]?.push(line);
  return acc;
}, []);

describe("workload image (Dockerfile, .dockerignore)", function () {
  this.timeout(300_000);

  it("is multi-stage from one base image pinned to an exact release (or a digest), never a floating tag", () => {
    expect(stages.map((s) => s[0])).to.deep.equal(["FROM ${NODE_IMAGE} AS build", "FROM ${NODE_IMAGE} AS runtime"]);
    const base = /^ARG NODE_IMAGE=(\S+)$/m.exec(dockerfile)?.[1];
    expect(base, "ARG NODE_IMAGE").to.be.a("string");
    expect(base).to.match(/^node:\d+\.\d+\.\d+-[a-z]+(-slim)?(@sha256:[a-f0-9]{64})?$|^node@sha256:[a-f0-9]{64}$/);
    // The Node.js major version the tests run the workload on.
    expect(base!.split(":")[1]!.split(".")[0]).to.equal(process.versions.node.split(".")[0]);
  });

  it("installs production dependencies only in the runtime stage, from the lock file, and copies in only the compiled output", () => {
    const runtime = stages[1]!;
    expect(runtime).to.include("RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force");
    expect(runtime.filter((l) => /^COPY\s/.test(l))).to.deep.equal([
      "COPY workload/package.json workload/package-lock.json ./",
      "COPY --from=build /app/workload/dist ./dist",
    ]);
    expect(runtime).to.include("ENV NODE_ENV=production");
    const lock = JSON.parse(readFileSync(path.join(REPO, "workload", "package-lock.json"), "utf8")) as { packages: Record<string, { dependencies?: Record<string, string> }> };
    const manifest = JSON.parse(readFileSync(path.join(REPO, "workload", "package.json"), "utf8")) as { dependencies: Record<string, string> };
    expect(lock.packages[""]?.dependencies, "the lock file matches package.json").to.deep.equal(manifest.dependencies);
  });

  it("runs as the non-root node user, exposes the port the stamp sets, and starts node directly", () => {
    const runtime = stages[1]!;
    expect(runtime).to.include("USER node");
    expect(runtime.indexOf("USER node")).to.be.greaterThan(runtime.findIndex((l) => l.startsWith("RUN npm ci")));
    expect(runtime).to.include(`EXPOSE ${CONTAINER_PORT}`);
    expect(runtime[runtime.length - 1]).to.equal('CMD ["node", "dist/workload/src/main.js"]');
  });

  it("the CMD's file is what the workload's build produces", async () => {
    const build = await workloadBuild();
    expect(existsSync(path.join(build.dir, "dist", "workload", "src", "main.js"))).to.equal(true);
    expect(build.main).to.equal(path.join(build.dir, "dist", "workload", "src", "main.js"));
  });

  it("every path the Dockerfile copies is in the build context .dockerignore admits, and the offline build digests the same paths", () => {
    const ignore = readFileSync(path.join(REPO, ".dockerignore"), "utf8").split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
    expect(ignore[0]).to.equal("*");
    const admitted = ignore.filter((l) => l.startsWith("!")).map((l) => l.slice(1));
    const copied = stages[0]!.filter((l) => /^COPY\s/.test(l) && !l.includes("--from")).flatMap((l) => l.split(/\s+/).slice(1, -1));
    for (const source of copied) {
      expect(admitted.some((a) => source === a || source.startsWith(`${a}/`)), `${source} is admitted by .dockerignore`).to.equal(true);
      expect(CONTEXT_PATHS.some((p) => source === p || source.startsWith(`${p}/`)), `${source} is digested by the offline build`).to.equal(true);
      expect(existsSync(path.join(REPO, source)), `${source} exists`).to.equal(true);
    }
    expect(admitted).to.include(DOCKERFILE);
    expect(ignore).to.include.members(["**/node_modules", "**/dist"]);
  });
});
