import type { OriginSpec } from "../../global/contract.js";
import type { ObservedStamp } from "./model.js";

/**
 * Front Door weights. Origins in one region have the same latency, so Front Door's latency-based
 * routing picks a region first and weights split traffic *within* it: for a green share of p percent,
 * every green origin gets weight 10·p and every blue one 10·(100−p). Weights must be 1..1000, so a
 * blue origin at 0 % is disabled instead (DESIGN.md: weight 0 = disabled).
 */
export const FULL_WEIGHT = 1000;

export function originFor(stamp: ObservedStamp, weight: number, enabled: boolean): OriginSpec {
  if (!stamp.hostName) throw new Error(`stamp ${stamp.stack} has no host name: it is not deployed`);
  return { stamp: stamp.stack, region: stamp.region, release: stamp.release, hostName: stamp.hostName, weight, enabled, priority: 1 };
}

/** The origin list for a green share of `percent`, keeping blue origins (enabled unless percent is 100). */
export function originsForShare(blue: OriginSpec[], green: ObservedStamp[], percent: number): OriginSpec[] {
  const greenWeight = Math.max(1, Math.round((FULL_WEIGHT * percent) / 100));
  const blueWeight = Math.round((FULL_WEIGHT * (100 - percent)) / 100);
  const blueOrigins = blue.map((o) =>
    blueWeight >= 1 ? { ...o, weight: blueWeight, enabled: true } : { ...o, weight: FULL_WEIGHT, enabled: false },
  );
  return [...blueOrigins, ...green.map((s) => originFor(s, greenWeight, true))];
}

/**
 * Green's share of traffic, in percent, as Front Door would split it: per region, green weight over
 * the enabled weight; averaged over regions that have enabled origins. Returns 0 when green has no
 * enabled origin.
 */
export function greenShare(origins: OriginSpec[], greenRelease: string): number {
  const regions = new Map<string, { green: number; total: number }>();
  for (const o of origins) {
    if (!o.enabled) continue;
    const r = regions.get(o.region) ?? { green: 0, total: 0 };
    r.total += o.weight;
    if (o.release === greenRelease) r.green += o.weight;
    regions.set(o.region, r);
  }
  const shares = [...regions.values()].filter((r) => r.total > 0).map((r) => (100 * r.green) / r.total);
  if (shares.length === 0 || shares.every((s) => s === 0)) return 0;
  return Math.round(shares.reduce((a, b) => a + b, 0) / shares.length);
}
