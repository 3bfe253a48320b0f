import type { Command } from "commander";
import { validateRelease } from "../../../environments/stacks.js";
import { previewEnvironment } from "../../stacks/preview-environment.js";
import type { CliContext } from "../context.js";
import { formatEvent } from "../progress.js";

/**
 * `contoso preview --env <name> [--release <id>] [--json]`: every resource the environment's global
 * stack and one stamp per region would create, as `{stacks: [{name, kind, resources: [{type, name,
 * inputs}]}]}` with `type` the Pulumi type token. Nothing is deployed and no state is written.
 */
export const DEFAULT_PREVIEW_RELEASE = "r1";

export function register(program: Command, ctx: CliContext): void {
  program
    .command("preview")
    .description("show every resource the global stack and one stamp per region would create")
    .requiredOption("--env <name>", "environment")
    .option("--release <id>", "release of the previewed stamps", DEFAULT_PREVIEW_RELEASE)
    .action(async (opts: { env: string; release: string }, command: Command) => {
      const env = ctx.environment(opts.env);
      validateRelease(opts.release);
      const engine = await ctx.engine(command);
      const mode = ctx.mode(command);
      const stacks = await previewEnvironment(engine, env, opts.release, {
        signal: ctx.signal,
        onEvent: (event) => {
          // Resource lines would repeat the result; only lifecycle and warnings go to stderr.
          if (event.type === "resource") return;
          const line = formatEvent(event);
          if (line) ctx.log(line);
        },
      });
      if (mode === "json") {
        ctx.print(JSON.stringify({ stacks }, null, 2));
        return;
      }
      for (const stack of stacks) {
        const byType = new Map<string, number>();
        for (const r of stack.resources) byType.set(r.type, (byType.get(r.type) ?? 0) + 1);
        ctx.print(`${stack.name} (${stack.kind}): ${stack.resources.length} resources`);
        for (const [type, count] of [...byType].sort()) ctx.print(`  ${String(count).padStart(3)} ${type}`);
      }
    });
}
