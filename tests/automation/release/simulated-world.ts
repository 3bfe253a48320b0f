import type { OriginSpec } from "../../../global/contract.js";
import type { Action, ObservedStamp, ReleaseIntent, Retention, World } from "../../../automation/release/model.js";
import type { ActionResult, ReconcilerEvent, ReleasePorts } from "../../../automation/release/reconciler.js";

/**
 * An in-memory environment for the reconciler: stacks, Front Door origins and stamp health, with
 * scripted faults (operations fail, stamps turn unhealthy, the process "dies" at a checkpoint).
 * After every change it checks DESIGN.md's invariants against the world itself, independently of
 * the reconciler's own guards, and records any violation.
 */

export type StampHealth = "healthy" | "fails-gate" | { failsAtBakeStep: number };

export class Crash extends Error {}

export interface SimulationScript {
  regions: string[];
  steps: number[];
  firstRelease: boolean;
  /** Health of the green stamp per region (index-aligned with regions). */
  greenHealth: StampHealth[];
  /**
   * Health of the live (blue) stamp per region while the release runs; healthy when absent. Blue
   * turning sick must never decide what happens to green: the gate and the bakes judge green.
   */
  blueHealth?: StampHealth[];
  /**
   * Consumed one per engine operation: true = the operation fails. Operations: each stamp's up and
   * destroy, each global update, each gate (a failure is a gate that timed out without a verdict)
   * and each gate tag it records, and the release record's tag writes (begin-rollback, finish).
   */
  operationFaults: boolean[];
  /**
   * Consumed one per crash point: true = the process dies there. Crash points: every checkpoint
   * (before and after every action), and inside the actions that touch several stacks, between one
   * stack and the next (deploying green, recording gate verdicts, destroying blue or green).
   */
  crashes: boolean[];
  /** The environment's blueRetention (0 or absent: blue destroyed at promotion). */
  retentionMs?: number;
  /**
   * An earlier release (r0) retained by the promotion of blue, its stamps deployed with disabled
   * origins in every region: the release must drop that window before anything else.
   */
  earlierRetained?: boolean;
}

export const BLUE = "r1";
export const GREEN = "r2";
export const EARLIER = "r0";
/** The simulation's clock: every retention starts here. */
export const SIM_NOW = Date.parse("2026-11-21T01:00:00Z");

interface SimStamp extends ObservedStamp {
  health: StampHealth;
}

export class SimulatedWorld {
  stamps = new Map<string, SimStamp>();
  origins: OriginSpec[] = [];
  liveRelease: string | null = null;
  intent: ReleaseIntent | null;
  retention: Retention | null = null;
  violations: string[] = [];
  /** Stamps an `up` deployed (an undo must never add to it). */
  deployed: string[] = [];
  everServed = false;
  destroyedGreen: string[] = [];
  private faultIndex = 0;
  private crashIndex = 0;

  constructor(readonly script: SimulationScript) {
    if (!script.firstRelease) {
      script.regions.forEach((region, i) => {
        const stack = `prod-${region}-${BLUE}`;
        this.stamps.set(stack, { stack, region, release: BLUE, deployed: true, hostName: `${stack}.example`, gate: "passed", health: script.blueHealth?.[i] ?? "healthy" });
        this.origins.push({ stamp: stack, region, release: BLUE, hostName: `${stack}.example`, weight: 1000, enabled: true, priority: 1 });
      });
      this.liveRelease = BLUE;
      this.everServed = true;
      if (script.earlierRetained) {
        for (const region of script.regions) {
          const stack = `prod-${region}-${EARLIER}`;
          this.stamps.set(stack, { stack, region, release: EARLIER, deployed: true, hostName: `${stack}.example`, gate: "passed", health: "healthy" });
          this.origins.push({ stamp: stack, region, release: EARLIER, hostName: `${stack}.example`, weight: 1000, enabled: false, priority: 1 });
        }
        this.retention = { release: EARLIER, from: BLUE, until: new Date(SIM_NOW + 3_600_000).toISOString() };
      }
    }
    this.intent = {
      release: GREEN, image: "shop:r2", mode: "rollout", blueRelease: script.firstRelease ? null : BLUE,
      keepFailed: false, startedAt: "2026-11-21T00:00:00Z",
    };
  }

