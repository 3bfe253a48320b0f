import type { GateState, Promotion, ReleaseIntent } from "./model.js";

/**
 * The release record lives in the backend as tags of the global stack, so any machine that can
 * reach the backend can see, resume or abort a release; the gate verdict of each stamp is a tag of
 * its own stack. Tag values are at most 256 characters; "none" marks a cleared record.
 */
export const RELEASE_TAG = {
  release: "contoso:release-target",
  image: "contoso:release-image",
  mode: "contoso:release-mode",
  blue: "contoso:release-blue",
  keepFailed: "contoso:release-keep-failed",
  startedAt: "contoso:release-started-at",
  reason: "contoso:release-reason",
} as const;

export const GATE_TAG = "contoso:gate";

/**
 * `release promote`'s request, `<release>:<step>` or `<release>:full`. Written only by `promote`
 * (never by a run rewriting the record, so a run cannot lose it) and cleared when the release ends;
 * carrying the release id, a stale one never approves a later release.
 */
export const PROMOTE_TAG = "contoso:release-promote";
export const AUTO_PROMOTE_TAG = "contoso:release-auto-promote";
/** `<release>:<step>`: the run baked that step and now waits for promote (so `status` and the dashboard can say "paused"). */
export const PAUSED_TAG = "contoso:release-paused";
const NONE = "none";

export function intentToTags(intent: ReleaseIntent | null): Record<string, string> {
  if (!intent) return { ...Object.fromEntries(Object.values(RELEASE_TAG).map((k) => [k, NONE])), [AUTO_PROMOTE_TAG]: NONE, [PROMOTE_TAG]: NONE, [PAUSED_TAG]: NONE };
  return {
    [AUTO_PROMOTE_TAG]: String(intent.autoPromote === true),
    [RELEASE_TAG.release]: intent.release,
    [RELEASE_TAG.image]: intent.image,
    [RELEASE_TAG.mode]: intent.mode,
    [RELEASE_TAG.blue]: intent.blueRelease ?? NONE,
    [RELEASE_TAG.keepFailed]: String(intent.keepFailed),
    [RELEASE_TAG.startedAt]: intent.startedAt,
    [RELEASE_TAG.reason]: (intent.reason ?? NONE).replace(/\s+/g, " ").slice(0, 250),
  };
}

export function intentFromTags(tags: Record<string, string>): ReleaseIntent | null {
  const release = tags[RELEASE_TAG.release];
  const mode = tags[RELEASE_TAG.mode];
  if (!release || release === NONE || (mode !== "rollout" && mode !== "rollback" && mode !== "abort")) return null;
  const blue = tags[RELEASE_TAG.blue];
  const reason = tags[RELEASE_TAG.reason];
  return {
    release,
    image: tags[RELEASE_TAG.image] ?? "",
    mode,
    blueRelease: !blue || blue === NONE ? null : blue,
    keepFailed: tags[RELEASE_TAG.keepFailed] === "true",
    startedAt: tags[RELEASE_TAG.startedAt] ?? "",
    ...(reason && reason !== NONE ? { reason } : {}),
    ...(tags[AUTO_PROMOTE_TAG] === "true" ? { autoPromote: true } : {}),
    ...promotionFromTag(tags[PROMOTE_TAG], release),
    ...pausedFromTag(tags[PAUSED_TAG], release),
  };
}

export function promotionToTag(release: string, promotion: Promotion): Record<string, string> {
  return { [PROMOTE_TAG]: `${release}:${"full" in promotion ? "full" : promotion.through}` };
}

function pausedFromTag(value: string | undefined, release: string): { pausedAt?: number } {
  const step = value?.startsWith(`${release}:`) ? value.slice(release.length + 1) : "";
  return /^\d+$/.test(step) ? { pausedAt: Number(step) } : {};
}

function promotionFromTag(value: string | undefined, release: string): { promotion?: Promotion } {
  if (!value || !value.startsWith(`${release}:`)) return {};
  const what = value.slice(release.length + 1);
  if (what === "full") return { promotion: { full: true } };
  return /^\d+$/.test(what) ? { promotion: { through: Number(what) } } : {};
}

export function gateFromTags(tags: Record<string, string>): GateState {
  const value = tags[GATE_TAG];
  return value === "passed" || value === "failed" ? value : "pending";
}
