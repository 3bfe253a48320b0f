import { expect } from "chai";
import { readdirSync } from "node:fs";
import * as path from "node:path";
import { cleanEnv, folderDigest, runCli, tempDir, type CliRun } from "../cli-harness.js";

/**
 * `contoso image build|import` and the image check of `release start`, as a user runs them on the
 * offline engine: an image goes into the environment's own registry first, and only an image that
 * is there can be released.
 */
describe("contoso image (offline, as a user runs it)", function () {
  this.timeout(300_000);
  const stateDir = tempDir("image");
  const env = cleanEnv({ CONTOSO_STATE_DIR: stateDir });
  const contoso = (...args: string[]) => runCli(["--offline", ...args], env);
  const ok = (run: CliRun, what: string) => expect(run.code, `${what}\n${run.stderr}`).to.equal(0);
  const problems = (run: CliRun) => run.errLines.filter((l) => !l.startsWith("engine: "));
  let ref: string;

  before(async function () {
    this.timeout(300_000);
    const ups = await Promise.all([contoso("global", "up", "--env", "prod"), contoso("global", "up", "--env", "staging")]);
    ups.forEach((u, i) => ok(u, `global up ${i}`));
  });

  it("image build --env prod --release r9 prints the image in prod's registry; release start of it ends released", async () => {
    const built = await contoso("image", "build", "--env", "prod", "--release", "r9");
    ok(built, "image build");
    ref = built.stdout.trim();
    expect(built.stdout.split("\n")).to.have.length(2);
    expect(ref).to.match(/^crshoesprod[a-z0-9]{5}\.azurecr\.io\/shop-api:r9$/);
    expect(built.stderr).to.match(/image: pushed \S+ \(sha256:[a-f0-9]{64}\)/);
    const released = await contoso("release", "start", "--env", "prod", "--release", "r9", "--image", ref);
    ok(released, "release start");
    expect(released.stdout.trim()).to.equal("prod: release r9 is live");
  });

  it("--json gives the reference and digest; a second build of the same source has the same digest", async () => {
    const a = JSON.parse((await contoso("--json", "image", "build", "--env", "prod", "--release", "r10")).stdout) as { image: string; digest: string; tag: string };
    const b = JSON.parse((await contoso("--json", "image", "build", "--env", "prod", "--release", "r11")).stdout) as { image: string; digest: string };
    expect(a).to.deep.include({ env: "prod", release: "r10", repository: "shop-api", tag: "r10", image: ref.replace(/:r9$/, ":r10") });
    expect(a.digest).to.match(/^sha256:[a-f0-9]{64}$/).and.to.equal(b.digest);
  });

  it("a release of an image never built exits 2 with one line and nothing recorded", async () => {
    const before = folderDigest(stateDir);
    const run = await contoso("release", "start", "--env", "prod", "--release", "r12", "--image", ref.replace(/:r9$/, ":r12"));
    expect(run.code, run.stderr).to.equal(2);
    expect(problems(run)).to.have.length(1);
    expect(problems(run)[0]).to.match(/^error: image \S+\/shop-api:r12 is not in prod's registry: \S+ has no shop-api:r12; build it with "contoso image build --env prod --release <id>"$/);
    expect(run.stdout).to.equal("");
    expect(folderDigest(stateDir), "nothing recorded").to.equal(before);
  });

  it("an image built into staging's registry is not in prod's until imported; the import keeps its digest", async () => {
    const staged = JSON.parse((await contoso("--json", "image", "build", "--env", "staging", "--release", "r13")).stdout) as { image: string; digest: string };
    expect(staged.image).to.match(/^crshoesstaging[a-z0-9]{5}\.azurecr\.io\/shop-api:r13$/);
    const before = folderDigest(stateDir);
    const refused = await contoso("release", "start", "--env", "prod", "--release", "r13", "--image", staged.image);
    expect(refused.code, refused.stderr).to.equal(2);
    expect(problems(refused)[0]).to.match(/^error: image \S+ is not in prod's registry crshoesprod[a-z0-9]{5}\.azurecr\.io \(its stamps pull only from there\)/);
    expect(folderDigest(stateDir)).to.equal(before);

    const imported = await contoso("--json", "image", "import", "--env", "prod", "--from", "staging", "--release", "r13");
    ok(imported, "image import");
    expect(JSON.parse(imported.stdout)).to.deep.include({ env: "prod", from: "staging", release: "r13", image: ref.replace(/:r9$/, ":r13"), digest: staged.digest });
    // Again: nothing to copy, the same answer.
    const again = await contoso("image", "import", "--env", "prod", "--from", "staging", "--release", "r13");
    ok(again, "image import again");
    expect(again.stdout.trim()).to.equal(ref.replace(/:r9$/, ":r13"));
  });

  describe("bad input: exit 2, one line, nothing changed", () => {
    const cases: [string[], RegExp][] = [
      [["image", "build", "--env", "prod", "--release", "R9"], /^error: release "R9" must be 1-8 lower-case letters/],
      [["image", "build", "--env", "qa", "--release", "r9"], /^error: unknown environment "qa"/],
      [["image", "build", "--env", "prod"], /^error: required option '--release <id>' not specified/],
      [["image", "build", "--env", "prod", "--release", "r9", "--agent-pool", "x"], /^error: --agent-pool "x" must be 3-20 letters, digits or hyphens/],
      [["image", "build", "--env", "dev-nobody", "--release", "r1"], /^error: the global stack dev-nobody-global is not deployed, so dev-nobody has no registry yet: run "contoso global up --env dev-nobody" first$/],
      [["image", "import", "--env", "prod", "--from", "prod", "--release", "r9"], /^error: --from prod is the environment itself/],
      [["image", "import", "--env", "prod", "--from", "staging", "--release", "r77"], /^error: staging's registry \S+ has no shop-api:r77: build it there first/],
    ];
    for (const [args, message] of cases) {
      it(args.join(" "), async () => {
        const before = folderDigest(stateDir);
        const run = await contoso(...args);
        expect(run.code, run.stderr).to.equal(2);
        expect(problems(run), run.stderr).to.have.length(1);
        expect(problems(run)[0]).to.match(message);
        expect(run.stdout).to.equal("");
        expect(folderDigest(stateDir)).to.equal(before);
      });
    }
  });

  it("the offline registries are one folder per login server: prod's and staging's images never mix", () => {
    const servers = readdirSync(path.join(stateDir, "registries")).sort();
    expect(servers).to.have.length(2);
    expect(servers[0]).to.match(/^crshoesprod/);
    expect(readdirSync(path.join(stateDir, "registries", servers[1]!, "shop-api"))).to.deep.equal(["r13.json"]);
  });
});