  observe(): World {
    return {
      env: "prod",
      global: { exists: true, origins: this.origins.map((o) => ({ ...o })), liveRelease: this.liveRelease },
      stamps: [...this.stamps.values()].map(({ health: _h, ...s }) => ({ ...s })),
      intent: this.intent ? { ...this.intent } : null,
      retention: this.retention ? { ...this.retention } : null,
    };
  }

  /** `release undo` once the release ended: what the command records after its checks (undo.ts) passed. */
  recordUndo(): void {
    this.intent = { release: GREEN, image: "shop:r1", mode: "undo", blueRelease: BLUE, keepFailed: false, startedAt: new Date(SIM_NOW).toISOString() };
  }

  private operationFails(): boolean {
    return this.script.operationFaults[this.faultIndex++] ?? false;
  }

  /**
   * The process died (a crash inside an action): nothing it would do afterwards happens. The
   * reconciler catches an action's error as a failed attempt, so the world itself refuses every
   * further observation or action of that process; the next run (`ports()`) starts alive.
   */
  private dead = false;

  checkpoint(): void {
    if (this.dead) throw new Crash("the process is dead");
    if (this.script.crashes[this.crashIndex++]) {
      this.dead = true;
      throw new Crash("simulated crash");
    }
  }

  /** Every action is checked against the invariants when it ends, however it ends. */
  execute(action: Action): ActionResult {
    if (this.dead) throw new Crash("the process is dead");
    try {
      return this.act(action);
    } finally {
      this.checkInvariants();
    }
  }

  /** A crash point between two stacks of one action (not before the first: that is the checkpoint's). */
  private between(i: number): void {
    if (i > 0) this.checkpoint();
  }

  private act(action: Action): ActionResult {
    switch (action.kind) {
      case "deploy-green":
        action.regions.forEach((region, n) => {
          this.between(n);
          const stack = `prod-${region}-${GREEN}`;
          const i = this.script.regions.indexOf(region);
          const fails = this.operationFails();
          this.stamps.set(stack, { stack, region, release: GREEN, deployed: !fails, hostName: fails ? undefined : `${stack}.example`, gate: "pending", health: this.script.greenHealth[i] ?? "healthy" });
          this.deployed.push(stack);
          if (fails) throw new Error(`up of ${stack} failed`);
        });
        return { ok: true };
      case "gate":
        // A gate that times out as a whole (cancelled, the probes' host unreachable) records nothing.
        if (this.operationFails()) throw new Error("health gate timed out without a verdict");
        action.stacks.forEach((stack, n) => {
          this.between(n);
          // The gate reaches a stamp only through its Front Door stamp endpoint, which exists while it is in the origin list.
          if (!this.origins.some((o) => o.stamp === stack)) throw new Error(`${stack} has no Front Door stamp endpoint: the gate cannot reach it`);
          const s = this.stamps.get(stack)!;
          // Recording the verdict is a tag write of its own, which can fail.
          if (this.operationFails()) throw new Error(`recording the gate verdict of ${stack} failed`);
          s.gate = s.health === "fails-gate" ? "failed" : "passed";
        });
        return { ok: true };
      case "pause": // watches like a bake (the property plans have no pauses; kept total for the type)
      case "bake": {
        const sick = action.stacks.filter((stack) => {
          const h = this.stamps.get(stack)?.health;
          // Once sick, a stamp stays sick: it fails every bake from its step on.
          return typeof h === "object" && action.step >= h.failsAtBakeStep;
        });
        return sick.length > 0 ? { ok: false, unhealthy: `${sick.join(", ")} unhealthy during bake` } : { ok: true };
      }
      case "expose":
      case "shift":
      case "promote":
      case "restore-blue":
      case "drop-retained":
        if (this.operationFails()) throw new Error("global update failed");
        this.origins = action.origins.map((o) => ({ ...o }));
        this.liveRelease = action.liveRelease;
        return { ok: true };
      case "destroy-stamps":
        action.stacks.forEach((stack, n) => {
          this.between(n);
          if (this.origins.some((o) => o.stamp === stack && o.enabled)) this.violations.push(`destroyed serving stamp ${stack}`);
          if (this.operationFails()) throw new Error(`destroy of ${stack} failed`);
          this.stamps.delete(stack);
          if (stack.endsWith(GREEN)) this.destroyedGreen.push(stack);
          if (this.retention && stack.endsWith(`-${this.retention.release}`) && this.origins.some((o) => o.stamp === stack)) {
            this.violations.push(`destroyed retained stamp ${stack} while its origin is still listed for undo`);
          }
          this.checkInvariants();
        });
        return { ok: true };
      case "begin-rollback":
        if (this.operationFails()) throw new Error("writing the release record (rollback) failed");
        this.intent = { ...this.intent!, mode: this.intent!.mode === "abort" ? "abort" : "rollback", reason: action.reason };
        return { ok: true };
      case "retain-blue":
        if (this.operationFails()) throw new Error("writing the retention record failed");
        this.retention = { release: action.release, from: action.from, until: new Date(SIM_NOW + action.retentionMs).toISOString() };
        return { ok: true };
      case "forget-retention":
        if (this.operationFails()) throw new Error("clearing the retention record failed");
        this.retention = null;
        return { ok: true };
      case "finish":
        if (this.operationFails()) throw new Error("clearing the release record failed");
        if (action.outcome === "undone") this.retention = null;
        this.intent = null;
        return { ok: true };
      case "blocked":
        throw new Error(action.reason);
    }
  }

