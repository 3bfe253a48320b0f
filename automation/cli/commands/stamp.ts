import type { Command } from "commander";
import { InputError } from "../../../environments/errors.js";
import type { Environment } from "../../../environments/index.js";
import { stampStackName, TAG } from "../../../environments/stacks.js";
import type { Engine, OperationOptions, StackProgram } from "../../engine/port.js";
import { currentGlobalOutputs } from "../../stacks/global-stack.js";
import { destroyStack } from "../../stacks/destroy-stack.js";
import { drainStamp, undrainStamp } from "../../stacks/kill-switch.js";
import { currentUser } from "../../stacks/stack-facts.js";
import { stampStack, validateStampRequest } from "../../stacks/stamp-stack.js";
import type { CliContext } from "../context.js";
import { runStackTasks, throwIfFailed } from "../progress.js";
import { describeChanges } from "./global.js";

/** `contoso stamp up|destroy --env --region --release`: regional deployment stamps of one release. */
export function register(program: Command, ctx: CliContext): void {
  const group = program.command("stamp").description("deployment stamps: one per region per release, disposable");
  const collect = (value: string, previous: string[] = []) => [...previous, ...value.split(",").map((v) => v.trim()).filter((v) => v !== "")];

  group
    .command("up")
    .description("create or update stamps (several --region, or --region all, deploy side by side)")
    .requiredOption("--env <name>", "environment")
    .requiredOption("--region <region>", "Azure region or short code; repeat, comma-separate, or 'all' for every region of the environment", collect)
    .requiredOption("--release <id>", "release id, e.g. r42")
    .option("--image <ref>", "container image (default: <registry>/shop-api:<release>)")
    .option("--probe-allow <cidr>", "CIDR also allowed to reach the web app directly, e.g. an operators network (repeatable; the gate goes through Front Door)", collect)
    .action(async (opts: { env: string; region: string[]; release: string; image?: string; probeAllow?: string[] }, command: Command) => {
      const env = ctx.environment(opts.env);
      const regions = resolveRegions(env, opts.region, (region) =>
        validateStampRequest(env, { region, release: opts.release, image: opts.image, probeAllowList: opts.probeAllow }),
      );
      const engine = await ctx.engine(command);
      const mode = ctx.mode(command);
      const results = await ctx.locked(engine, env.name, "stamp up", async (lock) => {
        const specs = await Promise.all(
          regions.map((region) => {
            const request = { region, release: opts.release, ...(opts.image ? { image: opts.image } : {}), ...(opts.probeAllow ? { probeAllowList: opts.probeAllow } : {}) };
            return stampStack(engine, env, request);
          }),
        );
        // Nothing to arm: the kill switch is a drain marker only an operator creates (automation/stacks/kill-switch.ts).
        const deploy = async (spec: StackProgram, o: OperationOptions) => {
          await lock.confirmHeld();
          return engine.up(spec, o);
        };
        return throwIfFailed(ctx, await runStackTasks(ctx, mode, specs.map((spec) => ({ stack: spec.stack, verb: "up", run: (o) => deploy(spec, o) }))));
      });
      if (mode === "json") ctx.print(JSON.stringify({ stacks: results.map((r) => ({ stack: r.stack, changes: r.changes, outputs: r.outputs })) }, null, 2));
      else for (const r of results) ctx.print(`${r.stack}: deployed (${describeChanges(r.changes)}); health ${String(r.outputs["healthUrl"] ?? "?")}`);
    });

  group
    .command("destroy")
    .description("destroy stamps and remove their stacks (refused while a stamp's Front Door origin is enabled)")
    .requiredOption("--env <name>", "environment")
    .requiredOption("--region <region>", "Azure region or short code; repeat, comma-separate, or 'all'", collect)
    .requiredOption("--release <id>", "release id")
    .option("--confirm <env>", "required for protected environments (prod, staging): the environment's name again")
    .option("--keep-stack", "keep the empty stacks and their tags")
    .action(async (opts: { env: string; region: string[]; release: string; confirm?: string; keepStack?: boolean }, command: Command) => {
      const env = ctx.environment(opts.env);
      const regions = resolveRegions(env, opts.region, (region) => validateStampRequest(env, { region, release: opts.release }));
      ctx.confirmDestructive(env, `destroy stamps of release ${opts.release}`, opts.confirm);
      const engine = await ctx.engine(command);
      const stacks = regions.map((region) => stampStackName(env.name, region, opts.release));
      const mode = ctx.mode(command);
      // "Still serving?" is asked and the destroy done under the environment's lock: a release
      // cannot give a stamp traffic between the check and the destroy.
      await ctx.locked(engine, env.name, "stamp destroy", async (lock) => {
        await refuseServingOrMissing(engine, env, stacks);
        await lock.confirmHeld();
        throwIfFailed(
          ctx,
          await runStackTasks(
            ctx,
            mode,
            stacks.map((stack) => ({
              stack,
              verb: "destroy",
              run: (o) => destroyStack(engine, stack, { ...o, remove: !opts.keepStack }),
            })),
          ),
        );
      });
      if (mode === "json") ctx.print(JSON.stringify({ stacks: stacks.map((stack) => ({ stack, destroyed: true, removed: !opts.keepStack })) }));
      else for (const stack of stacks) ctx.print(`${stack}: destroyed${opts.keepStack ? "" : " and removed"}`);
    });

  // The kill switch (automation/stacks/kill-switch.ts): a drain marker created and deleted through
  // Azure Resource Manager, so it works from any machine, isolated environments included.
  for (const verb of ["drain", "undrain"] as const) {
    group
      .command(verb)
      .description(
        verb === "drain"
          ? "take stamps out of Front Door's rotation with their kill switch (their health reports Unhealthy until undrained)"
          : "bring drained stamps back into rotation (delete their kill-switch drain marker)",
      )
      .requiredOption("--env <name>", "environment")
      .requiredOption("--region <region>", "Azure region or short code; repeat, comma-separate, or 'all'", collect)
      .requiredOption("--release <id>", "release id")
      .action(async (opts: { env: string; region: string[]; release: string }, command: Command) => {
        const env = ctx.environment(opts.env);
        const regions = resolveRegions(env, opts.region, (region) => validateStampRequest(env, { region, release: opts.release }));
        const engine = await ctx.engine(command);
        const stacks = regions.map((region) => stampStackName(env.name, region, opts.release));
        const existing = new Set((await engine.listStacks({ tags: { [TAG.env]: env.name } })).map((s) => s.name));
        const missing = stacks.filter((s) => !existing.has(s));
        if (missing.length > 0) throw new InputError(`no such stamp: ${missing.join(", ")} (see contoso stacks ls --env ${env.name})`);
        const results = [];
        for (const stack of stacks) {
          const outcome = verb === "drain" ? await drainStamp(engine, stack, currentUser()) : await undrainStamp(engine, stack);
          results.push({ stack, outcome });
        }
        if (ctx.mode(command) === "json") ctx.print(JSON.stringify({ stamps: results }));
        else
          for (const r of results) {
            const said = { created: "drained", existed: "was already drained", deleted: "back in rotation", absent: "was not drained" }[r.outcome];
            ctx.print(`${r.stack}: ${said}`);
          }
      });
  }
}

