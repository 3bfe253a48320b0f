import { formatDuration } from "../../environments/duration.js";
import { readableDuration } from "../text/readable-duration.js";
import { globalStackName, parseStackName, TAG, type ParsedStackName } from "../../environments/stacks.js";
import { intentFromTags, ReleaseRecordError } from "../release/intent-tags.js";
import { retentionFromTags, windowOpen } from "../release/retention-tag.js";
import { dateTag, envExpiry } from "../environments/expiry.js";
import type { TrafficView } from "./traffic.js";

/**
 * The reaper's decision, as a pure function of what was observed: every stack with its tags, each
 * environment's traffic (the global stack's origins and live release), the environment
 * definitions' policies and the clock. It says, for every stack, destroy or keep and why.
 *
 * Rules (README, "Personal environments and the reaper"):
 *  - A protected environment (prod, staging) is never destroyed: its global stack and its stamps
 *    stay, whatever the options. Its orphan stamps are reported with the command that removes them
 *    by hand (`stamp destroy ... --confirm <env>`): a production stamp is only ever removed by a
 *    person or by the release that owns it. The one stamp removal the reaper carries out there is
 *    that release's own deferred decision: blue retained at promotion for `release undo`
 *    (`contoso:blue-retention` on the global stack names the release and the end of the window).
 *  - In every environment, protected or not, a stamp of the retained release is destroyed once the
 *    window has ended, if nothing else keeps it: its origin is disabled or gone, no release in
 *    progress names it (an undo names it as blue), it is not the live release. If the retention or
 *    release record cannot be read, nothing is destroyed for it.
 *  - An expired ephemeral environment goes as a whole: its stamps, then its global stack. Its
 *    Front Door endpoint goes with it, so no stamp is left behind an origin that still takes
 *    traffic once the reap has finished.
 *  - In an environment that stays, a stamp is an orphan when its global stack is gone, or when it
 *    has no origin at all in the global stack (a drained, disabled origin still counts: blue
 *    retention or a rollback may need it), is neither the target nor the blue of a release in
 *    progress, is not of the live release, and is older than the grace period. A stamp with an
 *    enabled origin is never destroyed there.
 *  - A global stack is destroyed only together with every stamp named for its environment.
 *  - Anything the reaper cannot read for certain (a name this tool never makes, tags that
 *    contradict the name, an unknown environment, unreadable outputs, no creation time) is kept.
 */

export interface ReapStack {
  name: string;
  tags: Record<string, string>;
  resourceCount?: number;
}

export interface EnvPolicy {
  protected: boolean;
  ephemeral: boolean;
}

export interface ReapInput {
  stacks: ReapStack[];
  /** By environment: the traffic of its global stack (absent: no global stack, or not observed). */
  traffic: Record<string, TrafficView>;
  /** By environment: its definition's policy; absent for an environment no definition describes. */
  policies: Record<string, EnvPolicy>;
  now: Date;
  /** A stamp nobody serves is left alone this long after its creation (a deployment may be on its way to Front Door). */
  graceMs: number;
  /** Only this environment's stacks. */
  env?: string;
}

export type ReapCause = "expired" | "orphan" | "retention-ended";

export interface ReapDecision {
  stack: string;
  /** The environment the stack belongs to (from its name), or null for a name this tool never makes. */
  env: string | null;
  kind: "global" | "stamp" | "unknown";
  action: "destroy" | "keep";
  reason: string;
  cause?: ReapCause;
}

const keep = (d: Omit<ReapDecision, "action">): ReapDecision => ({ ...d, action: "keep" });
const destroy = (d: Omit<ReapDecision, "action">, cause: ReapCause): ReapDecision => ({ ...d, action: "destroy", cause });

function parse(name: string): ParsedStackName | undefined {
  try {
    return parseStackName(name);
  } catch {
    return undefined;
  }
}

/** The decisions in execution order: per environment, stamps first, then the global stack. */
export function planReap(input: ReapInput): ReapDecision[] {
  const now = input.now.getTime();
  const byEnv = new Map<string, { stack: ReapStack; parsed: ParsedStackName }[]>();
  const unknown: ReapDecision[] = [];
  for (const stack of input.stacks) {
    const parsed = parse(stack.name);
    if (!parsed) {
      if (input.env === undefined || stack.tags[TAG.env] === input.env) {
        unknown.push(keep({ stack: stack.name, env: null, kind: "unknown", reason: "not a stack name this tool makes (<env>-global or <env>-<region>-<release>)" }));
      }
      continue;
    }
    if (input.env !== undefined && parsed.env !== input.env) continue;
    const list = byEnv.get(parsed.env) ?? [];
    list.push({ stack, parsed });
    byEnv.set(parsed.env, list);
  }

  const decisions: ReapDecision[] = [];
  for (const env of [...byEnv.keys()].sort()) {
    decisions.push(...planEnvironment(env, byEnv.get(env)!, input, now));
  }
  return [...decisions, ...unknown];
}

