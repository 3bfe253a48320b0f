import type { Command } from "commander";
import { validateRelease } from "../../../environments/stacks.js";
import { validateCidrs, validateImage } from "../../stacks/inputs.js";
import { requireImageForEnvironment } from "../../images/require-image.js";
import { formatEvent } from "../../release/report.js";
import { setTimeout as sleep } from "node:timers/promises";
import { releaseEventStream } from "../../release/event-stream.js";
import { ReleaseProgress } from "../release-progress.js";
import { parseNow } from "../../environments/ttl.js";
import { abortRelease, promoteRelease, resumeRelease, startRelease, undoRelease, type ReleaseContext, type ReleaseEvent, type ReleaseSummary } from "../../release/run-release.js";
import type { Environment } from "../../../environments/index.js";
import { gateSettings, observeWorld } from "../../release/ports.js";
import { openReleaseSession, parseTimeScale } from "../../release/session.js";
import { releaseStatus, type ReleaseStatus } from "../../release/status.js";
import type { CliContext } from "../context.js";
import { oneLine } from "../exit-codes.js";
import { renderTable } from "../../text/table.js";
import { isInputError } from "../../../environments/errors.js";
import { EnvironmentBusyError } from "../../lock/environment-lock.js";
import { InterruptedError, interruptionOf } from "../../release/interruption.js";

/**
 * `contoso release start|resume|abort|status`: blue/green releases. Exit codes: 0 released (or
 * nothing to do), 1 an operation failed (run `release resume` once fixed), 2 bad input,
 * 3 the release failed and was rolled back (or was aborted), 4 another run holds the environment,
 * (undo: 2 when no retained release can be put back — outside its window, or its stamps gone),
 * 5 interrupted (SIGINT/SIGTERM): nothing recorded as passed, run `release resume` (or `abort`).
 */
export const EXIT_ROLLED_BACK = 3;

interface CommonOptions {
  env: string;
  timeScale?: string;
  verbose?: boolean;
}