/** Validates each region (and the rest of the request) and returns canonical names without repeats. */
function resolveRegions(env: Environment, given: string[], validate: (region: string) => string): string[] {
  if (given.length === 0) throw new InputError("--region needs a region (e.g. westeurope, weu, or all)");
  // Every name is checked, "all" or not: "all,mars" is a typo to report, never "every region".
  const named = [...new Set(given.filter((r) => r !== "all").map(validate))];
  if (!given.includes("all")) return named;
  if (named.length > 0) throw new InputError(`--region all already means every region of ${env.name}: give it alone, or name the regions (${given.join(",")})`);
  return [...new Set(env.regions.map(validate))];
}

/** A stamp whose origin is enabled is never destroyed (DESIGN.md invariant); a missing stamp is a typo. */
async function refuseServingOrMissing(engine: Engine, env: Environment, stacks: string[]): Promise<void> {
  const existing = new Set((await engine.listStacks({ tags: { [TAG.env]: env.name } })).map((s) => s.name));
  const missing = stacks.filter((s) => !existing.has(s));
  if (missing.length > 0) throw new InputError(`no such stamp: ${missing.join(", ")} (see contoso stacks ls --env ${env.name})`);
  const global = await currentGlobalOutputs(engine, env);
  const serving = (global?.origins ?? []).filter((o) => o.enabled && stacks.includes(o.stamp)).map((o) => o.stamp);
  if (serving.length > 0) {
    throw new InputError(`${serving.join(", ")} still serve traffic (enabled Front Door origin in ${env.name}-global): drain them with a release first`);
  }
}
