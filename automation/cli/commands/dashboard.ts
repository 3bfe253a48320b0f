import type { Command } from "commander";
import { InputError } from "../../../environments/errors.js";
import type { Environment } from "../../../environments/index.js";
import { TAG } from "../../../environments/stacks.js";
import { startDashboard } from "../../dashboard/server.js";
import { viewOf } from "../../dashboard/snapshot.js";
import { gateSettings } from "../../release/ports.js";
import { openReleaseSession, parseTimeScale, type ReleaseSession } from "../../release/session.js";
import type { CliContext } from "../context.js";

/**
 * `contoso dashboard`: a local web page (127.0.0.1 only, read-only) of every environment, or those
 * named: stamps by region and release, the traffic split, each stamp's health per component, the
 * release in progress and its phase, updated live over server-sent events. Runs until Ctrl-C.
 */
export function register(program: Command, ctx: CliContext): void {
  program
    .command("dashboard")
    .description("a local read-only web page of each environment: stamps, traffic split, health, the release in progress (live)")
    .option("--env <name>", "only this environment (repeat for more; default: every environment with a global stack)", (v: string, p: string[] = []) => [...p, v])
    .option("--port <n>", "port on 127.0.0.1 (default: any free port)")
    .option("--time-scale <n>", "offline only: scale of the offline stamps' check interval and of the polling")
    .action(async (opts: { env?: string[]; port?: string; timeScale?: string }, command: Command) => {
      const named = (opts.env ?? []).map((name) => ctx.environment(name));
      const port = opts.port === undefined ? 0 : Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InputError(`--port "${opts.port}" must be a whole number from 0 to 65535`);
      const engine = await ctx.engine(command);
      const timeScale = parseTimeScale(opts.timeScale, engine);
      const envs: Environment[] = named.length > 0 ? named : await discover(ctx, engine);
      const sessions: ReleaseSession[] = [];
      try {
        for (const env of envs) {
          const session = await openReleaseSession(engine, env, { timeScale, onEvent: () => {} });
          sessions.push(session);
          await session.ready();
        }
        const settings = envs.map((env) => gateSettings(env, { scale: timeScale }));
        const server = await startDashboard({
          port,
          // Every gate interval, at most 4 polls a second: each poll probes every stamp once.
          pollMs: Math.max(250, Math.min(...settings.map((s) => s.intervalMs), 10_000)),
          read: () =>
            Promise.all(
              envs.map(async (env, i) => {
                await sessions[i]!.ctx.afterStackChange?.();
                return viewOf(engine, env, sessions[i]!.ctx.resolve, settings[i]!.probeTimeoutMs);
              }),
            ),
        });
        ctx.print(`dashboard: ${server.url} (${envs.map((e) => e.name).join(", ") || "no environments yet"}; read-only, loopback only; Ctrl-C to stop)`);
        await new Promise<void>((resolve) => {
          if (ctx.signal.aborted) resolve();
          ctx.signal.addEventListener("abort", () => resolve(), { once: true });
        });
        await server.close();
      } finally {
        for (const s of sessions) await s.close();
      }
    });
}

async function discover(ctx: CliContext, engine: Awaited<ReturnType<CliContext["engine"]>>): Promise<Environment[]> {
  const globals = await engine.listStacks({ tags: { [TAG.kind]: "global" } });
  const names = [...new Set(globals.map((g) => g.tags[TAG.env]).filter((n): n is string => typeof n === "string"))].sort();
  const envs: Environment[] = [];
  for (const name of names) {
    try {
      envs.push(ctx.environment(name));
    } catch {
      ctx.log(`dashboard: skipping ${name}: no environment definition`);
    }
  }
  return envs;
}
