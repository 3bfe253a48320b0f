import { expect } from "chai";
import { chooseEngine } from "../../automation/engine/select.js";
import type { PrerequisiteProbe } from "../../automation/engine/prerequisites.js";
import { cleanEnv, runCli, tempDir } from "./cli-harness.js";

/**
 * In CI (CI=true, set by GitHub Actions and Azure Pipelines) the offline engine runs only when
 * asked for: a pipeline without cloud credentials must fail, not "deploy" offline and pass.
 */
const noCloud = (env: NodeJS.ProcessEnv): PrerequisiteProbe => ({ env, isExecutable: () => false, readText: () => undefined, run: () => Promise.reject(new Error("no az")) });

describe("engine choice in CI", function () {
  this.timeout(60_000);

  it("refuses the silent offline fallback when CI is set, and only then", () => {
    for (const ci of ["true", "1", "TRUE", "yes"]) {
      expect(() => chooseEngine({}, noCloud({ CI: ci })), `CI=${ci}`).to.throw(/^CI is set and no cloud is configured \(no Azure credentials found\): .* --offline$/);
    }
    for (const ci of [undefined, "", "false", "0"]) {
      expect(chooseEngine({}, noCloud(ci === undefined ? {} : { CI: ci })).kind, `CI=${String(ci)}`).to.equal("offline");
    }
  });

  it("runs offline in CI when asked for: --offline, --engine offline or CONTOSO_ENGINE=offline", () => {
    expect(chooseEngine({ offline: true }, noCloud({ CI: "true" }))).to.deep.equal({ kind: "offline", reason: "--offline" });
    expect(chooseEngine({ engine: "offline" }, noCloud({ CI: "true" })).kind).to.equal("offline");
    expect(chooseEngine({}, noCloud({ CI: "true", CONTOSO_ENGINE: "offline" })).kind).to.equal("offline");
    // With a cloud configured, CI uses it as anywhere else.
    expect(chooseEngine({}, noCloud({ CI: "true", ARM_CLIENT_ID: "c" })).kind).to.equal("pulumi");
  });

  it("the CLI in CI: one line and exit 2 without --offline, the command runs with it", async () => {
    const env = cleanEnv({ CONTOSO_STATE_DIR: tempDir("ci"), CI: "true" });
    const refused = await runCli(["env", "ls"], env);
    expect(refused.code, refused.stderr).to.equal(2);
    expect(refused.errLines).to.have.length(1);
    expect(refused.errLines[0]).to.match(/^error: CI is set and no cloud is configured .*--offline$/);
    expect(refused.stdout).to.equal("");
    const asked = await runCli(["--offline", "env", "ls"], env);
    expect(asked.code, asked.stderr).to.equal(0);
    expect(asked.stdout).to.contain("no personal environments");
  });
});
