import { MAX_TAG_VALUE } from "./intent-tags.js";
import { readVersionedTag } from "./versioned-tag.js";
import type { Retention } from "./model.js";

/**
 * The undo window, as a companion tag of the release record on the global stack. It outlives the
 * release that wrote it (the release record is cleared when a release ends; the retention is not),
 * so it is a tag of its own: `{"v":1,"r":"r1","f":"r2","u":"2026-12-02T15:00:00.000Z"}` — release r1
 * retained by the promotion of r2 until u — or `none`. Well within the 256 characters Pulumi allows
 * a tag value (pkg/util/validation/stack.go, maxTagValue; release ids are at most 8 characters).
 *
 * Written by the lock holder only: by a release when its promotion retains blue, by `release undo`
 * (cleared when the undo finishes) and by the next release (cleared once the retained stamps are
 * gone). Read by the release (undo, start) and by the reaper, which removes retained stamps once
 * the window has ended. A value that cannot be read whole blocks both, like the release record.
 */
export const RETENTION_TAG = "contoso:blue-retention";
const NONE = "none";

export function retentionToTags(retention: Retention | null): Record<string, string> {
  if (!retention) return { [RETENTION_TAG]: NONE };
  const value = JSON.stringify({ v: 1, r: retention.release, f: retention.from, u: retention.until });
  // Cannot happen with valid release ids; a guard so that a future change cannot write a tag Pulumi Cloud refuses.
  if (Buffer.byteLength(value) > MAX_TAG_VALUE) throw new Error(`the retention record ${value} is over ${MAX_TAG_VALUE} characters`);
  return { [RETENTION_TAG]: value };
}

/** The retained blue, null when none; throws ReleaseRecordError when the tag cannot be read whole. */
export function retentionFromTags(tags: Record<string, string>, stack = "the global stack"): Retention | null {
  const raw = tags[RETENTION_TAG];
  if (raw === undefined || raw === NONE) return null;
  const { unreadable, str } = readVersionedTag(raw, { name: RETENTION_TAG, what: "blue retention record", stack, newestSchema: 1 });
  const release = str("r", "retained release");
  const from = str("f", "promoted release");
  const until = str("u", "end of the window");
  if (Number.isNaN(Date.parse(until))) throw unreadable(`end of the window "${until}" is not a date`);
  if (release === from) throw unreadable(`release ${release} cannot retain itself`);
  return { release, from, until };
}

/** Whether the undo window is still open at `now` (the end itself is outside it). */
export function windowOpen(retention: Retention, now: Date): boolean {
  return now.getTime() < Date.parse(retention.until);
}