function planEnvironment(env: string, members: { stack: ReapStack; parsed: ParsedStackName }[], input: ReapInput, now: number): ReapDecision[] {
  const policy = input.policies[env];
  const global = members.find((m) => m.parsed.kind === "global");
  const stamps = members.filter((m) => m.parsed.kind === "stamp").sort((a, b) => a.stack.name.localeCompare(b.stack.name));
  const base = (m: { stack: ReapStack; parsed: ParsedStackName }) => ({ stack: m.stack.name, env, kind: m.parsed.kind });

  // Tags that contradict the name: somebody edited them, or another tool made the stack. Keep it.
  const contradiction = (m: { stack: ReapStack; parsed: ParsedStackName }): string | undefined => {
    const tagEnv = m.stack.tags[TAG.env];
    const tagKind = m.stack.tags[TAG.kind];
    if (tagEnv !== undefined && tagEnv !== env) return `its tag ${TAG.env}=${tagEnv} contradicts its name (environment ${env})`;
    if (tagKind !== undefined && tagKind !== m.parsed.kind) return `its tag ${TAG.kind}=${tagKind} contradicts its name (${m.parsed.kind})`;
    return undefined;
  };
  const protectedByTag = members.some((m) => {
    const tagEnv = m.stack.tags[TAG.env];
    return tagEnv !== undefined && tagEnv !== env && input.policies[tagEnv]?.protected === true;
  });

  if (!policy || policy.protected || protectedByTag) {
    const why = !policy ? `no environment definition describes ${env}: not reaped` : `${env} is a protected environment: the reaper never destroys its stacks`;
    return [
      ...stamps.map((m) => {
        // The release's own deferred destroy: its retained blue, once the undo window has ended.
        const ended = policy && !protectedByTag && !contradiction(m) ? retentionEnded(env, m, input, now) : undefined;
        if (ended) return destroy({ ...base(m), reason: ended }, "retention-ended");
        const orphan = orphanReason(env, m, global !== undefined, input, now);
        const hint =
          orphan && m.parsed.kind === "stamp" && policy?.protected
            ? ` (looks orphaned: ${orphan}; remove it by hand: contoso stamp destroy --env ${env} --region ${m.parsed.regionShort} --release ${m.parsed.release} --confirm ${env})`
            : "";
        return keep({ ...base(m), reason: `${why}${hint}` });
      }),
      ...(global ? [keep({ ...base(global), reason: why })] : []),
    ];
  }

  const expiresAt = policy.ephemeral ? envExpiry(env, members.map((m) => m.stack)) : undefined;
  // An expired environment goes only as a whole: if one of its stacks must stay, none goes for
  // being expired (its stamps are judged as orphans instead, so a serving one stays serving).
  const blocked = members.filter((m) => contradiction(m) !== undefined).map((m) => m.stack.name);
  const expiredAt = expiresAt !== undefined && expiresAt.getTime() <= now ? expiresAt : undefined;
  const expired = expiredAt !== undefined && blocked.length === 0;
  const decisions: ReapDecision[] = [];

  for (const m of stamps) {
    const bad = contradiction(m);
    if (bad) {
      decisions.push(keep({ ...base(m), reason: bad }));
      continue;
    }
    if (expired) {
      decisions.push(destroy({ ...base(m), reason: expiredReason(env, expiresAt!, members) }, "expired"));
      continue;
    }
    const ended = retentionEnded(env, m, input, now);
    if (ended) {
      decisions.push(destroy({ ...base(m), reason: ended }, "retention-ended"));
      continue;
    }
    const orphan = orphanReason(env, m, global !== undefined, input, now);
    if (orphan) decisions.push(destroy({ ...base(m), reason: `orphan: ${orphan}` }, "orphan"));
    // Not an orphan with its global stack present means something keeps it: say what.
    else decisions.push(keep({ ...base(m), reason: stampKeepCause(env, m, input, now)! }));
  }

  if (global) {
    const bad = contradiction(global);
    if (bad) decisions.push(keep({ ...base(global), reason: bad }));
    else if (!expired) {
      const why = !policy.ephemeral
        ? `${env} is a persistent environment: its global stack stays`
        : expiredAt
          ? `${env} expired at ${expiredAt.toISOString()}, but ${blocked.join(", ")} must stay (tags contradict names), so it is not reaped as a whole`
          : expiresAt
            ? `${env} is active until ${expiresAt.toISOString()}`
            : `${env} has no readable ${TAG.expiresAt} tag: set one with contoso env extend`;
      decisions.push(keep({ ...base(global), reason: why }));
    } else {
      decisions.push(destroy({ ...base(global), reason: `${expiredReason(env, expiresAt!, members)}; after its stamps` }, "expired"));
    }
  }
  return decisions;
}

