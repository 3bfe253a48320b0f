import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { OfflineImageRegistry } from "../../../automation/images/offline-image-registry.js";
import { checkOriginUpdate } from "../../../automation/release/invariants.js";
import { gateFromTags, intentFromTags } from "../../../automation/release/intent-tags.js";
import type { ObservedStamp, ReleaseIntent } from "../../../automation/release/model.js";
import { TAG } from "../../../environments/stacks.js";
import type { OriginSpec } from "../../../global/contract.js";
import { cliCommand, REPO } from "../cli-harness.js";
import { FakePulumiWorld } from "./fake-pulumi-world.js";

/**
 * A personal environment released through the `contoso` CLI on the Pulumi engine (`--engine pulumi`),
 * against the stand-in `pulumi` (./fake-pulumi) and its `file://` backend. The stamps are served by
 * the loopback fabric (CONTOSO_LOOPBACK_STAMPS=1), which reads what the backend says is deployed, so
 * the health gate, the edge check and the bake are the real code over real HTTP.
 *
 * One-region, one-step `dev` template: the smallest environment that goes through every phase
 * (deploy green, expose, gate, shift, bake, promote, destroy blue).
 */
export const ENV = "dev-solo";
export const GLOBAL = `${ENV}-global`;
export const BLUE = `${ENV}-weu-r1`;
export const GREEN = `${ENV}-weu-r2`;

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function contoso(world: FakePulumiWorld, args: string[], extraEnv: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...cliCommand(), "--engine", "pulumi", ...args], {
      cwd: REPO,
      env: { ...world.env, ...extraEnv },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** A world whose CLI runs put their workspaces in it, serve stamps on loopback, and name `solo` the owner. */
export function releaseWorld(from?: FakePulumiWorld): FakePulumiWorld {
  const world = new FakePulumiWorld({ CONTOSO_LOOPBACK_STAMPS: "1", CONTOSO_OWNER: "solo", CONTOSO_OFFLINE_TIME_SCALE: "0.00001" }, from);
  world.env["CONTOSO_PULUMI_STATE_DIR"] = path.join(world.repo, "state");
  return world;
}

export function image(world: FakePulumiWorld, release: string): string {
  return `${String(world.outputs(GLOBAL)["registryLoginServer"])}/shop-api:${release}`;
}

/**
 * dev-solo with release r1 live, as a pipeline gets it: `env up --global-only`, the images r1 and r2
 * in the environment's registry, then `env up` (the r1 stamp, gated, then given traffic).
 */
export async function baseline(): Promise<FakePulumiWorld> {
  const world = releaseWorld();
  const global = await contoso(world, ["env", "up", "--name", "solo", "--global-only"]);
  if (global.code !== 0) throw new Error(`env up --global-only: ${global.stderr}`);
  // Straight into the registry the loopback stamps pull from, as `contoso image build` does
  // (tests/automation/images runs that command; a spawn per image here would add nothing).
  const loginServer = String(world.outputs(GLOBAL)["registryLoginServer"]);
  const registry = new OfflineImageRegistry(world.env["CONTOSO_PULUMI_STATE_DIR"]!);
  for (const tag of ["r1", "r2"]) await registry.build({ registryName: loginServer.split(".")[0]!, loginServer, repository: "shop-api", tag });
  const up = await contoso(world, ["env", "up", "--name", "solo"]);
  if (up.code !== 0) throw new Error(`env up: ${up.stderr}`);
  return world;
}

/** The stamps as the reconciler observes them, read from the backend's files. */
export function observedStamps(world: FakePulumiWorld): ObservedStamp[] {
  return world
    .stacks()
    .filter((s) => world.tags(s)[TAG.kind] === "stamp" || /-weu-/.test(s))
    .map((stack) => {
      const tags = world.tags(stack);
      const deployment = world.deployment(stack);
      return {
        stack,
        region: tags[TAG.region] ?? "westeurope",
        release: tags[TAG.release] ?? stack.split("-").pop()!,
        deployed: deployment.resources.some((r) => r.type !== "pulumi:pulumi:Stack" && !r.type.startsWith("pulumi:providers:")),
        gate: gateFromTags(tags),
      };
    });
}

/**
 * DESIGN.md's invariants on the backend's state once a run has ended, with what a run that ended
 * must also leave behind: no lock and no pending operation. `before` is the origin list the release
 * started from (blue keeps its standing without a gate tag of its own).
 */
export function endStateViolations(world: FakePulumiWorld, before: OriginSpec[]): string[] {
  const violations: string[] = [];
  const stacks = world.stacks();
  if (!stacks.includes(GLOBAL)) return ["the global stack is gone"];
  // The release record is whole and readable (intentFromTags throws on anything else).
  let intent: ReleaseIntent | null = null;
  try {
    intent = intentFromTags(world.tags(GLOBAL));
  } catch (err) {
    violations.push(`release record: ${(err as Error).message}`);
  }
  if (intent && (intent.release !== "r2" || intent.blueRelease !== "r1")) violations.push(`release record names ${intent.release} over ${intent.blueRelease}, not r2 over r1`);
  const outputs = world.outputs(GLOBAL);
  const origins = (outputs["origins"] ?? []) as OriginSpec[];
  const stamps = observedStamps(world);
  for (const v of checkOriginUpdate(origins, before, stamps)) violations.push(`${v.invariant}: ${v.detail}`);
  if (!origins.some((o) => o.enabled)) violations.push("no enabled origin");
  const live = outputs["liveRelease"];
  if (typeof live !== "string") violations.push("no live release");
  else if (!stamps.some((s) => s.release === live && s.deployed)) violations.push(`live release ${live} has no deployed stamp`);
  for (const s of stacks) {
    const pending = world.deployment(s).pending_operations ?? [];
    if (pending.length > 0) violations.push(`${s}: ${pending.length} pending operation(s)`);
    if (world.lockFiles(s).length > 0) violations.push(`${s}: a stack lock is left`);
  }
  const envLocks = path.join(world.backend, ".contoso");
  const left = existsSync(envLocks) ? readdirSync(envLocks, { recursive: true }).map(String).filter((f) => !f.endsWith("locks")) : [];
  if (left.length > 0) violations.push(`environment lock files left: ${left.join(", ")}`);
  return violations;
}