  aborted = false;

  abort(): void {
    if (this.intent && this.liveRelease !== GREEN) {
      this.intent = { ...this.intent, mode: "abort" };
      this.aborted = true;
    }
  }

  /** DESIGN.md's invariants, checked on the world itself. */
  checkInvariants(): void {
    const enabled = this.origins.filter((o) => o.enabled);
    for (const o of enabled) {
      const s = this.stamps.get(o.stamp);
      if (!s || !s.deployed) this.violations.push(`traffic to missing stamp ${o.stamp}`);
      else if (s.gate !== "passed") this.violations.push(`traffic to ungated stamp ${o.stamp}`);
      if (o.weight < 1 || o.weight > 1000) this.violations.push(`weight ${o.weight} out of range`);
    }
    const firstReleaseRolledBack = this.script.firstRelease && this.intent?.mode !== "rollout";
    if (this.everServed && enabled.length === 0 && !firstReleaseRolledBack) this.violations.push("zero enabled origins");
    if (enabled.length > 0) this.everServed = true;
    // Retained stamps take no traffic (until an undo brings them back) and exist while their origins are listed.
    const r = this.retention;
    if (r && this.intent?.mode !== "undo") {
      for (const o of this.origins.filter((x) => x.release === r.release)) {
        if (o.enabled) this.violations.push(`retained ${o.stamp} takes traffic`);
        if (!this.stamps.get(o.stamp)?.deployed) this.violations.push(`retained origin ${o.stamp} has no stamp`);
      }
    }
    // Never fewer serving regions than before an undo.
    const regions = new Set(enabled.map((o) => o.region));
    if (this.servingRegions && this.intent?.mode === "undo") {
      for (const region of this.servingRegions) if (!regions.has(region)) this.violations.push(`undo left ${region} without an enabled origin`);
    }
    if (this.intent?.mode !== "undo" || this.servingRegions === null) this.servingRegions = regions;
  }

  private servingRegions: Set<string> | null = null;

  ports(events: ReconcilerEvent[]): ReleasePorts {
    // A new run is a new process.
    this.dead = false;
    return {
      observe: async () => {
        if (this.dead) throw new Crash("the process is dead");
        return this.observe();
      },
      execute: async (action) => this.execute(action),
      checkpoint: () => this.checkpoint(),
      emit: (e) => {
        if (!this.dead) events.push(e);
      },
    };
  }
}
