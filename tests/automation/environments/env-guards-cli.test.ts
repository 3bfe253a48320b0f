import { expect } from "chai";
import { existsSync } from "node:fs";
import * as path from "node:path";
import { cleanEnv, folderDigest, runCli, tempDir } from "../cli-harness.js";

/** Developer ergonomics of `env up|down` as a developer meets them (offline engine, spawned CLI). */
describe("contoso env: default name, typo guard, someone else's environment", function () {
  this.timeout(180_000);
  const stateDir = tempDir("env-guards");
  const as = (owner: string) => cleanEnv({ CONTOSO_STATE_DIR: stateDir, CONTOSO_OWNER: owner });
  const stack = (name: string) => existsSync(path.join(stateDir, "stacks", `${name}.json`));
  /**
   * A new environment as a developer makes one since images must be in its own registry:
   * `env up --global-only` (the name guard runs here first), `image build`, then `env up`.
   */
  async function upNew(owner: string, env: string, nameArgs: string[]) {
    const globalOnly = await runCli(["--offline", "env", "up", ...nameArgs, "--global-only"], as(owner));
    if (globalOnly.code !== 0) return globalOnly;
    const built = await runCli(["--offline", "image", "build", "--env", env, "--release", "r1"], as(owner));
    expect(built.code, built.stderr).to.equal(0);
    return runCli(["--offline", "env", "up", ...nameArgs.filter((a) => a !== "--new")], as(owner));
  }

  it("env up without --name creates the owner's own environment", async () => {
    const run = await upNew("alice@contoso.com", "dev-alice", []);
    expect(run.code, run.stderr).to.equal(0);
    // The environment exists since --global-only: this run adds its first stamp and routes to it.
    expect(run.stdout).to.contain("dev-alice: updated at https://");
    expect(stack("dev-alice-global")).to.equal(true);
  });

  it("env up --name alcie (one edit from alice's dev-alice) stops with exit 2 and changes nothing; --new creates it", async () => {
    const before = folderDigest(stateDir);
    const run = await runCli(["--offline", "env", "up", "--name", "alcie"], as("alice@contoso.com"));
    expect(run.code, run.stderr).to.equal(2);
    const errors = run.errLines.filter((l) => l.startsWith("error:"));
    expect(errors).to.have.length(1);
    expect(errors[0]).to.match(/dev-alcie does not exist, but alice@contoso.com has dev-alice, one letter away: .*add --new/);
    expect(folderDigest(stateDir)).to.equal(before);
    const meant = await upNew("alice@contoso.com", "dev-alcie", ["--name", "alcie", "--new"]);
    expect(meant.code, meant.stderr).to.equal(0);
    expect(stack("dev-alcie-global")).to.equal(true);
  });

  it("env down of someone else's environment needs --confirm <env>; the owner's own goes without", async () => {
    const before = folderDigest(stateDir);
    const refused = await runCli(["--offline", "env", "down", "--name", "alcie"], as("bob"));
    expect(refused.code, refused.stderr).to.equal(2);
    expect(refused.stderr).to.match(/error: dev-alcie belongs to alice@contoso.com, not bob: to destroy it anyway, add --confirm dev-alcie/);
    expect(folderDigest(stateDir)).to.equal(before);
    const confirmed = await runCli(["--offline", "env", "down", "--name", "alcie", "--confirm", "dev-alcie"], as("bob"));
    expect(confirmed.code, confirmed.stderr).to.equal(0);
    expect(stack("dev-alcie-global")).to.equal(false);
    const own = await runCli(["--offline", "env", "down"], as("alice@contoso.com"));
    expect(own.code, own.stderr).to.equal(0);
    expect(stack("dev-alice-global")).to.equal(false);
  });
});
