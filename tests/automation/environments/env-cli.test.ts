import { expect } from "chai";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { TAG } from "../../../environments/stacks.js";
import { cleanEnv, folderDigest, runCli, tempDir, type CliRun } from "../cli-harness.js";

/** `contoso env up|ls|extend|down` as a developer runs them, on the offline engine. */

const HOUR = 3_600_000;

function record(stateDir: string, stack: string): { tags: Record<string, string>; outputs: Record<string, unknown> } | undefined {
  const file = path.join(stateDir, "stacks", `${stack}.json`);
  return existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : undefined;
}

describe("contoso env (offline, as a user runs it)", function () {
  this.timeout(120_000);
  const stateDir = tempDir("env");
  // The pipeline's identity is the owner when nothing more specific is set.
  const env = cleanEnv({ CONTOSO_STATE_DIR: stateDir, CONTOSO_OWNER: undefined, GITHUB_ACTOR: "octocat" });
  const contoso = (...args: string[]) => runCli(["--offline", ...args], env);
  const ok = (run: CliRun, what: string) => expect(run.code, `${what}\n${run.stderr}`).to.equal(0);

  it("env up of a new environment is refused until its registry holds the image; --global-only makes the registry, image build fills it", async () => {
    const before = Date.now();
    const empty = folderDigest(stateDir);
    const refused = await contoso("env", "up", "--name", "solo", "--ttl", "3h");
    expect(refused.code, refused.stderr).to.equal(2);
    expect(refused.errLines.filter((l) => !l.startsWith("engine: "))).to.deep.equal([
      'error: dev-solo has no global stack yet, so its registry holds no image: run "contoso env up --name solo --global-only", then "contoso image build --env dev-solo --release r1", then env up again',
    ]);
    expect(folderDigest(stateDir), "nothing recorded").to.equal(empty);

    const globalOnly = await contoso("--json", "env", "up", "--name", "solo", "--ttl", "3h", "--global-only");
    ok(globalOnly, "env up --global-only");
    const result = JSON.parse(globalOnly.stdout) as { registry: string; stacks: string[]; release: string };
    const global = record(stateDir, "dev-solo-global")!;
    expect(result).to.deep.include({ registry: global.outputs["registryLoginServer"], stacks: ["dev-solo-global"], release: "none" });
    expect(record(stateDir, "dev-solo-weu-r1"), "no stamp yet").to.equal(undefined);
    expect(Date.parse(global.tags[TAG.createdAt]!)).to.be.within(before - 1000, Date.now());

    const withGlobal = folderDigest(stateDir);
    const notBuilt = await contoso("env", "up", "--name", "solo");
    expect(notBuilt.code, notBuilt.stderr).to.equal(2);
    expect(notBuilt.errLines.filter((l) => !l.startsWith("engine: "))).to.deep.equal([
      `error: image ${result.registry}/shop-api:r1 is not in dev-solo's registry: ${result.registry} has no shop-api:r1; build it with "contoso image build --env dev-solo --release <id>"`,
    ]);
    expect(folderDigest(stateDir), "nothing recorded").to.equal(withGlobal);

    const built = await contoso("image", "build", "--env", "dev-solo", "--release", "r1");
    ok(built, "image build");
    expect(built.stdout).to.equal(`${result.registry}/shop-api:r1\n`);
  });

  it("env up creates dev-<name>: its own global stack and one serving stamp, tagged, and prints its Front Door URL", async () => {
    const before = Date.now() - 60_000;
    const run = await contoso("env", "up", "--name", "solo", "--ttl", "3h");
    ok(run, "env up");
    const global = record(stateDir, "dev-solo-global")!;
    const stamp = record(stateDir, "dev-solo-weu-r1")!;
    const host = global.outputs["frontDoorEndpointHostName"] as string;
    // The environment exists since --global-only: this run adds its first stamp and routes to it.
    expect(run.stdout).to.contain(`dev-solo: updated at https://${host}`);
    expect(host).to.match(/^fde-[a-z0-9-]+\.z01\.azurefd\.net$/);
    expect(global.outputs["liveRelease"]).to.equal("r1");
    expect(global.outputs["origins"]).to.deep.equal([
      { stamp: "dev-solo-weu-r1", region: "westeurope", release: "r1", hostName: stamp.outputs["webAppHostName"], weight: 1000, enabled: true, priority: 1 },
    ]);
    for (const r of [global, stamp]) {
      expect(r.tags[TAG.owner]).to.equal("octocat");
      expect(r.tags[TAG.env]).to.equal("dev-solo");
      const created = Date.parse(r.tags[TAG.createdAt]!);
      expect(created).to.be.within(before, Date.now());
    }
    expect(Date.parse(global.tags[TAG.expiresAt]!) - Date.parse(global.tags[TAG.createdAt]!)).to.equal(3 * HOUR);
    // The gate reached the stamp through its own Front Door endpoint (its web app admits only Front Door).
    expect(global.outputs["stampEndpoints"]).to.have.deep.members([{ stamp: "dev-solo-weu-r1", hostName: (global.outputs["stampEndpoints"] as { hostName: string }[])[0]!.hostName }]);
    // Nothing shared: the only stacks are this environment's.
    const stacks = JSON.parse((await contoso("--json", "stacks", "ls")).stdout).stacks as { name: string }[];
    expect(stacks.map((s) => s.name).sort()).to.deep.equal(["dev-solo-global", "dev-solo-weu-r1"]);
  });

  it("env up again updates in place and keeps its expiry; env ls shows it", async () => {
    const expiry = record(stateDir, "dev-solo-global")!.tags[TAG.expiresAt];
    const again = await contoso("env", "up", "--name", "solo", "--ttl", "5h");
    ok(again, "env up again");
    expect(again.stdout).to.contain("dev-solo: updated at https://");
    expect(again.stderr).to.contain("its expiry stays");
    expect(record(stateDir, "dev-solo-global")!.tags[TAG.expiresAt]).to.equal(expiry);
    const ls = await contoso("--json", "env", "ls", "--owner", "octocat");
    ok(ls, "env ls");
    const [row] = JSON.parse(ls.stdout).environments;
    expect(row).to.deep.include({ env: "dev-solo", owner: "octocat", status: "serving r1", expiresAt: expiry });
    expect(row.stacks).to.deep.equal(["dev-solo-global", "dev-solo-weu-r1"]);
    const table = await contoso("env", "ls");
    expect(table.stdout.split("\n")[0]).to.match(/^ENV\s+OWNER\s+AGE\s+EXPIRES\s+STACKS\s+STATUS\s+URL$/);
  });

  it("env extend moves the expiry of every stack to now + ttl, capped at created-at + 7d", async () => {
    const created = Date.parse(record(stateDir, "dev-solo-global")!.tags[TAG.createdAt]!);
    const now = new Date(created + 2 * HOUR).toISOString();
    const run = await contoso("env", "extend", "--name", "dev-solo", "--ttl", "10h", "--now", now);
    ok(run, "env extend");
    const want = new Date(created + 12 * HOUR).toISOString();
    expect(record(stateDir, "dev-solo-global")!.tags[TAG.expiresAt]).to.equal(want);
    expect(record(stateDir, "dev-solo-weu-r1")!.tags[TAG.expiresAt]).to.equal(want);
    const late = new Date(created + 7 * 24 * HOUR - HOUR).toISOString();
    const capped = await contoso("env", "extend", "--name", "solo", "--ttl", "5h", "--now", late);
    ok(capped, "env extend capped");
    expect(capped.stdout).to.contain("capped");
    expect(record(stateDir, "dev-solo-global")!.tags[TAG.expiresAt]).to.equal(new Date(created + 7 * 24 * HOUR).toISOString());
  });

  it("env down destroys the stamp, then the global stack, and removes both", async () => {
    const run = await contoso("env", "down", "--name", "solo");
    ok(run, "env down");
    const stampDone = run.errLines.findIndex((l) => l.startsWith("dev-solo-weu-r1: destroy done"));
    const globalStarted = run.errLines.findIndex((l) => l.startsWith("dev-solo-global: destroy started"));
    expect(stampDone, run.stderr).to.be.at.least(0);
    expect(globalStarted, run.stderr).to.be.greaterThan(stampDone);
    expect(record(stateDir, "dev-solo-global")).to.equal(undefined);
    expect(record(stateDir, "dev-solo-weu-r1")).to.equal(undefined);
    expect(run.stdout).to.contain("dev-solo: destroyed and removed dev-solo-weu-r1, dev-solo-global");
  });

  it("env down --missing-ok tells nothing to destroy (exit 6, no error) from a failure (a bad name stays exit 2)", async () => {
    const before = folderDigest(stateDir);
    const gone = await contoso("env", "down", "--name", "solo", "--missing-ok");
    expect(gone.code, gone.stderr).to.equal(6);
    expect(gone.errLines.filter((l) => !l.startsWith("engine: "))).to.deep.equal(["dev-solo: nothing to destroy (it has no stacks)"]);
    expect(gone.stdout).to.equal("");
    const bad = await contoso("env", "down", "--name", "Solo!", "--missing-ok");
    expect(bad.code, bad.stderr).to.equal(2);
    expect(bad.errLines[0]).to.match(/^error: --name "Solo!" must be/);
    expect(folderDigest(stateDir)).to.equal(before);
  });

  describe("bad input: exit 2, one clear line, nothing changed", () => {
    const cases: [string[], RegExp][] = [
      [["env", "up", "--name", "Alice"], /--name "Alice" must be 1-8 lower-case letters and digits/],
      [["env", "up", "--name", "waytoolongname"], /--name "waytoolongname" must be 1-8/],
      [["env", "up", "--name", "a-b"], /--name "a-b" must be/],
      [["env", "up", "--name", "x", "--ttl", "30d"], /--ttl 30d exceeds the maximum time-to-live of personal environments \(7d\)/],
      [["env", "up", "--name", "x", "--ttl", "0s"], /--ttl must be greater than zero/],
      [["env", "up", "--name", "x", "--ttl", "eight hours"], /--ttl must be a duration such as 30s, 5m, 8h or 1h30m/],
      [["env", "up", "--name", "x", "--region", "atlantis"], /--region "atlantis" is not a known Azure region/],
      [["env", "up", "--name", "x", "--release", "R-1"], /release "R-1" must be/],
      [["env", "up", "--name", "x", "--owner", "no spaces"], /--owner "no spaces" must be a user or pipeline identity/],
      [["env", "up", "--name", "x", "--global-only", "--release", "r2"], /--global-only deploys no stamp: drop --image and --release/],
      [["env", "up", "--name", "x", "--image", "cr.azurecr.io/shop-api"], /image "cr.azurecr.io\/shop-api" must be a container image reference/],
      [["env", "extend", "--name", "x", "--ttl", "8d"], /--ttl 8d exceeds the maximum/],
      [["env", "extend", "--name", "x", "--ttl", "1h", "--now", "yesterday"], /--now "yesterday" must be an ISO 8601 date and time/],
      [["env", "extend", "--name", "ghost", "--ttl", "1h"], /dev-ghost does not exist/],
      [["env", "down", "--name", "ghost"], /dev-ghost has no stacks: nothing to destroy/],
      [["env", "down", "--name", "Ghost!"], /--name "Ghost!" must be/],
      [["reap", "--older-than", "2"], /--older-than must be a duration/],
      [["reap", "--concurrency", "0"], /--concurrency "0" must be a whole number from 1 to 32/],
      [["reap", "--concurrency", "many"], /--concurrency "many" must be a whole number/],
      [["reap", "--env", "PROD"], /environment name "PROD" must be lower-case/],
      [["reap", "--now", "2030-13-45T00:00:00Z"], /--now "2030-13-45T00:00:00Z" must be an ISO 8601/],
    ];
    for (const [args, message] of cases) {
      it(args.join(" "), async () => {
        const before = folderDigest(stateDir);
        const run = await contoso(...args);
        expect(run.code, run.stderr).to.equal(2);
        const errors = run.errLines.filter((l) => l.startsWith("error:"));
        expect(errors, run.stderr).to.have.length(1);
        expect(errors[0]).to.match(message);
        expect(run.stdout).to.equal("");
        expect(folderDigest(stateDir)).to.equal(before);
      });
    }
  });
});
