import { InputError } from "./errors.js";
import { envNameSchema } from "./schema.js";
import { findRegion, regionShort } from "./regions.js";

/**
 * Stack names and stack tags (DESIGN.md, "Stack naming and tags").
 * Global: `<env>-global`. Stamp: `<env>-<region-short>-<release>`, parsed from the right, so the
 * release and the region short code never hold a '-'.
 */

export const RELEASE_MAX = 8;
const RELEASE = /^[a-z][a-z0-9]*$/;
const RESERVED_RELEASES = new Set(["global"]);

export type StackKind = "global" | "stamp";

export type ParsedStackName =
  | { kind: "global"; env: string }
  | { kind: "stamp"; env: string; region: string; regionShort: string; release: string };

export function validateRelease(release: string): string {
  if (!RELEASE.test(release) || release.length > RELEASE_MAX || RESERVED_RELEASES.has(release)) {
    throw new InputError(
      `release "${release}" must be 1-${RELEASE_MAX} lower-case letters and digits starting with a letter, not "global" (e.g. r42)`,
    );
  }
  return release;
}

export function validateEnvName(env: string): string {
  const check = envNameSchema.safeParse(env);
  if (!check.success) throw new InputError(`environment name "${env}" ${check.error.issues[0]?.message ?? "is invalid"}`);
  return env;
}

export function globalStackName(env: string): string {
  return `${validateEnvName(env)}-global`;
}

export function stampStackName(env: string, region: string, release: string): string {
  if (!findRegion(region)) throw new InputError(`unknown Azure region "${region}"`);
  return `${validateEnvName(env)}-${regionShort(region)}-${validateRelease(release)}`;
}

/** Reads a stack name back into its parts; throws InputError for a name this project would never make. */
export function parseStackName(name: string): ParsedStackName {
  const bad = () =>
    new InputError(`stack "${name}" is neither <env>-global nor <env>-<region-short>-<release> (e.g. prod-global, prod-weu-r42)`);
  const parts = name.split("-");
  if (parts.length >= 2 && parts[parts.length - 1] === "global") {
    const env = parts.slice(0, -1).join("-");
    if (!envNameSchema.safeParse(env).success) throw bad();
    return { kind: "global", env };
  }
  if (parts.length < 3) throw bad();
  const release = parts[parts.length - 1]!;
  const short = parts[parts.length - 2]!;
  const env = parts.slice(0, -2).join("-");
  const region = findRegion(short);
  if (!region || region.short !== short || !envNameSchema.safeParse(env).success) throw bad();
  if (!RELEASE.test(release) || release.length > RELEASE_MAX) throw bad();
  return { kind: "stamp", env, region: region.name, regionShort: short, release };
}

/** Tag keys every stack carries (and every Azure resource, as resource tags). */
export const TAG = {
  env: "contoso:env",
  kind: "contoso:kind",
  region: "contoso:region",
  release: "contoso:release",
  owner: "contoso:owner",
  createdAt: "contoso:created-at",
  expiresAt: "contoso:expires-at",
} as const;

export interface StackTagFacts {
  env: string;
  kind: StackKind;
  /** Stamps: their region; global stacks: "global". */
  region: string;
  /** Stamps: their release; global stacks: the live release, or "none". */
  release: string;
  owner: string;
  createdAt: Date;
  /** Ephemeral environments only. */
  expiresAt?: Date;
}

export function stackTags(facts: StackTagFacts): Record<string, string> {
  const tags: Record<string, string> = {
    [TAG.env]: facts.env,
    [TAG.kind]: facts.kind,
    [TAG.region]: facts.region,
    [TAG.release]: facts.release,
    [TAG.owner]: facts.owner,
    [TAG.createdAt]: facts.createdAt.toISOString(),
  };
  if (facts.expiresAt) tags[TAG.expiresAt] = facts.expiresAt.toISOString();
  return tags;
}
