import { InputError, PERSONAL_TEMPLATE } from "../../environments/index.js";
import { ENV_NAME_MAX } from "../../environments/schema.js";

/**
 * The `--name` of a personal environment: `alice` names `dev-alice`. Environment names end up in
 * stack names and in 24-character Azure names, so the personal part is short and has no '-'.
 */

const PREFIX = `${PERSONAL_TEMPLATE}-`;
export const PERSONAL_NAME_MAX = ENV_NAME_MAX - PREFIX.length;
const NAME = /^[a-z][a-z0-9]*$/;

/** `alice` (or `dev-alice`) → `dev-alice`; anything else is an InputError saying what a name looks like. */
export function personalEnvName(name: string): string {
  const given = name.startsWith(PREFIX) ? name.slice(PREFIX.length) : name;
  if (!NAME.test(given) || given.length > PERSONAL_NAME_MAX) {
    throw new InputError(
      `--name "${name}" must be 1-${PERSONAL_NAME_MAX} lower-case letters and digits starting with a letter (e.g. alice, pr123): it becomes the environment ${PREFIX}<name>`,
    );
  }
  return `${PREFIX}${given}`;
}
