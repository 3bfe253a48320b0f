/**
 * How many cases a property test tries: its everyday count, times PROPERTY_SCALE (default 1). The
 * everyday counts keep `npm test` quick; `PROPERTY_SCALE=100 npm test` is the deep search to run
 * after changing release, reaper or naming logic (CI found a reconciler bug at case 88 of 1000 once).
 */
export function propertyRuns(everyday: number): { numRuns: number } {
  const raw = process.env["PROPERTY_SCALE"];
  const scale = raw === undefined || raw === "" ? 1 : Number(raw);
  if (!Number.isFinite(scale) || scale <= 0) throw new Error(`PROPERTY_SCALE must be a positive number, got "${raw}"`);
  return { numRuns: Math.max(1, Math.round(everyday * scale)) };
}
