import type { Command } from "commander";
import { InputError } from "../../../environments/errors.js";
import { TAG, validateEnvName } from "../../../environments/stacks.js";
import type { StackSummary } from "../../engine/port.js";
import type { CliContext } from "../context.js";
import { renderTable } from "../../text/table.js";

/** `contoso stacks ls [--env] [--kind] [--owner] [--json]`: every stack of the project, by its tags. */
export function register(program: Command, ctx: CliContext): void {
  const group = program.command("stacks").description("stacks of every environment, found by their tags");

  group
    .command("ls")
    .description("list stacks with their tags (table, or --json)")
    .option("--env <name>", "only this environment")
    .option("--kind <kind>", "only global or stamp stacks")
    .option("--owner <owner>", "only stacks of this owner")
    .action(async (opts: { env?: string; kind?: string; owner?: string }, command: Command) => {
      const tags: Record<string, string> = {};
      if (opts.env !== undefined) tags[TAG.env] = validateEnvName(opts.env);
      if (opts.kind !== undefined) {
        if (opts.kind !== "global" && opts.kind !== "stamp") throw new InputError(`--kind "${opts.kind}" must be global or stamp`);
        tags[TAG.kind] = opts.kind;
      }
      if (opts.owner !== undefined) {
        if (!/^[a-z0-9][a-z0-9._@-]{0,62}$/i.test(opts.owner)) throw new InputError(`--owner "${opts.owner}" must be a user or pipeline identity (letters, digits, . _ @ -)`);
        tags[TAG.owner] = opts.owner;
      }
      const engine = await ctx.engine(command);
      const stacks = await engine.listStacks({ tags });
      if (ctx.mode(command) === "json") ctx.print(JSON.stringify({ stacks }, null, 2));
      else ctx.print(stacks.length === 0 ? "no stacks" : stackTable(stacks, ctx.width()));
    });
}

export function stackTable(stacks: StackSummary[], width?: number): string {
  const columns: [string, (s: StackSummary) => string][] = [
    ["STACK", (s) => s.name],
    ["KIND", (s) => s.tags[TAG.kind] ?? ""],
    ["ENV", (s) => s.tags[TAG.env] ?? ""],
    ["REGION", (s) => s.tags[TAG.region] ?? ""],
    ["RELEASE", (s) => s.tags[TAG.release] ?? ""],
    ["OWNER", (s) => s.tags[TAG.owner] ?? ""],
    ["RESOURCES", (s) => (s.resourceCount === undefined ? "" : String(s.resourceCount))],
    ["CREATED", (s) => s.tags[TAG.createdAt] ?? ""],
    ["EXPIRES", (s) => s.tags[TAG.expiresAt] ?? ""],
    ["LAST UPDATE", (s) => s.lastUpdate ?? ""],
  ];
  return renderTable(columns.map(([h]) => h), stacks.map((s) => columns.map(([, get]) => get(s))), { width });
}
