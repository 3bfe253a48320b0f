import { expect } from "chai";
import { rmSync } from "node:fs";
import * as path from "node:path";
import { folderDigest, tempDir } from "../../cli-harness.js";
import { ENV, envFor, image, runCli, worldWithR1 } from "./release-harness.js";

/**
 * DESIGN.md, "Bad input and safety": a bad input to `contoso release` gets one line saying what is
 * wrong, exit code 2, and nothing changed, neither in a folder with a live release nor in an empty one.
 */

const cases: [string, string[], RegExp, Record<string, string>?][] = [
  ["a bad release id", ["release", "start", "--env", ENV, "--release", "R_2", "--image", image("r2")], /^error: release "R_2" must be 1-8 lower-case letters/],
  ["the reserved release id global", ["release", "start", "--env", ENV, "--release", "global", "--image", image("r2")], /^error: release "global" must be/],
  ["an unknown environment", ["release", "start", "--env", "qa", "--release", "r2", "--image", image("r2")], /^error: unknown environment "qa" \(known: prod, staging, dev/],
  ["an unknown environment to resume", ["release", "resume", "--env", "qa"], /^error: unknown environment "qa"/],
  ["a bad environment name to abort", ["release", "abort", "--env", "Prod!"], /^error: environment name "Prod!"/],
  ["a bad image", ["release", "start", "--env", ENV, "--release", "r2", "--image", "Not An Image"], /^error: image "Not An Image" must be a container image reference/],
  ["an image without a tag", ["release", "start", "--env", ENV, "--release", "r2", "--image", "cr.azurecr.io/shop-api"], /^error: image "cr.azurecr.io\/shop-api" must be/],
  ["a time scale of zero", ["release", "start", "--env", ENV, "--release", "r2", "--image", image("r2"), "--time-scale", "0"], /^error: --time-scale "0" must be a number above 0 and at most 1/],
  ["a time scale that is not a number", ["release", "resume", "--env", ENV, "--time-scale", "fast"], /^error: --time-scale "fast" must be a number/],
  ["a time scale above 1", ["release", "start", "--env", ENV, "--release", "r2", "--image", image("r2"), "--time-scale", "2"], /^error: --time-scale "2" must be/],
  ["a bad time scale in the environment", ["release", "start", "--env", ENV, "--release", "r2", "--image", image("r2")], /^error: CONTOSO_OFFLINE_TIME_SCALE "soon" must be a number/, { CONTOSO_OFFLINE_TIME_SCALE: "soon" }],
  ["a missing --image", ["release", "start", "--env", ENV, "--release", "r2"], /^error: required option '--image <ref>' not specified/],
  ["an image never built into the registry", ["release", "start", "--env", ENV, "--release", "r2", "--image", image("r99")], /^error: image \S+\/shop-api:r99 is not in prod's registry: \S+ has no shop-api:r99; build it with "contoso image build --env prod --release <id>"$/],
  ["an image in another registry", ["release", "start", "--env", ENV, "--release", "r2", "--image", "cr.azurecr.io/shop-api:r2"], /^error: image cr\.azurecr\.io\/shop-api:r2 is not in prod's registry \S+ \(its stamps pull only from there\)/],
  ["an image of dev's registry", ["release", "start", "--env", ENV, "--release", "r2", "--image", image("r2", "dev")], /^error: image \S+ is not in prod's registry/],
  ["releasing the live release again", ["release", "start", "--env", ENV, "--release", "r1", "--image", image("r1")], /^error: release r1 is already live in prod$/],
];

/** stderr lines other than the notice naming the engine (printed once the engine is chosen). */
const problems = (lines: string[]) => lines.filter((l) => !l.startsWith("engine: "));

describe("release e2e: bad input (exit 2, one line, nothing changed)", function () {
  this.timeout(120_000);
  let dir: string;
  before(async function () {
    this.timeout(300_000);
    dir = await worldWithR1("bad-input");
  });

  for (const [what, args, message, extraEnv] of cases) {
    it(`refuses ${what}`, async () => {
      const before = folderDigest(dir);
      const run = await runCli(args, envFor(dir, extraEnv));
      expect(run.code, run.stderr).to.equal(2);
      expect(problems(run.errLines), run.stderr).to.have.length(1);
      expect(problems(run.errLines)[0]).to.match(message);
      expect(run.stdout).to.equal("");
      expect(folderDigest(dir), "state folder unchanged").to.equal(before);
    });
  }

  it("refuses a release before the environment's global stack exists, creating no stack", async () => {
    const empty = tempDir("e2e-no-global");
    try {
      const run = await runCli(["release", "start", "--env", ENV, "--release", "r2", "--image", image("r2")], envFor(empty));
      expect(run.code, run.stderr).to.equal(2);
      expect(problems(run.errLines)).to.deep.equal(['error: the global stack prod-global is not deployed: run "contoso global up --env prod" first']);
      expect(folderDigest(path.join(empty, "stacks"))).to.equal("absent");
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