function expiredReason(env: string, expiresAt: Date, members: { stack: ReapStack }[]): string {
  const owner = members.map((m) => m.stack.tags[TAG.owner]).find((o) => o !== undefined);
  return `${env} expired at ${expiresAt.toISOString()}${owner ? ` (owner ${owner})` : ""}`;
}

/** Why a stamp of an environment that stays is an orphan, or undefined when it is not (or the reaper cannot tell). */
function orphanReason(env: string, m: { stack: ReapStack; parsed: ParsedStackName }, hasGlobal: boolean, input: ReapInput, now: number): string | undefined {
  if (m.parsed.kind !== "stamp") return undefined;
  if (!hasGlobal) return `its global stack ${globalStackName(env)} is gone`;
  if (stampKeepCause(env, m, input, now) !== undefined) return undefined;
  const created = dateTag(m.stack.tags, TAG.createdAt)!;
  return `no origin in ${globalStackName(env)} and no release in progress needs it; created ${readableDuration(now - created.getTime())} ago (grace ${formatDuration(input.graceMs)})`;
}

/** Why a stamp of an environment whose global stack exists must stay; undefined: nothing keeps it. */
function stampKeepCause(env: string, m: { stack: ReapStack; parsed: ParsedStackName }, input: ReapInput, now: number): string | undefined {
  if (m.parsed.kind !== "stamp") return undefined;
  const globalName = globalStackName(env);
  const traffic = input.traffic[env];
  if (traffic === undefined || traffic === "unreadable") {
    return `the outputs of ${globalName} do not say which origins exist: every stamp of ${env} is kept`;
  }
  const origin = traffic.origins.find((o) => o.stamp === m.stack.name);
  if (origin?.enabled) return `serving: enabled Front Door origin in ${globalName} (weight ${origin.weight})`;
  const globalTags = input.stacks.find((s) => s.name === globalName)?.tags ?? {};
  let retention;
  try {
    retention = retentionFromTags(globalTags, globalName);
  } catch (err) {
    if (err instanceof ReleaseRecordError) return `the blue retention record of ${globalName} is unreadable: every stamp of ${env} is kept`;
    throw err;
  }
  if (retention?.release === m.parsed.release && windowOpen(retention, new Date(now))) {
    return `retained for release undo until ${retention.until} (blue of ${retention.from})`;
  }
  if (origin) return `drained origin still in ${globalName} (blue retention or rollback may need it)`;
  let intent;
  try {
    intent = intentFromTags(globalTags, globalName);
  } catch (err) {
    if (err instanceof ReleaseRecordError) return `the release record of ${globalName} is unreadable: every stamp of ${env} is kept`;
    throw err;
  }
  if (intent && intent.release === m.parsed.release) return `being released: release ${intent.release} of ${env} is in progress (${intent.mode})`;
  if (intent && intent.blueRelease === m.parsed.release) return `blue of release ${intent.release}, which is in progress (${intent.mode})`;
  if (traffic.liveRelease === m.parsed.release) return `a stamp of the live release ${traffic.liveRelease}`;
  const created = dateTag(m.stack.tags, TAG.createdAt);
  if (!created) return `no readable ${TAG.createdAt} tag: its age is unknown`;
  const age = now - created.getTime();
  if (age < input.graceMs) {
    return `not served, but created ${readableDuration(Math.max(0, age))} ago, within the grace period of ${formatDuration(input.graceMs)}`;
  }
  return undefined;
}

/**
 * Why a stamp is a retained blue whose undo window has ended (and so the release's deferred destroy
 * is due), or undefined when it is not — or when anything that keeps a stamp applies, or when the
 * reaper cannot tell. Every doubt keeps the stamp.
 */
function retentionEnded(env: string, m: { stack: ReapStack; parsed: ParsedStackName }, input: ReapInput, now: number): string | undefined {
  if (m.parsed.kind !== "stamp") return undefined;
  const globalName = globalStackName(env);
  const globalStack = input.stacks.find((s) => s.name === globalName);
  const traffic = input.traffic[env];
  if (!globalStack || traffic === undefined || traffic === "unreadable") return undefined;
  let retention;
  let intent;
  try {
    retention = retentionFromTags(globalStack.tags, globalName);
    intent = intentFromTags(globalStack.tags, globalName);
  } catch (err) {
    if (err instanceof ReleaseRecordError) return undefined;
    throw err;
  }
  if (!retention || retention.release !== m.parsed.release || windowOpen(retention, new Date(now))) return undefined;
  // A retained stamp takes no traffic; one that does is not the release's to remove.
  if (traffic.origins.some((o) => o.stamp === m.stack.name && o.enabled)) return undefined;
  if (traffic.liveRelease === m.parsed.release) return undefined;
  if (intent && (intent.release === m.parsed.release || intent.blueRelease === m.parsed.release)) return undefined;
  return `retained blue of ${retention.release} (kept for release undo when ${retention.from} went live): its window ended at ${retention.until}`;
}
