import type { Command } from "commander";
import { envDown, EXIT_NOTHING_TO_DESTROY, NothingToDestroyError } from "../../environments/env-down.js";
import { envExtend, validateExtend } from "../../environments/env-extend.js";
import { envTable, listPersonalEnvs } from "../../environments/env-list.js";
import { envUp, validateEnvUp } from "../../environments/env-up.js";
import { resolveOwner, validateOwner } from "../../environments/owner.js";
import { checkNewName, defaultPersonalName } from "../../environments/name-guard.js";
import { personalEnvName } from "../../environments/personal-name.js";
import type { TaskRunner } from "../../environments/tasks.js";
import { parseNow } from "../../environments/ttl.js";
import { readableDuration } from "../../text/readable-duration.js";
import type { CliContext } from "../context.js";
import { runStackTasks } from "../progress.js";

/**
 * `contoso env up|ls|extend|down`: personal ephemeral environments `dev-<name>`, each with its own
 * global stack and one stamp, an owner and a time-to-live. Every input is checked before the
 * engine is created; a bad one is one line and exit code 2.
 */
export function register(program: Command, ctx: CliContext): void {
  const group = program
    .command("env")
    .description("personal ephemeral environments (dev-<name>): their own global stack and one stamp, with a time-to-live");
  const runner = (command: Command): TaskRunner => {
    const mode = ctx.mode(command);
    return (tasks) => runStackTasks(ctx, mode, tasks);
  };

  group
    .command("up")
    .description("create (or update) dev-<name> from the dev template and print its Front Door URL")
    .option("--name <name>", "personal part of the environment name: alice makes dev-alice (default: from the owner, e.g. alice@contoso.com makes dev-alice)")
    .option("--new", "create a new environment even though its name is one letter away from one of yours (a typo otherwise stops here)")
    .option("--owner <id>", "owner tag (default: CONTOSO_OWNER, the pipeline identity GITHUB_ACTOR / BUILD_REQUESTEDFOREMAIL, or the local user)")
    .option("--ttl <duration>", "time-to-live, e.g. 8h (default and maximum from the dev definition)")
    .option("--region <region>", "Azure region or short code (default: the dev template's region)")
    .option("--image <ref>", "container image (default: <registry>/shop-api:<release>)")
    .option("--release <id>", "release id of the first stamp (default r1; an existing environment keeps its live release)")
    .option("--global-only", "create or update only the global stack (Front Door, Cosmos DB, registry): a new environment's registry, for its first contoso image build")
    .action(async (opts: { name?: string; new?: boolean; owner?: string; ttl?: string; region?: string; image?: string; release?: string; globalOnly?: boolean }, command: Command) => {
      const owner = resolveOwner(opts.owner, process.env);
      const name = opts.name ?? defaultPersonalName(owner);
      const { new: confirmedNew, ...rest } = opts;
      const request = validateEnvUp({ ...rest, name }, process.env);
      const engine = await ctx.engine(command);
      const existing = await listPersonalEnvs(engine, new Date());
      checkNewName(request.env, owner, existing, confirmedNew === true);
      const result = await envUp(engine, request, { run: runner(command), log: (l) => ctx.log(l) });
      if (ctx.mode(command) === "json") ctx.print(JSON.stringify(result, null, 2));
      else if (opts.globalOnly) {
        ctx.print(`${result.env}: global stack ${result.created ? "ready" : "updated"}; registry ${result.registry}, live release ${result.release}`);
      } else {
        ctx.print(`${result.env}: ${result.created ? "ready" : "updated"} at ${result.url}`);
        ctx.print(`  owner ${result.owner}, release ${result.release} in ${result.region}, expires ${result.expiresAt}; stacks ${result.stacks.join(", ")}`);
      }
    });

  group
    .command("ls")
    .description("personal environments: owner, age, expiry, stacks, status (table, or --json)")
    .option("--owner <id>", "only environments of this owner")
    .option("--now <iso>", "the time to compute ages and expiry against (default: now)")
    .action(async (opts: { owner?: string; now?: string }, command: Command) => {
      if (opts.owner !== undefined) validateOwner(opts.owner);
      const now = parseNow(opts.now);
      const engine = await ctx.engine(command);
      const rows = await listPersonalEnvs(engine, now, opts.owner);
      if (ctx.mode(command) === "json") ctx.print(JSON.stringify({ now: now.toISOString(), environments: rows }, null, 2));
      else ctx.print(rows.length === 0 ? "no personal environments" : envTable(rows, ctx.width()));
    });

  group
    .command("extend")
    .description("move the expiry to now + --ttl, at most the definition's maximum after creation")
    .requiredOption("--name <name>", "personal environment (alice or dev-alice)")
    .requiredOption("--ttl <duration>", "new time-to-live from now, e.g. 8h")
    .option("--now <iso>", "the time the new TTL counts from (default: now)")
    .action(async (opts: { name: string; ttl: string; now?: string }, command: Command) => {
      const env = personalEnvName(opts.name);
      validateExtend(env, opts.ttl);
      const now = parseNow(opts.now);
      const engine = await ctx.engine(command);
      const result = await ctx.locked(engine, env, "env extend", async (lock) => {
        await lock.confirmHeld();
        return envExtend(engine, env, opts.ttl, now);
      });
      if (ctx.mode(command) === "json") ctx.print(JSON.stringify(result, null, 2));
      else {
        const cap = result.capped ? ` (capped: ${env} may live until ${result.maxExpiresAt} at most)` : "";
        const left = readableDuration(Math.max(0, Date.parse(result.expiresAt) - now.getTime()));
        ctx.print(`${env}: expires ${result.expiresAt}, in ${left}${cap}`);
      }
    });

  group
    .command("down")
    .description("destroy the environment's stamps, then its global stack, and remove the stacks")
    .option("--name <name>", "personal environment (alice or dev-alice; default: yours, from the owner)")
    .option("--confirm <env>", "needed to destroy an environment someone else owns: its full name, e.g. dev-bob")
    .option("--missing-ok", `an environment with no stacks is not an error: say so and exit ${EXIT_NOTHING_TO_DESTROY} (other failures keep their codes: 1, or 2 for bad input or a missing prerequisite)`)
    .action(async (opts: { name?: string; confirm?: string; missingOk?: boolean }, command: Command) => {
      const actor = resolveOwner(undefined, process.env);
      const env = opts.name === undefined ? defaultPersonalName(actor) : personalEnvName(opts.name);
      const engine = await ctx.engine(command);
      let result;
      try {
        result = await envDown(engine, env, { run: runner(command), log: (l) => ctx.log(l) }, { actor, confirm: opts.confirm });
      } catch (err) {
        if (opts.missingOk && err instanceof NothingToDestroyError) {
          throw Object.assign(new Error(`${env}: nothing to destroy (it has no stacks)`), { exitCode: EXIT_NOTHING_TO_DESTROY, notice: true });
        }
        throw err;
      }
      if (ctx.mode(command) === "json") ctx.print(JSON.stringify(result, null, 2));
      else ctx.print(`${env}: destroyed and removed ${result.destroyed.join(", ")}`);
    });
}
