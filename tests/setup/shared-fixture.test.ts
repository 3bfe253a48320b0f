import { expect } from "chai";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { sharedFixture } from "./shared-fixture.js";

const CHILD = path.join(import.meta.dirname, "fixtures", "shared-fixture-child.ts");

function child(root: string, key: string, mode: "ok" | "die" | "throw"): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ["--import", "tsx", CHILD, root, key, mode], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d) => (stdout += d));
    p.stderr.on("data", (d) => (stderr += d));
    p.on("error", reject);
    p.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const builds = (root: string) => readFileSync(path.join(root, "builds.log"), "utf8").trim().split("\n");

describe("a fixture shared by mocha's workers (tests/setup/shared-fixture.ts)", function () {
  this.timeout(60_000);
  let root: string;
  beforeEach(() => (root = mkdtempSync(path.join(os.tmpdir(), "contoso-shared-fixture-"))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("three processes asking at once: one builds, all three get its fixture", async () => {
    const runs = await Promise.all([child(root, "world", "ok"), child(root, "world", "ok"), child(root, "world", "ok")]);
    for (const r of runs) expect(r.code, r.stderr).to.equal(0);
    expect(builds(root)).to.have.length(1);
    const builder = Number(builds(root)[0]!.split(" ")[0]);
    expect(runs.map((r) => JSON.parse(r.stdout))).to.deep.equal([{ builtBy: builder }, { builtBy: builder }, { builtBy: builder }]);
    expect(readFileSync(path.join(root, "world", "world.txt"), "utf8")).to.equal("built");
    // Nothing half-built or locked is left beside it.
    expect(readdirSync(root).sort()).to.deep.equal(["builds.log", "world"]);
  });

  it("a builder that dies mid-build leaves no fixture; the next asker builds it", async () => {
    const died = await child(root, "world", "die");
    expect(died.code).to.equal(null);
    expect(existsSync(path.join(root, "world"))).to.equal(false);
    const next = await child(root, "world", "ok");
    expect(next.code, next.stderr).to.equal(0);
    expect(builds(root).map((l) => l.split(" ")[1])).to.deep.equal(["die", "ok"]);
    expect(readdirSync(root).sort(), "the dead builder's half-built folder is gone").to.deep.equal(["builds.log", "world"]);
    expect(JSON.parse(next.stdout)).to.deep.equal({ builtBy: Number(builds(root)[1]!.split(" ")[0]) });
  });

  it("a failed build fails its asker and publishes nothing; a later asker builds again", async () => {
    const failed = await child(root, "world", "throw");
    expect(failed.code).to.not.equal(0);
    expect(failed.stderr).to.contain("build failed");
    expect(existsSync(path.join(root, "world"))).to.equal(false);
    expect(existsSync(path.join(root, "world.building"))).to.equal(false);
    const next = await child(root, "world", "ok");
    expect(next.code, next.stderr).to.equal(0);
    expect(builds(root)).to.have.length(2);
  });

  it("refuses a key that is not a plain folder name, building nothing", async () => {
    let built = false;
    const build = async () => {
      built = true;
      return 1;
    };
    for (const key of ["../escape", "a/b", "", "Upper"]) {
      let message = "";
      await sharedFixture(root, key, build).catch((err: Error) => (message = err.message));
      expect(message).to.match(/^shared fixture key/);
    }
    expect(built).to.equal(false);
  });
});
