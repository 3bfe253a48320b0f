import type { z } from "zod";
import { dev } from "./dev.js";
import { InputError } from "./errors.js";
import { prod } from "./prod.js";
import { environmentSchema, envNameSchema, type Environment, type EnvironmentInput } from "./schema.js";
import { staging } from "./staging.js";

export type { Environment, EnvironmentInput } from "./schema.js";
export { InputError, isInputError } from "./errors.js";

const DEFINITIONS: Readonly<Record<string, EnvironmentInput>> = { prod, staging, dev };

/** The template personal environments are made from; `dev-alice` is `dev` named for alice. */
export const PERSONAL_TEMPLATE = "dev";

type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;
export type EnvironmentOverrides = DeepPartial<EnvironmentInput>;

/** Names of the defined (non-personal) environments. */
export function listEnvironments(): string[] {
  return Object.keys(DEFINITIONS);
}

export function isPersonalEnvironmentName(name: string): boolean {
  return name.startsWith(`${PERSONAL_TEMPLATE}-`);
}

/**
 * Loads and validates an environment. `name` is a defined environment (prod, staging, dev) or a
 * personal one (`dev-<name>`), which is the dev template renamed and owned. Overrides are merged
 * field by field (arrays replace) and validated with the definition; a bad field is reported by path.
 */
export function loadEnvironment(name: string, overrides: EnvironmentOverrides = {}): Environment {
  const nameCheck = envNameSchema.safeParse(name);
  if (!nameCheck.success) {
    throw new InputError(`environment name "${name}" ${nameCheck.error.issues[0]?.message ?? "is invalid"}`);
  }
  let base = DEFINITIONS[name];
  if (!base && isPersonalEnvironmentName(name)) {
    const template = DEFINITIONS[PERSONAL_TEMPLATE]!;
    const who = name.slice(PERSONAL_TEMPLATE.length + 1);
    base = { ...template, name, description: `Personal environment of ${who}`, owner: who };
  }
  if (!base) {
    throw new InputError(
      `unknown environment "${name}" (known: ${listEnvironments().join(", ")}, or ${PERSONAL_TEMPLATE}-<name> for a personal environment)`,
    );
  }
  if (overrides.name !== undefined && overrides.name !== name) {
    throw new InputError(`override name "${overrides.name}" does not match the environment "${name}"`);
  }
  const merged = mergeOverrides(base, overrides, []) as EnvironmentInput;
  return validateEnvironment(merged);
}

/** Validates a whole definition; the error names the first bad field by its path. */
export function validateEnvironment(definition: unknown): Environment {
  const result = environmentSchema.safeParse(definition);
  if (!result.success) throw new InputError(describeIssues(definition, result.error));
  return result.data;
}

function describeIssues(definition: unknown, error: z.ZodError): string {
  const envName =
    typeof definition === "object" && definition !== null && "name" in definition ? String((definition as { name: unknown }).name) : "?";
  const issue = error.issues[0]!;
  const path = issue.path.map(String).join(".") || "(definition)";
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more)` : "";
  return `environment "${envName}": ${path}: ${issue.message}${more}`;
}

/** Settings a definition may leave out, so an override may add them. */
const OPTIONAL_SETTINGS = ["owner"];

function mergeOverrides(base: unknown, overrides: unknown, path: string[]): unknown {
  if (overrides === undefined) return base;
  const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
  if (!isPlainObject(overrides) || !isPlainObject(base)) return overrides;
  const out: Record<string, unknown> = { ...base };
  // Free-form maps (tags) may gain keys; everything else must already exist, so a typo is not silently ignored.
  const openMap = path.length === 1 && path[0] === "tags";
  const optionalTopLevel = path.length === 0 ? OPTIONAL_SETTINGS : [];
  for (const [key, value] of Object.entries(overrides)) {
    if (!(key in base) && !openMap && !optionalTopLevel.includes(key)) {
      throw new InputError(`override ${[...path, key].join(".")} is not a setting of an environment`);
    }
    out[key] = mergeOverrides(base[key], value, [...path, key]);
  }
  return out;
}
