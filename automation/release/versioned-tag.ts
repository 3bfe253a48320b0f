/**
 * The part every versioned JSON stack tag shares (the release record, the blue retention record):
 * parse the value, insist on an object with a schema version this driver can read, and name the
 * tag, the stack and the way to inspect it when it cannot be read. A tag that is unreadable, or
 * written by a newer driver, stops the command with nothing changed: never a guess.
 */
/** A record on the global stack cannot be read: the release is blocked until someone looks. */
export class ReleaseRecordError extends Error {
  override readonly name = "ReleaseRecordError";
  readonly exitCode = 1;
}

export interface VersionedTag {
  /** The tag's fields. */
  record: Record<string, unknown>;
  /** The schema version it was written with (1..newest). */
  version: number;
  /** An error for a field that is missing or wrong, in the tag's own words. */
  unreadable: (why: string) => ReleaseRecordError;
  /** A string field that must be present and non-empty. */
  str: (key: string, what: string) => string;
}

export function readVersionedTag(raw: string, tag: { name: string; what: string; stack: string; newestSchema: number }): VersionedTag {
  const { name, what, stack, newestSchema } = tag;
  const unreadable = (why: string) =>
    new ReleaseRecordError(`the ${what} on ${stack} (tag ${name}) is unreadable: ${why}; nothing was changed. Inspect it with "pulumi stack tag get ${name} --stack ${stack}"`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw unreadable(`not JSON (${JSON.stringify(raw.slice(0, 40))}${raw.length > 40 ? "…" : ""})`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw unreadable("not a JSON object");
  const record = parsed as Record<string, unknown>;
  const version = record["v"];
  if (typeof version !== "number" || !Number.isInteger(version) || version < 1) throw unreadable("no schema version");
  if (version > newestSchema) {
    throw new ReleaseRecordError(
      `the ${what} on ${stack} has schema version ${version}, written by a newer contoso (this one reads up to ${newestSchema}): upgrade contoso; nothing was changed`,
    );
  }
  const str = (key: string, field: string): string => {
    const v = record[key];
    if (typeof v !== "string" || v === "") throw unreadable(`${field} missing`);
    return v;
  };
  return { record, version, unreadable, str };
}