export function register(program: Command, ctx: CliContext): void {
  const group = program.command("release").description("blue/green releases: health-gated Front Door weight switching, resumable, with rollback");
  const common = (c: Command) =>
    c
      .requiredOption("--env <name>", "environment (prod, staging, dev-<name>)")
      .option("--time-scale <n>", "offline only: multiply the release's waits (bake, probe interval, deadlines), e.g. 0.001; the offline engine's Azure latency follows CONTOSO_OFFLINE_TIME_SCALE");
  const verbose = (c: Command) => c.option("--verbose", "every health probe and observation in the --json event stream (summarised per stamp otherwise)");

  verbose(common(group.command("start")))
    .description("deploy green stamps in every region, gate them, shift traffic step by step, promote, remove blue")
    .requiredOption("--release <id>", "release id, e.g. r42")
    .requiredOption("--image <ref>", "container image of the release, e.g. crshoesprod.azurecr.io/shop-api:r42")
    .option("--keep-failed", "keep a failed release's green stamps for debugging (their traffic is still removed)")
    .option("--auto-promote", "pass the environment's pauses without waiting for release promote (for pipelines that approve elsewhere)")
    .option("--probe-allow <cidr>", "CIDR also allowed to reach the green web apps directly, e.g. an operators network (the gate itself goes through Front Door)", (v: string, p: string[] = []) => [...p, v])
    .action(async (opts: CommonOptions & { release: string; image: string; keepFailed?: boolean; autoPromote?: boolean; probeAllow?: string[] }, command: Command) => {
      const env = ctx.environment(opts.env);
      validateRelease(opts.release);
      validateImage(opts.image);
      // Checked now, not when the first stamp is deployed: a bad entry must not record a release.
      if (opts.probeAllow) validateCidrs(opts.probeAllow);
      // An image the stamps could not pull is refused before the release records anything.
      await requireImageForEnvironment(await ctx.engine(command), env, opts.image);
      await run(ctx, command, { env, timeScale: opts.timeScale, probeAllow: opts.probeAllow, verb: "release", verbose: opts.verbose === true }, (session) =>
        startRelease(session, { release: opts.release, image: opts.image, keepFailed: opts.keepFailed === true, autoPromote: opts.autoPromote === true }));
    });

  group
    .command("promote")
    .description("approve a paused release's next step (--full: skip every remaining step); the process running it continues within one probe window")
    .requiredOption("--env <name>", "environment (prod, staging, dev-<name>)")
    .option("--full", "skip the remaining steps and their pauses: straight to 100 %, then promotion")
    .action(async (opts: { env: string; full?: boolean }, command: Command) => {
      const env = ctx.environment(opts.env);
      const engine = await ctx.engine(command);
      const result = await promoteRelease({ engine, env }, { full: opts.full === true });
      if (ctx.mode(command) === "json") ctx.print(JSON.stringify(result));
      else {
        ctx.print(`${env.name}: approved ${result.promotion} of release ${result.release}`);
        ctx.log(`the process running the release continues within one probe window; if none runs, run "contoso release resume --env ${env.name}"`);
      }
    });

  verbose(common(group.command("resume")))
    .description("continue an interrupted release (or rollback) from where the world is now")
    .action(async (opts: CommonOptions, command: Command) => {
      const env = ctx.environment(opts.env);
      await run(ctx, command, { env, timeScale: opts.timeScale, verb: "release", verbose: opts.verbose === true }, (session) => resumeRelease(session));
    });

  verbose(common(group.command("abort")))
    .description("drive back to blue: blue at full weight, green origins removed, green stamps destroyed")
    .option("--keep-failed", "keep the green stamps for debugging")
    .option("--wait", "when another process runs the release: wait until it has turned back to blue (default: ask it and return)")
    .action(async (opts: CommonOptions & { keepFailed?: boolean; wait?: boolean }, command: Command) => {
      const env = ctx.environment(opts.env);
      await run(ctx, command, { env, timeScale: opts.timeScale, verb: "abort", verbose: opts.verbose === true }, (session) =>
        abortRelease(session, { ...(opts.keepFailed ? { keepFailed: true } : {}), wait: opts.wait === true }));
    });

  verbose(common(group.command("undo")))
    .description("after promotion, put the previous release back while its stamps are retained (the environment's blueRetention): one global update, no redeploy")
    .option("--now <iso>", "the time to judge the undo window against (default: now), e.g. to replay a decision")
    .action(async (opts: CommonOptions & { now?: string }, command: Command) => {
      const env = ctx.environment(opts.env);
      const now = parseNow(opts.now);
      await run(ctx, command, { env, timeScale: opts.timeScale, verb: "undo", verbose: opts.verbose === true }, (session) => undoRelease(session, { now }));
    });

  common(group.command("status"))
    .description("phase, weights per origin and health per stamp (--watch: follow the release until it ends)")
    .option("--watch", "follow the release in progress until it ends, whoever runs it: a line (with --json, a status record) at every change; read-only, never takes the lock")
    .action(async (opts: CommonOptions & { watch?: boolean }, command: Command) => {
      const env = ctx.environment(opts.env);
      const engine = await ctx.engine(command);
      const session = await openReleaseSession(engine, env, { timeScale: parseTimeScale(opts.timeScale, engine), onEvent: () => {} });
      try {
        await session.ready();
        if (opts.watch) {
          await watchRelease(ctx, command, env, session.ctx);
          return;
        }
        const status = await releaseStatus(await observeWorld(engine, env.name), env, session.ctx.resolve, 5_000);
        ctx.print(ctx.mode(command) === "json" ? JSON.stringify(status, null, 2) : statusText(status, ctx.width()));
      } finally {
        await session.close();
      }
    });
}

interface RunOptions {
  env: Environment;
  timeScale: string | undefined;
  probeAllow?: string[] | undefined;
  /** An abort (or an undo) that ends back on blue succeeded; a release that does failed (exit 3). */
  verb: "release" | "abort" | "undo";
  verbose?: boolean;
}

