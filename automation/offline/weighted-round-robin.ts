/**
 * Smooth weighted round-robin (nginx's): deterministic, and over any run of `sum(weights)` picks
 * from an unchanged set each candidate is picked exactly `weight` times, spread out rather than in
 * bursts. Front Door's real choice is random among origins within the latency band; a
 * deterministic one makes the offline edge's traffic split exact and testable.
 */
export class WeightedRoundRobin {
  private readonly current = new Map<string, number>();

  /** Picks one of `candidates` (non-empty, weights > 0), keyed by `key`. */
  pick<T>(candidates: readonly T[], key: (c: T) => string, weight: (c: T) => number): T {
    if (candidates.length === 0) throw new RangeError("WeightedRoundRobin.pick needs at least one candidate");
    const keys = new Set(candidates.map(key));
    for (const k of [...this.current.keys()]) if (!keys.has(k)) this.current.delete(k);
    let total = 0;
    let best: T = candidates[0]!;
    let bestScore = Number.NEGATIVE_INFINITY;
    for (const c of candidates) {
      const w = weight(c);
      total += w;
      const score = (this.current.get(key(c)) ?? 0) + w;
      this.current.set(key(c), score);
      if (score > bestScore) {
        bestScore = score;
        best = c;
      }
    }
    this.current.set(key(best), bestScore - total);
    return best;
  }
}
