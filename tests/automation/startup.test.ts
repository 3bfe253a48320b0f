import { expect } from "chai";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { cleanEnv, REPO, runCli, tempDir } from "./cli-harness.js";

/** Commands that run no program must not pay for loading @pulumi/azure-native (seconds, hundreds of MB). */
describe("contoso start-up", function () {
  this.timeout(30_000);
  const tracker = path.join(REPO, "tests", "automation", "fixtures", "module-tracker.mjs");
  const loadedBy = async (args: string[]) => {
    const report = path.join(tempDir("modules"), "report.json");
    const run = await runCli(args, cleanEnv({ CONTOSO_STATE_DIR: tempDir("startup"), CONTOSO_MODULE_REPORT: report }), ["--import", tracker]);
    expect(run.code, run.stderr).to.equal(0);
    return (JSON.parse(readFileSync(report, "utf8")) as { azureNative: number }).azureNative;
  };

  it("--help does not load @pulumi/azure-native", async () => {
    expect(await loadedBy(["--help"])).to.equal(0);
  });

  it("stacks ls does not load @pulumi/azure-native", async () => {
    expect(await loadedBy(["stacks", "ls", "--json"])).to.equal(0);
  });

  it("the tracker does see azure-native when something loads it (the check can fail)", async () => {
    const report = path.join(tempDir("modules"), "report.json");
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, ["--import", tracker, "--input-type=module", "-e", 'await import("@pulumi/azure-native/resources/index.js")'], {
        cwd: REPO,
        env: { ...process.env, CONTOSO_MODULE_REPORT: report },
        stdio: "ignore",
      });
      child.on("error", reject);
      child.on("close", () => resolve());
    });
    expect((JSON.parse(readFileSync(report, "utf8")) as { azureNative: number }).azureNative).to.be.greaterThan(0);
  });
});
