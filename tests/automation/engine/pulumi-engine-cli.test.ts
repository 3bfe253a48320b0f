import { expect } from "chai";
import * as path from "node:path";
import { TAG } from "../../../environments/stacks.js";
import { programs } from "./fixtures/programs.js";
import { FakePulumiWorld } from "./fake-pulumi-world.js";
import { propertyRuns } from "../../property-runs.js";
import { contoso as contosoIn, type CliResult } from "./pulumi-release-world.js";

const EVERYDAY_KILLS = 6;

/**
 * `contoso env down` spawned as a user would, on the Pulumi engine (`--engine pulumi`), against the
 * stand-in `pulumi` CLI; the stand-in kills the driver between two CLI calls, and the same command run
 * again finishes the job.
 */

/** `contoso --engine pulumi` spawned as a user would, its Pulumi workspaces inside the world. */
function contoso(world: FakePulumiWorld, args: string[]): Promise<CliResult> {
  return contosoIn(world, args, { CONTOSO_PULUMI_STATE_DIR: path.join(world.repo, "state") });
}

describe("contoso on the Pulumi engine (stand-in pulumi CLI)", function () {
  this.timeout(600_000);

  it("env down removes a personal environment; killed between two CLI calls (any, with PROPERTY_SCALE), running it again finishes the job", async () => {
    const world = new FakePulumiWorld();
    world.install();
    try {
      const engine = world.engine();
      const env = "dev-solo";
      const deploy = async () => {
        for (const [stack, kind] of [[`${env}-global`, "global"], [`${env}-weu-r1`, "stamp"]] as const) {
          await engine.up({ stack, program: programs.rg(stack), tags: { [TAG.env]: env, [TAG.kind]: kind, [TAG.owner]: "solo" } });
        }
      };
      await deploy();
      // A clean run first: how many CLI calls it makes.
      const start = world.calls().length;
      const clean = await contoso(world, ["env", "down", "--name", "solo", "--confirm", "dev-solo"]);
      expect(clean.code, clean.stderr).to.equal(0);
      expect(clean.stdout).to.match(/dev-solo: destroyed and removed dev-solo-weu-r1, dev-solo-global/);
      const total = world.calls().length - start;
      expect(await engine.listStacks()).to.deep.equal([]);
      // Then a kill at CLI calls of it, each followed by `env down` again: everyday a spread of
      // EVERYDAY_KILLS calls (first and last included), every call with PROPERTY_SCALE ≥ total/EVERYDAY_KILLS
      // (each kill is two spawned CLIs and a redeploy: about 10 s here on a loaded 2-core machine).
      const kills = Math.min(total, propertyRuns(EVERYDAY_KILLS).numRuns);
      const points = [...new Set(Array.from({ length: kills }, (_, i) => 1 + Math.round((i * (total - 1)) / Math.max(1, kills - 1))))];
      for (const k of points) {
        await deploy();
        const from = world.calls().length;
        world.control({ crashAtCall: from + k });
        const killed = await contoso(world, ["env", "down", "--name", "solo", "--confirm", "dev-solo"]);
        world.control({});
        expect(killed.signal, `kill at call ${k}: ${killed.stderr}`).to.equal("SIGKILL");
        const again = await contoso(world, ["env", "down", "--name", "solo", "--confirm", "dev-solo"]);
        const left = await engine.listStacks();
        if (left.length > 0 || again.code !== 0) {
          // Everything may already have gone before the kill; then there is nothing to destroy.
          expect(again.code === 0 || /has no stacks: nothing to destroy/.test(again.stderr), `after a kill at call ${k}: ${again.stderr}`).to.equal(true);
        }
        expect(left.map((s) => s.name), `after a kill at call ${k}`).to.deep.equal([]);
        expect(world.lockFiles(`${env}-global`).concat(world.lockFiles(`${env}-weu-r1`))).to.deep.equal([]);
      }
    } finally {
      world.uninstall();
    }
  });
  it("reap destroys an expired personal environment through the Pulumi engine and leaves a live one", async () => {
    const world = new FakePulumiWorld();
    world.install();
    try {
      const engine = world.engine();
      const stacks: [string, Record<string, string>][] = [
        ["dev-old-global", { [TAG.env]: "dev-old", [TAG.kind]: "global", [TAG.region]: "global", [TAG.owner]: "old", [TAG.createdAt]: "2026-01-01T00:00:00.000Z", [TAG.expiresAt]: "2026-01-02T00:00:00.000Z" }],
        ["dev-new-global", { [TAG.env]: "dev-new", [TAG.kind]: "global", [TAG.region]: "global", [TAG.owner]: "new", [TAG.createdAt]: "2026-01-01T00:00:00.000Z", [TAG.expiresAt]: "2099-01-01T00:00:00.000Z" }],
      ];
      for (const [stack, tags] of stacks) await engine.up({ stack, program: programs.rg(stack), tags });
      const run = await contoso(world, ["reap", "--now", "2026-06-01T00:00:00Z"]);
      expect(run.code, run.stderr).to.equal(0);
      expect((await engine.listStacks()).map((s) => s.name)).to.deep.equal(["dev-new-global"]);
      expect(world.calls().some((c) => c[0] === "destroy" && c.includes("dev-new-global"))).to.equal(false);
    } finally {
      world.uninstall();
    }
  });
});