async function run(
  ctx: CliContext,
  command: Command,
  { env, timeScale, probeAllow, verb, verbose }: RunOptions,
  work: (session: ReleaseContext) => Promise<ReleaseSummary>,
): Promise<void> {
  const engine = await ctx.engine(command);
  const json = ctx.mode(command) === "json";
  // Pipelines get the event stream on stdout (one JSON object per line, stamped with the time and
  // the schema version), a terminal gets live progress, logs get plain lines on stderr.
  const stream = releaseEventStream((record) => ctx.print(JSON.stringify(record)), { verbose: verbose === true });
  const progress = !json && ctx.mode(command) === "tty" ? await ReleaseProgress.start(env, parseTimeScale(timeScale, engine)) : undefined;
  let pausedAt: number | null = null;
  const onEvent = (e: ReleaseEvent) => {
    if (json) return stream(e);
    if (progress) return progress.update(e);
    // A pause repeats its round every detection window: one line for it, not one per round.
    if (e.type === "action") {
      if (e.action.kind === "pause" && pausedAt === e.action.step) return;
      pausedAt = e.action.kind === "pause" ? e.action.step : null;
    }
    const line = formatEvent(e);
    if (line) ctx.log(line);
  };
  const session = await openReleaseSession(engine, env, {
    timeScale: parseTimeScale(timeScale, engine),
    onEvent,
    signal: ctx.signal,
    ...(probeAllow ? { probeAllowList: probeAllow } : {}),
  });
  let summary: ReleaseSummary;
  try {
    summary = await work(session.ctx);
  } catch (err) {
    // An operation that failed mid-release leaves the release recorded: say how to carry on.
    if (isInputError(err) || err instanceof EnvironmentBusyError || err instanceof InterruptedError || !(err instanceof Error)) throw err;
    // Interrupted (SIGTERM, Ctrl-C): whatever the interrupted operation threw, the release stays where it is.
    if (ctx.signal.aborted) throw interruptionOf(ctx.signal);
    throw Object.assign(new Error(`${oneLine(err)} — fix the cause, then run "contoso release resume --env ${env.name}" (or "release abort")`), { exitCode: 1 });
  } finally {
    await progress?.stop();
    await session.close();
  }
  if (json) stream({ type: "summary", ...summary });
  const failed = summary.outcome === "rolled-back" || summary.outcome === "promoted-before-abort" || (summary.outcome === "aborted" && verb === "release");
  if (failed) throw new ReleaseFailedError(summaryText(summary));
  if (!json) ctx.print(summaryText(summary));
}

/** A release that ended back on blue: the CLI's one error line, exit code 3. */
export class ReleaseFailedError extends Error {
  override readonly name = "ReleaseFailedError";
  readonly exitCode = EXIT_ROLLED_BACK;
}

function summaryText(s: ReleaseSummary): string {
  switch (s.outcome) {
    case "released":
      return `${s.env}: release ${s.release} is live`;
    case "rolled-back":
      return `${s.env}: release ${s.release} failed and was rolled back; live release ${s.liveRelease ?? "none"}${s.reason ? ` (${s.reason})` : ""}`;
    case "aborted":
      return `${s.env}: release ${s.release} aborted; live release ${s.liveRelease ?? "none"}`;
    case "undone":
      return `${s.env}: release ${s.release} undone; live release ${s.liveRelease ?? "none"} (its stamps were kept, nothing was redeployed)`;
    case "promote-requested":
      return `${s.env}: promotion of release ${s.release} requested`;
    case "abort-requested":
      return `${s.env}: abort of release ${s.release} requested from the process running it`;
    case "promoted-before-abort":
      return `${s.env}: release ${s.release} was promoted before the abort reached it; it is live (release the previous version again to go back)`;
    case "nothing-to-do":
      return `${s.env}: no release in progress; live release ${s.liveRelease ?? "none"}`;
  }
}

