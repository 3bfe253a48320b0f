import { InputError } from "../../environments/errors.js";
import type { GateState, Promotion, ReleaseIntent } from "./model.js";
import { readVersionedTag, ReleaseRecordError } from "./versioned-tag.js";

/**
 * The release record lives in the backend as ONE tag of the global stack, so any machine that can
 * reach the backend can see, resume or abort a release, and so one `pulumi stack tag set` writes it
 * whole: the next observer sees the old record or the new one, never a mix. (It used to be seven
 * tags written by seven CLI calls; a kill between the mode tag and the blue tag left
 * `{mode: rollout, blueRelease: null}`, and a rollback then restored an empty origin list.)
 *
 * The value is a versioned JSON document. A driver reads every schema version up to its own and
 * refuses, with a clear message, a record it cannot read: a newer schema, bad JSON, a missing
 * field, or a record in the old per-tag form whose parts cannot be proven to belong together.
 * Refusing blocks the release (and keeps the reaper off that environment's stamps) instead of
 * guessing.
 *
 * Size: Pulumi Cloud refuses a tag value over 256 characters and a tag name over 40
 * (pulumi/pulumi pkg/util/validation/stack.go, ValidateStackTags: `maxTagValue = 256`,
 * validateStackTagName: `maxTagName = 40`, checked by pkg/backend/httpstate/client/client.go).
 * The self-managed backends do not check, but a record must move between backends, so the record
 * is kept within 256 characters: short keys, and the (informational) reason shortened to fit.
 * An image reference too long to fit is refused before the release starts.
 */
export const RELEASE_RECORD_TAG = "contoso:release-record";
export const RELEASE_RECORD_SCHEMA = 1;
export const MAX_TAG_VALUE = 256;

