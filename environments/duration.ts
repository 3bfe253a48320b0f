import { InputError } from "./errors.js";

/** Units a user may write in a duration: `250ms`, `30s`, `5m`, `8h`, `7d`; combinations such as `1h30m` too. */
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

/** Parses a human duration into milliseconds, or returns a reason it is not one. */
export function tryParseDuration(text: string): { ms: number } | { error: string } {
  const trimmed = text.trim();
  if (trimmed.startsWith("-")) return { error: `must not be negative (got "${text}")` };
  if (!DURATION.test(trimmed)) {
    return { error: `must be a duration such as 30s, 5m, 8h or 1h30m (got "${text}")` };
  }
  let ms = 0;
  for (const [, amount, unit] of trimmed.matchAll(PART)) {
    ms += Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
  }
  return { ms: Math.round(ms) };
}

export function parseDuration(text: string, what = "duration"): number {
  const parsed = tryParseDuration(text);
  if ("error" in parsed) throw new InputError(`${what} ${parsed.error}`);
  return parsed.ms;
}

/** The shortest faithful rendering, for tables and messages: 90000 -> "1m30s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  let rest = Math.round(ms / 1000);
  const out: string[] = [];
  for (const [unit, size] of [["d", 86_400], ["h", 3_600], ["m", 60], ["s", 1]] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) out.push(`${n}${unit}`);
    rest -= n * size;
  }
  return out.join("") || "0s";
}
