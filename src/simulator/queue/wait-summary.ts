/** Task wait-time statistics for benchmarks. Pure. */

export interface WaitSummary {
  /** How many waits were summarised. */
  count: number;
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Nearest-rank percentile (`p` in (0, 100]) of ascending values: the smallest value with p % at or below it. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

export function summarizeWaits(waits: Iterable<number>): WaitSummary {
  // A typed array sorts numerically and fast (a benchmark summarises 100k+ waits).
  const sorted = Float64Array.from(waits).sort();
  let total = 0;
  for (const wait of sorted) total += wait;
  return {
    count: sorted.length,
    meanMs: sorted.length === 0 ? 0 : total / sorted.length,
    p50Ms: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.length === 0 ? 0 : (sorted[sorted.length - 1] as number),
  };
}
