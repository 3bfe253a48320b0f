import { performance } from "node:perf_hooks";
import { describeError } from "./describe-error.js";
import { canServe, rollUp } from "./roll-up.js";
import type { ComponentHealth, HealthCheck, StampHealth } from "./types.js";

export interface HealthServiceOptions {
  release: string;
  region: string;
  checks: readonly HealthCheck[];
  /** Time between the starts of two check rounds. */
  intervalMs: number;
  /** How long one check may take before it is aborted and reported Unhealthy. */
  checkTimeoutMs: number;
  /** How long a whole round may take (checks run in parallel, so this caps every check). Default: `intervalMs`. */
  roundDeadlineMs?: number;
  /**
   * Cached results older than this make the stamp Unhealthy: if the rounds stop (a wedged event
   * loop, a bug), probes must not keep answering with the last good verdict. Default: three
   * intervals plus one round deadline.
   */
  staleAfterMs?: number;
  /** Whether Degraded answers 200 (default true; see `canServe`). */
  serveWhenDegraded?: boolean;
  /** Called after every round, e.g. to log transitions or emit telemetry. Must not throw. */
  onRound?: (health: StampHealth) => void;
}

/**
 * Runs the dependency checks of one stamp in the background and keeps the last verdict, so that a
 * probe costs a memory read: however many probes arrive (Front Door's edges, App Service, the
 * release gate), each dependency is called once per interval.
 */
export class HealthService {
  readonly release: string;
  readonly region: string;
  readonly intervalMs: number;
  readonly checkTimeoutMs: number;
  readonly roundDeadlineMs: number;
  readonly staleAfterMs: number;
  readonly serveWhenDegraded: boolean;
  private readonly checks: readonly HealthCheck[];
  private readonly onRound: ((health: StampHealth) => void) | undefined;
  /** Checks whose previous run ignored its abort signal and has not settled yet. */
  private readonly stillRunning = new Set<string>();
  private last: { health: StampHealth; finishedAt: number } | undefined;
  private round: Promise<StampHealth> | undefined;
  private running = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(options: HealthServiceOptions) {
    for (const [what, value] of [["intervalMs", options.intervalMs], ["checkTimeoutMs", options.checkTimeoutMs]] as const) {
      if (!(value > 0)) throw new RangeError(`HealthService: ${what} must be greater than zero (got ${value})`);
    }
    const names = options.checks.map((c) => c.name);
    const duplicate = names.find((n, i) => names.indexOf(n) !== i);
    if (duplicate !== undefined) throw new RangeError(`HealthService: two checks are named "${duplicate}"`);
    this.release = options.release;
    this.region = options.region;
    this.checks = [...options.checks];
    this.intervalMs = options.intervalMs;
    this.checkTimeoutMs = options.checkTimeoutMs;
    this.roundDeadlineMs = options.roundDeadlineMs ?? options.intervalMs;
    this.staleAfterMs = options.staleAfterMs ?? 3 * this.intervalMs + this.roundDeadlineMs;
    this.serveWhenDegraded = options.serveWhenDegraded ?? true;
    this.onRound = options.onRound;
  }

  /** Starts the rounds: the first one now, then one every interval (rounds never overlap). */
  start(): this {
    if (this.running) return this;
    this.running = true;
    this.loop();
    return this;
  }

  /** Stops the rounds and waits for the one in flight. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.round?.catch(() => undefined);
  }

  /**
   * Runs a round now, or joins the one in flight; resolves with its verdict. The background loop
   * calls this; callers rarely need to (e.g. to wait for readiness at startup).
   */
  runRound(): Promise<StampHealth> {
    this.round ??= this.checkAll().finally(() => {
      this.round = undefined;
    });
    return this.round;
  }

  /** The cached verdict; never calls a dependency. Unhealthy until the first round completes. */
  snapshot(): StampHealth {
    const base = { release: this.release, region: this.region };
    if (!this.last) {
      return { status: "Unhealthy", ...base, components: [], reason: "starting: the first round of health checks has not completed" };
    }
    const age = Date.now() - this.last.finishedAt;
    if (age > this.staleAfterMs) {
      return {
        ...this.last.health,
        status: "Unhealthy",
        reason: `stale: the last round of health checks finished ${age} ms ago (rounds run every ${this.intervalMs} ms)`,
      };
    }
    return this.last.health;
  }

  /** Whether the cached verdict lets the stamp take traffic (what `/health/stamp` answers 200 for). */
  isServing(): boolean {
    return canServe(this.snapshot().status, this.serveWhenDegraded);
  }

  private loop(): void {
    const startedAt = Date.now();
    void this.runRound().finally(() => {
      if (!this.running) return;
      this.timer = setTimeout(() => this.loop(), Math.max(0, startedAt + this.intervalMs - Date.now()));
      // The HTTP server keeps a process alive, not the health loop of an embedding application.
      this.timer.unref();
    });
  }

  private async checkAll(): Promise<StampHealth> {
    const deadlineAt = performance.now() + this.roundDeadlineMs;
    const components = await Promise.all(this.checks.map((check) => this.runCheck(check, deadlineAt)));
    const health: StampHealth = {
      status: rollUp(components),
      release: this.release,
      region: this.region,
      checkedAt: new Date().toISOString(),
      components,
    };
    this.last = { health, finishedAt: Date.now() };
    try {
      this.onRound?.(health);
    } catch {
      // A telemetry hook must never take the health loop down with it.
    }
    return health;
  }

  private async runCheck(check: HealthCheck, deadlineAt: number): Promise<ComponentHealth> {
    const started = performance.now();
    if (this.stillRunning.has(check.name)) {
      // Calling again would pile requests onto a dependency that is already not answering.
      return { name: check.name, status: "Unhealthy", latencyMs: 0, error: "previous check has not finished (it ignored its timeout); not started again" };
    }
    const own = check.timeoutMs ?? this.checkTimeoutMs;
    const remaining = Math.max(0, deadlineAt - started);
    const budget = Math.min(own, remaining);
    const why = own <= remaining ? `timed out after ${own} ms` : `round deadline of ${this.roundDeadlineMs} ms reached`;

    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = new Error(why);
        err.name = "TimeoutError";
        // Settle the race first, so a check that rejects synchronously on abort cannot hide the timeout.
        reject(err);
        controller.abort(err);
      }, budget);
    });
    const attempt = Promise.resolve().then(() => check.run(controller.signal));
    this.stillRunning.add(check.name);
    attempt.then(
      () => this.stillRunning.delete(check.name),
      () => this.stillRunning.delete(check.name),
    );
    try {
      const outcome = await Promise.race([attempt, timeout]);
      const latencyMs = Math.round(performance.now() - started);
      if (outcome && outcome.status === "Degraded") {
        return { name: check.name, status: "Degraded", latencyMs, ...(outcome.detail ? { error: outcome.detail } : {}) };
      }
      return { name: check.name, status: "Healthy", latencyMs };
    } catch (err) {
      return { name: check.name, status: "Unhealthy", latencyMs: Math.round(performance.now() - started), error: describeError(err) };
    } finally {
      clearTimeout(timer);
    }
  }
}