export function statusText(s: ReleaseStatus, width?: number): string {
  const lines = [
    `environment ${s.env}: ${s.phase}${s.release ? ` (release ${s.release}${s.greenPercent !== null ? `, ${s.greenPercent}% on green` : ""})` : ""}; live release ${s.liveRelease ?? "none"}`,
  ];
  if (s.reason) lines.push(`reason: ${s.reason}`);
  if (s.retained) lines.push(`retained: ${s.retained.release} (without traffic) until ${s.retained.until}: "contoso release undo --env ${s.env}" puts it back`);
  lines.push("");
  if (s.origins.length === 0) lines.push("(no origins)");
  else {
    const origins = s.origins.map((o) => [o.stamp, o.release, String(o.weight), o.enabled ? "yes" : "no"]);
    lines.push(renderTable(["ORIGIN", "RELEASE", "WEIGHT", "ENABLED"], origins, { width }));
  }
  lines.push("");
  if (s.stamps.length === 0) lines.push("(no stamps)");
  else {
    const stamps = s.stamps.map((st) => {
      const failing = st.components.filter((c) => c.status !== "Healthy").map((c) => `${c.name}=${c.status}`).join(" ");
      return [st.stack, st.release, st.gate, `${st.health}${failing ? ` (${failing})` : ""}`];
    });
    lines.push(renderTable(["STAMP", "RELEASE", "GATE", "HEALTH"], stamps, { width }));
  }
  return lines.join("\n");
}

/**
 * `release status --watch`: polls the observed world (stacks, the global stack's outputs and release
 * record, one probe per stamp) every gate interval and reports each change until no release is in
 * progress. Read-only: it never takes the release lock, so it follows a release whoever runs it.
 * Exit 0 when the release it saw in progress went live, 3 when it ended back on blue.
 */
async function watchRelease(ctx: CliContext, command: Command, env: Environment, release: ReleaseContext): Promise<void> {
  const json = ctx.mode(command) === "json";
  const stream = releaseEventStream((record) => ctx.print(JSON.stringify(record)), { verbose: false });
  const settings = gateSettings(env, release.timing);
  let last = "";
  let watched: string | null = null;
  let watchedMode: string | null = null;
  for (;;) {
    await release.afterStackChange?.();
    const status = await releaseStatus(await observeWorld(release.engine, env.name), env, release.resolve, settings.probeTimeoutMs);
    watched ??= status.release;
    // An undo ends well when the retained release is live again.
    if (status.mode !== null && watched === status.release) watchedMode = status.mode;
    const key = JSON.stringify([status.phase, status.release, status.greenPercent, status.origins, status.stamps.map((s) => [s.stack, s.gate, s.health])]);
    if (key !== last) {
      last = key;
      if (json) stream({ type: "status", ...status });
      else ctx.print(watchLine(status, new Date()));
    }
    if (status.release === null || ctx.signal.aborted) {
      if (watched === null) {
        if (!json) ctx.print(`${env.name}: no release in progress; live release ${status.liveRelease ?? "none"}`);
        return;
      }
      if (ctx.signal.aborted) return;
      if (watchedMode === "undo" && status.liveRelease !== watched) {
        if (!json) ctx.print(`${env.name}: release ${watched} undone; live release ${status.liveRelease ?? "none"}`);
        return;
      }
      if (status.liveRelease !== watched) {
        throw new ReleaseFailedError(`${env.name}: release ${watched} ended without going live; live release ${status.liveRelease ?? "none"}`);
      }
      if (!json) ctx.print(`${env.name}: release ${watched} is live`);
      return;
    }
    await sleep(settings.intervalMs, undefined, { signal: ctx.signal }).catch(() => undefined);
  }
}

function watchLine(s: ReleaseStatus, at: Date): string {
  const time = at.toISOString().slice(11, 19);
  const share = s.release && s.greenPercent !== null ? ` ${s.release} ${s.greenPercent}% on green` : "";
  const sick = s.stamps.filter((st) => st.health !== "Healthy").map((st) => `${st.stack} ${st.health}`);
  return `${time} ${s.phase}${share} | ${s.origins.map((o) => `${o.stamp}=${o.enabled ? o.weight : "off"}`).join(" ") || "no origins"}${sick.length ? ` | not healthy: ${sick.join(", ")}` : ""}`;
}
