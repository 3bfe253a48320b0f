/**
 * Secrets, as Pulumi treats them: a value marked secret (pulumi.secret, or an output the provider
 * declares secret) is stored encrypted in the state and shown as `[secret]` by every command
 * (`pulumi preview`, `stack output`, `stack export` without --show-secrets). The offline engine has
 * no key to encrypt with, so it never stores or prints the value at all: `[secret]` in its place.
 * A program still sees the real value while it runs (the mocks hand it back), as under Pulumi.
 */

/** How Pulumi's runtime marks a secret in serialized properties (@pulumi/pulumi runtime/rpc.ts). */
export const SPECIAL_SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
export const SECRET_MASK = "[secret]";

/**
 * Outputs providers declare secret (`additionalSecretOutputs` in their SDKs): @pulumi/random's
 * RandomPassword marks `result` and `bcryptHash`.
 */
const SECRET_OUTPUTS: Record<string, readonly string[]> = {
  "random:index/randomPassword:RandomPassword": ["result", "bcryptHash"],
};

export function isSecretWrapper(value: unknown): value is { value: unknown } {
  return !!value && typeof value === "object" && (value as Record<string, unknown>)[SPECIAL_SIG_KEY] === SECRET_SIG;
}

/** A deep copy with every secret replaced by `[secret]`. */
export function maskSecrets<T>(value: T): T {
  return mask(value) as T;
}

function mask(value: unknown): unknown {
  if (isSecretWrapper(value)) return SECRET_MASK;
  if (Array.isArray(value)) return value.map(mask);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mask(v)]));
  return value;
}

/** Masks the outputs a resource type declares secret, and every marked secret. */
export function maskResourceOutputs(type: string, outputs: Record<string, unknown>): Record<string, unknown> {
  const masked = maskSecrets(outputs);
  for (const key of SECRET_OUTPUTS[type] ?? []) if (key in masked) masked[key] = SECRET_MASK;
  return masked;
}

/** The plain value with secret markers removed (what a program sees once it unwraps an output). */
export function unwrapSecrets<T>(value: T): T {
  return unwrap(value) as T;
}

function unwrap(value: unknown): unknown {
  if (isSecretWrapper(value)) return unwrap(value.value);
  if (Array.isArray(value)) return value.map(unwrap);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrap(v)]));
  return value;
}
