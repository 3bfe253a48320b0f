import type { Environment } from "../../environments/index.js";
import { readableDuration } from "../text/readable-duration.js";
import { parseStackName } from "../../environments/stacks.js";
import type { ReleaseEvent } from "../release/run-release.js";
import { weights } from "../release/report.js";

/**
 * Live progress of a release on a terminal (listr2, redrawn in place on stderr): one line per region
 * (deploy, gate, its share of traffic, probes) and one for traffic (each step's weights, the bake
 * countdown in the environment's own time, a pause waiting for promote, promotion or rollback).
 * Logs and pipes get plain lines instead (report.ts), pipelines the --json stream.
 */

interface Row {
  title: string;
  output?: string;
}

interface Wrapper {
  title: string;
  output: string;
}

export class ReleaseProgress {
  private readonly rows = new Map<string, Row>();
  private readonly wrappers = new Map<string, Wrapper>();
  private readonly probes = new Map<string, { ok: number; failed: number }>();
  private countdown: NodeJS.Timeout | undefined;
  private finish!: () => void;
  private running!: Promise<unknown>;

  private constructor(private readonly env: Environment, private readonly timeScale: number) {}

  static async start(env: Environment, timeScale: number): Promise<ReleaseProgress> {
    const progress = new ReleaseProgress(env, timeScale);
    await progress.open();
    return progress;
  }

  private async open(): Promise<void> {
    const { Listr, ListrLogger, ProcessOutput } = await import("listr2");
    const done = new Promise<void>((resolve) => (this.finish = resolve));
    const keys = [...this.env.regions, "traffic"];
    for (const key of keys) this.rows.set(key, { title: key === "traffic" ? `traffic: ${this.env.name}` : `${key}: waiting` });
    const list = new Listr(
      keys.map((key) => ({
        title: this.rows.get(key)!.title,
        task: async (_: unknown, wrapper: Wrapper) => {
          this.wrappers.set(key, wrapper);
          await done;
        },
      })),
      {
        concurrent: true,
        exitOnError: false,
        rendererOptions: { collapseSubtasks: false, logger: new ListrLogger({ processOutput: new ProcessOutput(process.stderr, process.stderr) }) },
      },
    );
    this.running = list.run().catch(() => undefined);
  }

  private set(key: string, title: string, output?: string): void {
    const row = { title, ...(output !== undefined ? { output } : {}) };
    this.rows.set(key, row);
    const w = this.wrappers.get(key);
    if (w) {
      w.title = title;
      if (output !== undefined) w.output = output;
    }
  }

  private regionOf(stack: string): string | undefined {
    try {
      const parsed = parseStackName(stack);
      return parsed.kind === "stamp" ? parsed.region : undefined;
    } catch {
      return undefined;
    }
  }

  private stopCountdown(): void {
    if (this.countdown) clearInterval(this.countdown);
    this.countdown = undefined;
  }

  /** Counts down a wait in the environment's own time (the offline engine runs it scaled down). */
  private startCountdown(label: (left: string) => string, realMs: number): void {
    this.stopCountdown();
    const until = Date.now() + realMs;
    const tick = () => this.set("traffic", label(readableDuration(Math.max(0, until - Date.now()) / this.timeScale)));
    tick();
    this.countdown = setInterval(tick, 250);
    this.countdown.unref();
  }

  update(e: ReleaseEvent): void {
    switch (e.type) {
      case "action": {
        const a = e.action;
        if (a.kind !== "bake" && a.kind !== "pause") this.stopCountdown();
        switch (a.kind) {
          case "deploy-green":
            for (const r of a.regions) this.set(r, `${r}: deploying green stamp`);
            return;
          case "expose":
            this.set("traffic", `traffic: exposing green through Front Door for its gate (disabled origins, own endpoints)`, weights(a.origins));
            return;
          case "gate":
            for (const s of a.stacks) this.set(this.regionOf(s) ?? s, `${this.regionOf(s)}: health gate on ${s}`);
            return;
          case "shift":
            this.set("traffic", `traffic: shifting ${a.percent}% to green (step ${a.step + 1} of ${this.env.release.steps.length})`, weights(a.origins));
            return;
          case "bake": {
            const realMs = Math.max(1, this.env.release.bakeTime * this.timeScale);
            this.startCountdown((left) => `traffic: ${a.percent}% on green, baking: ${left} left`, realMs);
            return;
          }
          case "pause":
            this.stopCountdown();
            this.set("traffic", `traffic: ⏸ paused at ${a.percent}% before ${a.nextPercent}%, green watched: approve with "contoso release promote --env ${this.env.name}"`);
            return;
          case "promote":
            this.set("traffic", `traffic: promoting ${a.liveRelease}`, weights(a.origins));
            return;
          case "destroy-stamps":
            for (const s of a.stacks) {
              const r = this.regionOf(s);
              if (r) this.set(r, `${r}: removing ${a.why === "failed-green" ? "failed" : a.why === "undone" ? "undone" : "old"} stamp ${s}`);
            }
            return;
          case "retain-blue":
            this.set("traffic", `traffic: keeping ${a.release}'s stamps without traffic for release undo`);
            return;
          case "drop-retained":
            this.set("traffic", `traffic: dropping the undo window of ${a.release}`, weights(a.origins));
            return;
          case "forget-retention":
            return;
          case "begin-rollback":
            this.set("traffic", `traffic: ↩ rolling back: ${a.reason}`);
            return;
          case "restore-blue":
            this.set("traffic", `traffic: ↩ blue back to full weight`, weights(a.origins));
            return;
          case "finish":
            this.set("traffic", `traffic: ■ ${a.outcome}`);
            return;
          case "blocked":
            this.set("traffic", `traffic: ■ blocked: ${a.reason}`);
            return;
        }
        return;
      }
      case "stamp-deployed": {
        const r = this.regionOf(e.stack);
        if (r) this.set(r, `${r}: ${e.stack} deployed`);
        return;
      }
      case "stamp-destroyed": {
        const r = this.regionOf(e.stack);
        if (r) this.set(r, `${r}: ${e.stack} removed`);
        return;
      }
      case "gate-verdict": {
        const v = e.verdict;
        const r = this.regionOf(v.stack);
        if (r) this.set(r, v.passed ? `${r}: ✓ ${v.stack} healthy (${v.window.successes}/${v.window.samples} probes)` : `${r}: ✗ ${v.stack} unhealthy: ${v.reason ?? "failed"}`);
        return;
      }
      case "probe": {
        const r = this.regionOf(e.stack);
        if (!r) return;
        const t = this.probes.get(e.stack) ?? { ok: 0, failed: 0 };
        if (e.result.ok) t.ok++;
        else t.failed++;
        this.probes.set(e.stack, t);
        this.set(r, this.rows.get(r)!.title, `${e.stack}: probes ✓ ${t.ok} ✗ ${t.failed}${e.result.ok ? "" : ` (last: ${e.result.error ?? e.result.status ?? "failed"})`}`);
        return;
      }
      case "action-failed":
        this.set("traffic", this.rows.get("traffic")!.title, `! ${e.action.kind} failed (attempt ${e.attempt}${e.willRetry ? ", retrying" : ""}): ${e.error}`);
        return;
      case "warning":
      case "note":
        this.set("traffic", this.rows.get("traffic")!.title, e.message);
        return;
      case "lock-recovered":
        this.set("traffic", this.rows.get("traffic")!.title, `recovered the release lock left by ${e.from}`);
        return;
      default:
        return;
    }
  }

  async stop(): Promise<void> {
    this.stopCountdown();
    this.finish();
    await this.running;
  }
}
