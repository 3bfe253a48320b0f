import type { Command } from "commander";
import { InputError } from "../../../environments/errors.js";
import { globalStackName, TAG } from "../../../environments/stacks.js";
import { globalStack } from "../../stacks/global-stack.js";
import type { CliContext } from "../context.js";
import { runStackTasks, throwIfFailed } from "../progress.js";

/** `contoso global up|destroy|outputs --env <name>`: the environment's persistent global stack. */
export function register(program: Command, ctx: CliContext): void {
  const group = program.command("global").description("the environment's global stack (Front Door, Cosmos DB, registry, monitoring)");

  group
    .command("up")
    .description("create or update the global stack; deployed origins and the live release are kept")
    .requiredOption("--env <name>", "environment (prod, staging, dev-<name>)")
    .action(async (opts: { env: string }, command: Command) => {
      const env = ctx.environment(opts.env);
      const engine = await ctx.engine(command);
      const mode = ctx.mode(command);
      // The deployed origins and live release are read and written back under the environment's
      // lock: a release running meanwhile would otherwise have its weights undone.
      const [spec, result] = await ctx.locked(engine, env.name, "global up", async (lock) => {
        const plan = await globalStack(engine, env);
        await lock.confirmHeld();
        const [done] = throwIfFailed(ctx, await runStackTasks(ctx, mode, [{ stack: plan.stack, verb: "up", run: (o) => engine.up(plan, o) }]));
        return [plan, done] as const;
      });
      if (mode === "json") ctx.print(JSON.stringify({ stack: result!.stack, changes: result!.changes, outputs: result!.outputs }, null, 2));
      else ctx.print(`${spec.stack}: deployed (${describeChanges(result!.changes)}); Front Door endpoint ${String(result!.outputs["frontDoorEndpointHostName"] ?? "?")}`);
    });

  group
    .command("destroy")
    .description("destroy every resource of the global stack (refused while stamps exist)")
    .requiredOption("--env <name>", "environment")
    .option("--confirm <env>", "required for protected environments (prod, staging): the environment's name again")
    .option("--remove", "also remove the (then empty) stack and its tags")
    .action(async (opts: { env: string; confirm?: string; remove?: boolean }, command: Command) => {
      const env = ctx.environment(opts.env);
      ctx.confirmDestructive(env, "destroy its global stack", opts.confirm);
      const engine = await ctx.engine(command);
      const stack = globalStackName(env.name);
      const mode = ctx.mode(command);
      await ctx.locked(engine, env.name, "global destroy", async (lock) => {
        const stamps = await engine.listStacks({ tags: { [TAG.env]: env.name, [TAG.kind]: "stamp" } });
        const live = stamps.filter((s) => (s.resourceCount ?? 1) > 0);
        if (live.length > 0) {
          throw new InputError(`${env.name} still has stamps (${live.map((s) => s.name).join(", ")}): destroy them first (contoso stamp destroy)`);
        }
        if ((await engine.listStacks({ tags: { [TAG.env]: env.name } })).every((s) => s.name !== stack)) {
          throw new InputError(`${stack} does not exist: nothing to destroy`);
        }
        await lock.confirmHeld();
        throwIfFailed(ctx, await runStackTasks(ctx, mode, [{ stack, verb: "destroy", run: (o) => engine.destroy(stack, o) }]));
        if (opts.remove) await engine.remove(stack);
      });
      if (mode === "json") ctx.print(JSON.stringify({ stack, destroyed: true, removed: opts.remove === true }));
      else ctx.print(`${stack}: destroyed${opts.remove ? " and removed" : " (the empty stack and its tags remain; --remove removes them)"}`);
    });

  group
    .command("outputs")
    .description("print the global stack's outputs as JSON")
    .requiredOption("--env <name>", "environment")
    .action(async (opts: { env: string }, command: Command) => {
      const env = ctx.environment(opts.env);
      const engine = await ctx.engine(command);
      const stack = globalStackName(env.name);
      const outputs = await engine.outputs(stack);
      if (outputs === undefined || Object.keys(outputs).length === 0) {
        throw new InputError(`${stack} is not deployed: deploy the global stack first: contoso global up --env ${env.name}`);
      }
      ctx.print(JSON.stringify(outputs, null, 2));
    });
}

export function describeChanges(changes: Record<string, number>): string {
  const parts = ["create", "update", "delete", "same"].filter((k) => (changes[k] ?? 0) > 0).map((k) => `${changes[k]} ${k === "same" ? "unchanged" : k === "create" ? "created" : `${k}d`}`);
  return parts.length > 0 ? parts.join(", ") : "no resources";
}
