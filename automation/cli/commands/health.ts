import type { Command } from "commander";
import { observeWorld } from "../../release/ports.js";
import { openReleaseSession, parseTimeScale } from "../../release/session.js";
import { releaseStatus } from "../../release/status.js";
import type { CliContext } from "../context.js";
import { renderTable } from "../../text/table.js";

/**
 * `contoso health --env <name>`: every stamp's health, by probing the health contract
 * (`/health/stamp`) now: stamp, release, whether Front Door sends it traffic, status and each
 * component. Exit 0 when every serving stamp is Healthy, 1 otherwise (usable as a pipeline check).
 */
export function register(program: Command, ctx: CliContext): void {
  program
    .command("health")
    .description("probe every stamp of an environment and show its health per component (table, or --json)")
    .requiredOption("--env <name>", "environment")
    .option("--time-scale <n>", "offline only: the offline stamps' check interval scale")
    .action(async (opts: { env: string; timeScale?: string }, command: Command) => {
      const env = ctx.environment(opts.env);
      const engine = await ctx.engine(command);
      const session = await openReleaseSession(engine, env, { timeScale: parseTimeScale(opts.timeScale, engine), onEvent: () => {} });
      let status;
      try {
        await session.ready();
        status = await releaseStatus(await observeWorld(engine, env.name), env, session.ctx.resolve, 5_000);
      } finally {
        await session.close();
      }
      const serving = new Set(status.origins.filter((o) => o.enabled).map((o) => o.stamp));
      const rows = status.stamps.map((s) => ({ ...s, serving: serving.has(s.stack) }));
      if (ctx.mode(command) === "json") {
        ctx.print(JSON.stringify({ env: env.name, liveRelease: status.liveRelease, stamps: rows }, null, 2));
      } else if (rows.length === 0) {
        ctx.print(`${env.name}: no stamps`);
      } else {
        const names = [...new Set(rows.flatMap((r) => r.components.map((c) => c.name)))];
        const header = ["STAMP", "RELEASE", "SERVING", "HEALTH", ...names.map((n) => n.toUpperCase())];
        const body = rows.map((r) => [r.stack, r.release, r.serving ? "yes" : "no", r.health, ...names.map((n) => r.components.find((c) => c.name === n)?.status ?? "-")]);
        ctx.print(renderTable(header, body, { width: ctx.width() }));
        for (const r of rows.filter((r) => r.detail)) ctx.print(`${r.stack}: ${r.detail}`);
      }
      const sick = rows.filter((r) => r.serving && r.health !== "Healthy");
      if (sick.length > 0) throw new Error(`${sick.length} serving stamp(s) of ${env.name} are not healthy: ${sick.map((s) => s.stack).join(", ")}`);
    });
}
