import type { Command } from "commander";
import { InputError } from "../../../environments/errors.js";
import { REPO_ROOT } from "../../offline/state-dir.js";
import { timeScaleFromEnv } from "../../offline/latency.js";
import { defaultRehearsalDir, rehearse } from "../../release/rehearsal.js";
import { checkRehearsalDir } from "../../release/rehearsal-folder.js";
import { formatEvent } from "../../release/report.js";
import { statusText } from "./release.js";
import type { CliContext } from "../context.js";
import { ReleaseProgress } from "../release-progress.js";
import type { ReleaseEvent } from "../../release/run-release.js";
import * as path from "node:path";

/** `contoso rehearse` (what `npm start` runs): a full offline blue/green release and a rolled-back one. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command("rehearse")
    .description("offline rehearsal: deploy an environment, release r1 and r2 blue/green, then r3 with an unhealthy region that must roll back")
    .option("--env <name>", "environment to rehearse", "prod")
    .option("--time-scale <n>", "multiply every Azure duration and wait (default: CONTOSO_OFFLINE_TIME_SCALE or 0.0005)")
    .option("--state-dir <dir>", "where the rehearsal keeps its offline state: a new or empty folder, or one an earlier rehearsal made (wiped first; any other folder is refused)", defaultRehearsalDir(REPO_ROOT))
    .action(async (opts: { env: string; timeScale?: string; stateDir: string }, command: Command) => {
      const env = ctx.environment(opts.env);
      const timeScale = opts.timeScale === undefined ? timeScaleFromEnv() : Number(opts.timeScale);
      if (!Number.isFinite(timeScale) || timeScale <= 0 || timeScale > 1) {
        throw new InputError(`--time-scale "${opts.timeScale}" must be a number above 0 and at most 1 (e.g. 0.001)`);
      }
      // Refused before anything is printed or wiped: only a rehearsal's own folder is wiped.
      checkRehearsalDir(opts.stateDir, [process.cwd(), REPO_ROOT], defaultRehearsalDir(REPO_ROOT));
      const json = ctx.mode(command) === "json";
      const tty = ctx.mode(command) === "tty";
      ctx.log(`engine: offline (rehearsal state in ${opts.stateDir}, time scale ${timeScale})`);
      const started = Date.now();
      // On a terminal each act gets live progress (per region and step); events are applied in order
      // through one chain, since starting and stopping a progress display is asynchronous.
      let progress: Promise<ReleaseProgress | undefined> = Promise.resolve(undefined);
      const live = (e: ReleaseEvent | { type: "act"; title: string }) => {
        progress = progress.then(async (p) => {
          if (e.type !== "act") {
            p?.update(e);
            return p;
          }
          await p?.stop();
          ctx.log(`\n== ${e.title}`);
          return ReleaseProgress.start(env, timeScale);
        });
      };
      const result = await rehearse({
        env,
        stateDir: opts.stateDir,
        timeScale,
        signal: ctx.signal,
        onEvent: (e) => {
          if (tty) live(e);
          else if (json) {
            if (e.type !== "observed" && e.type !== "probe") ctx.print(JSON.stringify(e));
          } else if (e.type === "act") ctx.log(`\n== ${e.title}`);
          else {
            const line = formatEvent(e);
            if (line) ctx.log(line);
          }
        },
      });
      await progress.then((p) => p?.stop());
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      if (json) {
        ctx.print(JSON.stringify({ type: "summary", ok: result.ok, acts: result.acts, status: result.status, seconds: Number(seconds) }));
      } else {
        ctx.print(`\n${statusText(result.status)}\n`);
        for (const a of result.acts) ctx.print(`${a.ok ? "✓" : "✗"} ${a.title}: expected ${a.expected}, got ${a.got}`);
        ctx.print(`rehearsal ${result.ok ? "passed" : "FAILED"} in ${seconds}s`);
        const relative = path.relative(process.cwd(), opts.stateDir);
        const state = relative === "" ? "." : relative.startsWith("..") ? path.resolve(opts.stateDir) : relative;
        ctx.print(`open the dashboard on its state: CONTOSO_STATE_DIR=${state} npx contoso --offline dashboard --env ${env.name}`);
      }
      if (!result.ok) throw new Error("the rehearsal did not end as expected (see above)");
    });
}