/** The old per-tag record (schema 0), read only to say it cannot be trusted; never written. */
export const LEGACY_RELEASE_TAG = {
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
const NONE = "none";

export { ReleaseRecordError };

/** Schema 1, as stored: short keys so a record fits one 256-character tag value. */
interface RecordV1 {
  v: 1;
  /** release */
  r: string;
  /** image */
  i: string;
  /** mode */
  m: ReleaseIntent["mode"];
  /** blue release, null for an environment's first release */
  b: string | null;
  /** keep failed stamps */
  k: boolean;
  /** started at (ISO 8601) */
  t: string;
  /** reason of a rollback (informational, may be shortened) */
  y?: string;
  /** auto-promote: the release does not wait at the environment's pauses (absent = false) */
  a?: true;
  /**
   * paused at: the step the run baked and now waits at for `release promote` (so `status` and the
   * dashboard can say "paused"). Both optional fields are new in schema 1 without a version bump:
   * a reader ignores keys it does not know, so an older driver still reads the record whole.
   */
  p?: number;
}

function encode(intent: ReleaseIntent, reason: string | undefined): string {
  const record: RecordV1 = {
    v: 1,
    r: intent.release,
    i: intent.image,
    m: intent.mode,
    b: intent.blueRelease,
    k: intent.keepFailed,
    t: intent.startedAt,
    ...(reason !== undefined ? { y: reason } : {}),
    ...(intent.autoPromote === true ? { a: true as const } : {}),
    ...(intent.pausedAt !== undefined ? { p: intent.pausedAt } : {}),
  };
  return JSON.stringify(record);
}

/**
 * Room kept in a rollout's record for the paused step the run adds later (`,"p":999`), so a record
 * that fits when the release starts still fits when it pauses.
 */
const PAUSE_ROOM = Buffer.byteLength(',"p":999');

function reserveOf(intent: Pick<ReleaseIntent, "mode" | "pausedAt">): number {
  return intent.mode === "rollout" && intent.pausedAt === undefined ? PAUSE_ROOM : 0;
}

/** The characters an image reference may take in a record (what is left after the other fields at their longest). */
export function imageRoom(intent: Omit<ReleaseIntent, "image">): number {
  return MAX_TAG_VALUE - reserveOf(intent) - Buffer.byteLength(encode({ ...intent, image: "" }, undefined));
}

/** The record as the tags to write: one tag, `none` when no release is in progress. */
export function intentToTags(intent: ReleaseIntent | null): Record<string, string> {
  if (!intent) return { [RELEASE_RECORD_TAG]: NONE };
  const size = (v: string) => Buffer.byteLength(v) + reserveOf(intent);
  let reason = intent.reason?.replace(/\s+/g, " ").trim();
  let value = encode(intent, reason);
  // Shorten the reason (one line for people) until the record fits; the facts the driver acts on are never cut.
  while (size(value) > MAX_TAG_VALUE && reason !== undefined && reason.length > 0) {
    const over = size(value) - MAX_TAG_VALUE;
    reason = reason.slice(0, Math.max(0, reason.length - Math.max(over, 1) - 1)) + "…";
    if (reason === "…") reason = "";
    value = encode(intent, reason);
  }
  if (size(value) > MAX_TAG_VALUE) {
    throw new InputError(
      `the release record of ${intent.release} would be ${size(value)} characters, over the ${MAX_TAG_VALUE} a stack tag holds: use an image reference of at most ${imageRoom(intent)} characters`,
    );
  }
  return { [RELEASE_RECORD_TAG]: value };
}

// "undo" (release undo) is new in schema 1 without a version bump: an older driver refuses the record
// with "unknown mode", which blocks the environment instead of guessing, as for any unreadable record.
const MODES = new Set(["rollout", "rollback", "abort", "undo"]);

/**
 * The release in progress, null when none; throws ReleaseRecordError when the record cannot be
 * read whole. `stack` names the global stack in messages.
 */
export function intentFromTags(tags: Record<string, string>, stack = "the global stack"): ReleaseIntent | null {
  const raw = tags[RELEASE_RECORD_TAG];
  if (raw === undefined) return legacyIntent(tags, stack);
  if (raw === NONE) return null;
  const { record, unreadable, str } = readVersionedTag(raw, { name: RELEASE_RECORD_TAG, what: "release record", stack, newestSchema: RELEASE_RECORD_SCHEMA });
  const release = str("r", "release");
  const image = str("i", "image");
  const mode = str("m", "mode");
  if (!MODES.has(mode)) throw unreadable(`unknown mode "${mode}"`);
  const blue = record["b"];
  if (blue !== null && (typeof blue !== "string" || blue === "")) throw unreadable("blue release missing");
  if (typeof record["k"] !== "boolean") throw unreadable("keep-failed missing");
  const startedAt = str("t", "start time");
  if (Number.isNaN(Date.parse(startedAt))) throw unreadable(`start time "${startedAt}" is not a date`);
  const reason = record["y"];
  const auto = record["a"];
  if (auto !== undefined && typeof auto !== "boolean") throw unreadable("auto-promote is not true or false");
  const paused = record["p"];
  if (paused !== undefined && (typeof paused !== "number" || !Number.isInteger(paused) || paused < 0)) throw unreadable(`paused step ${JSON.stringify(paused)} is not a step`);
  return {
    release,
    image,
    mode: mode as ReleaseIntent["mode"],
    blueRelease: blue as string | null,
    keepFailed: record["k"] as boolean,
    startedAt,
    ...(typeof reason === "string" && reason !== "" ? { reason } : {}),
    ...(auto === true ? { autoPromote: true } : {}),
    ...(paused !== undefined ? { pausedAt: paused as number } : {}),
    // The promote request is its own tag, written only by `release promote`, so a run rewriting
    // the record never loses it; it names its release, so a stale one approves nothing later.
    ...promotionFromTag(tags[PROMOTE_TAG], release),
  };
}

/**
 * Schema 0: seven tags written one CLI call at a time. A cleared or absent one is no release; one in
 * progress cannot be proven whole (a kill between two of its writes looks exactly like a whole
 * record with a stale field), so it blocks.
 */
function legacyIntent(tags: Record<string, string>, stack: string): ReleaseIntent | null {
  const target = tags[LEGACY_RELEASE_TAG.release];
  const mode = tags[LEGACY_RELEASE_TAG.mode];
  if (target === undefined || target === NONE || mode === undefined || mode === NONE) return null;
  throw new ReleaseRecordError(
    `release ${target} on ${stack} was recorded by an older contoso as separate tags (contoso:release-*), which cannot be proven whole: finish it ("release resume" or "release abort") with the contoso version that started it; nothing was changed`,
  );
}

export function promotionToTag(release: string, promotion: Promotion): Record<string, string> {
  return { [PROMOTE_TAG]: `${release}:${"full" in promotion ? "full" : promotion.through}` };
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
