import { expect } from "chai";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
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
  // Issue 13: validated before anything is recorded or written.
  ["a region list naming all and an unknown region", ["stamp", "up", "--env", ENV, "--region", "all,mars", "--release", "r2"], /^error: unknown Azure region "mars" \(the regions of prod: /],
  ["all beside a named region", ["stamp", "destroy", "--env", ENV, "--region", "weu,all", "--release", "r1", "--confirm", ENV], /^error: --region all already means every region of prod: give it alone/],
  ["a probe allow-list entry that is not a CIDR", ["release", "start", "--env", ENV, "--release", "r2", "--image", image("r2"), "--probe-allow", "not-a-cidr"], /^error: probe allow-list entry "not-a-cidr" must be an IPv4 CIDR/],
  ["a bad fault plan", ["release", "start", "--env", ENV, "--release", "r2", "--image", image("r2")], /^error: fault plan in CONTOSO_OFFLINE_FAULTS: operations\.0\.operation: /, { CONTOSO_OFFLINE_FAULTS: '{"operations":[{"stack":"prod-weu-r2","operation":"explode"}]}' }],
  ["a bad fault plan to global up", ["global", "up", "--env", ENV], /^error: fault plan in CONTOSO_OFFLINE_FAULTS: /, { CONTOSO_OFFLINE_FAULTS: '{"crash":{"at":""}}' }],
  ["a newline and an escape sequence in a name (shown escaped)", ["release", "start", "--env", "prod\n\u001b[31mred", "--release", "r2", "--image", image("r2")], /^error: environment name "prod\\n\\x1b\[31mred" must be/],
  ["an escape sequence in an unknown option", ["release", "start", "--env", ENV, "--release", "r2", "--image", image("r2"), "--\u001b[2Jwipe"], /^error: unknown option '--\\x1b\[2Jwipe'/],
  ["a repeated single-value flag", ["release", "start", "--env", "staging", "--env", ENV, "--release", "r2", "--image", image("r2")], /^error: option '--env <name>' argument 'prod' is invalid\. --env was given more than once \("staging", then "prod"\): give it once$/],
  ["a repeated flag of stamp destroy", ["stamp", "destroy", "--env", ENV, "--region", "weu", "--release", "r1", "--release", "r2", "--confirm", ENV], /^error: option '--release <id>' argument 'r2' is invalid\. --release was given more than once/],
  ["a date that does not exist", ["reap", "--now", "2026-02-30T00:00:00Z"], /^error: --now "2026-02-30T00:00:00Z" is not a date and time that exists/],
];

/** stderr lines other than the notice naming the engine (printed once the engine is chosen). */
const problems = (lines: string[]) => lines.filter((l) => !l.startsWith("engine: "));

describe("release e2e: bad input to any command (exit 2, one line, state folder byte-identical)", function () {
  this.timeout(120_000);
  let dir: string;
  before(async function () {
    this.timeout(120_000);
    dir = await worldWithR1("bad-input");
  });

  for (const [what, args, message, extraEnv] of cases) {
    it(`refuses ${what}`, async () => {
      const before = folderDigest(dir);
      const run = await runCli(args, envFor(dir, extraEnv));
      expect(run.code, run.stderr).to.equal(2);
      expect(problems(run.errLines), run.stderr).to.have.length(1);
      expect(problems(run.errLines)[0]).to.match(message);
      // eslint-disable-next-line no-control-regex
      expect(run.stderr.replace(/\n/g, ""), "no raw control character reaches the terminal").not.to.match(/[\u0000-\u001f\u007f]/);
      expect(run.stdout).to.equal("");
      expect(folderDigest(dir), "state folder unchanged").to.equal(before);
    });
  }

  // Issue 13: a stack file that is not a valid stack record is never overwritten; every command that
  // would read it stops, naming the file and what to do.
  for (const [content, writers] of [
    ["null", [["global", "up", "--env", ENV], ["release", "start", "--env", ENV, "--release", "r2", "--image", image("r2")]]],
    ["{}", [["global", "up", "--env", ENV], ["stacks", "ls"], ["stamp", "destroy", "--env", ENV, "--region", "weu", "--release", "r1", "--confirm", ENV]]],
  ] as const) {
    it(`a global stack file holding ${content} stops ${writers.map((w) => w.slice(0, 2).join(" ")).join(", ")}: exit 2, the file named, nothing written`, async () => {
      const copy = await worldWithR1(`untrusted-${content === "null" ? "null" : "empty"}`);
      const file = path.join(copy, "stacks", "prod-global.json");
      writeFileSync(file, content);
      for (const args of writers) {
        const before = folderDigest(copy);
        const run = await runCli([...args], envFor(copy));
        expect(run.code, `${args.join(" ")}: ${run.stderr}`).to.equal(2);
        expect(problems(run.errLines)).to.have.length(1);
        expect(problems(run.errLines)[0]).to.equal(
          `error: ${file} holds ${content === "null" ? "null" : "no valid stack record (name: Invalid input: expected string, received undefined)"}, not a stack record: it cannot be trusted, so nothing was written; restore it from a backup (or, if the stack is gone, delete the file) and run the command again`,
        );
        expect(folderDigest(copy), `${args.join(" ")} wrote nothing`).to.equal(before);
        expect(readFileSync(file, "utf8")).to.equal(content);
      }
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
