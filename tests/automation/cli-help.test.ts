import { expect } from "chai";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { cleanEnv, REPO, runCli, tempDir } from "./cli-harness.js";

/** `--version`, examples in help, and the global flags on every subcommand's help. */
describe("contoso help and version", function () {
  this.timeout(60_000);
  const env = cleanEnv({ CONTOSO_STATE_DIR: tempDir("help") });

  it("--version prints package.json's version", async () => {
    const run = await runCli(["--version"], env);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout.trim()).to.equal((JSON.parse(readFileSync(path.join(REPO, "package.json"), "utf8")) as { version: string }).version);
  });

  for (const args of [["release", "status"], ["env", "up"], ["stacks", "ls"], ["reap"]]) {
    it(`${args.join(" ")} --help lists --json, --offline and --engine, and examples`, async () => {
      const run = await runCli([...args, "--help"], env);
      expect(run.code, run.stderr).to.equal(0);
      const [, globals = ""] = run.stdout.split("Global Options:");
      for (const flag of ["--json", "--offline", "--engine <kind>"]) expect(globals).to.contain(flag);
      expect(run.stdout).to.match(new RegExp(`Examples:\\n  \\$ contoso .*${args[args.length - 1]}`));
    });
  }

  it("a global flag works after the subcommand too", async () => {
    const run = await runCli(["stacks", "ls", "--json", "--offline"], env);
    expect(run.code, run.stderr).to.equal(0);
    expect(JSON.parse(run.stdout)).to.deep.equal({ stacks: [] });
  });
});
