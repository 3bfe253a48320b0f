import type { OriginSpec } from "../../global/contract.js";

/**
 * The release reconciler's view of the world. Everything here is observed from the backend on every
 * step (stacks by tag, the global stack's outputs and tags); nothing is carried only in memory, so a
 * crashed run is resumed by observing again.
 */

/** Why the driver is changing the environment; kept as tags on the global stack. */
export interface ReleaseIntent {
  release: string;
  image: string;
  /**
   * rollout: toward the new release; rollback: back to blue after a failure; abort: back to blue on
   * request; undo: back to the retained blue after promotion (`release undo`: `release` is the
   * release being undone, `blueRelease` the retained one that serves again).
   */
  mode: "rollout" | "rollback" | "abort" | "undo";
  /** The release that served when this one started (null for an environment's first release). */
  blueRelease: string | null;
  keepFailed: boolean;
  startedAt: string;
  /** Why a rollback started (one line). */
  reason?: string;
  /** Pass the environment's pauses without waiting for `release promote` (Argo Rollouts' autoPromotionEnabled). */
  autoPromote?: boolean;
  /** A `release promote` recorded for this release (a tag only `promote` writes, so no run overwrites it). */
  promotion?: Promotion;
  /** The step whose bake finished and at which the run waits for promote (recorded when the pause begins). */
  pausedAt?: number;
}

/** Approval of the pauses up to (and including) the one before step `through`, or of every remaining step. */
export type Promotion = { through: number } | { full: true };

export type GateState = "pending" | "passed" | "failed";

export interface ObservedStamp {
  stack: string;
  region: string;
  release: string;
  /** The stack has resources (an `up` finished); a stack can exist empty after a destroy or a failed first up. */
  deployed: boolean;
  hostName?: string;
  /**
   * The stamp's own Front Door endpoint (global/front-door-stamp-endpoints.ts), where the gate and
   * bakes probe it: the web app itself admits only Front Door. Present once the stamp is in the origin list.
   */
  probeHostName?: string;
  /** The health gate's verdict, recorded as a stack tag once measured. */
  gate: GateState;
}

export interface ObservedGlobal {
  exists: boolean;
  origins: OriginSpec[];
  liveRelease: string | null;
  frontDoorHostName?: string;
}

/**
 * Blue kept after promotion for `release undo` (the environment's `blueRetention`): the stamps of
 * `release` stay deployed with their Front Door origins disabled until `until`, when the reaper
 * removes them. Recorded on the global stack (tag `contoso:blue-retention`, retention-tag.ts) when
 * the promotion of `from` finished; cleared by an undo, or when the next release starts.
 */
export interface Retention {
  /** The retained (old blue) release. */
  release: string;
  /** The release whose promotion retained it: the one an undo removes. */
  from: string;
  /** ISO 8601: the end of the undo window. */
  until: string;
}

export interface World {
  env: string;
  global: ObservedGlobal;
  stamps: ObservedStamp[];
  intent: ReleaseIntent | null;
  /** The retained blue, if any (absent: none; observed from the global stack's tags). */
  retention?: Retention | null;
}

/** What this run has done that is safe to forget: a crash only makes the next run bake again. */
export interface RunMemory {
  /** Index of the release step whose bake this run completed (bakes are repeated after a restart). */
  bakedStep: number | null;
}

export type Action =
  | { kind: "deploy-green"; regions: string[] }
  /** Green stamps join the origin list disabled: their stamp endpoints appear for the gate, with no shopper traffic. */
  | { kind: "expose"; origins: OriginSpec[]; liveRelease: string | null }
  | { kind: "gate"; stacks: string[] }
  | { kind: "shift"; step: number; percent: number; origins: OriginSpec[]; liveRelease: string | null }
  | { kind: "bake"; step: number; percent: number; stacks: string[] }
  /** Waiting for `release promote` before step `nextStep`: weights held, green watched for one detection window. */
  | { kind: "pause"; step: number; percent: number; nextStep: number; nextPercent: number; stacks: string[] }
  | { kind: "promote"; origins: OriginSpec[]; liveRelease: string }
  /** Records blue's stamps (kept, origins disabled) as retained for `retentionMs` from now: the executor reads the clock. */
  | { kind: "retain-blue"; release: string; from: string; retentionMs: number }
  /** A new release starts: one global update removes the retained blue's (disabled) origins, the live ones untouched. */
  | { kind: "drop-retained"; release: string; origins: OriginSpec[]; liveRelease: string | null }
  /** The retained blue is gone (origins and stamps): its retention record is cleared. */
  | { kind: "forget-retention"; release: string }
  | { kind: "destroy-stamps"; stacks: string[]; why: "blue" | "failed-green" | "retained-blue" | "undone" }
  | { kind: "begin-rollback"; reason: string }
  | { kind: "restore-blue"; origins: OriginSpec[]; liveRelease: string | null }
  | { kind: "finish"; outcome: "released" | "rolled-back" | "aborted" | "undone" }
  | { kind: "blocked"; reason: string };

export type ActionKind = Action["kind"];
