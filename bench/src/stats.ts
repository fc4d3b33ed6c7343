/** One scenario's figures, as written to bench/results/latest.json. */
export interface ScenarioResult {
  name: string;
  unit: string;
  runs: number;
  min: number | null;
  median: number | null;
  p99: number | null;
  max: number | null;
  /** Extra figures and caveats (e.g. "SIPp-bound", per-step rates). */
  notes: string[];
  details?: Record<string, unknown>;
  /** What the figure should be (e.g. "median ≤ 200") and whether this run met it. */
  target?: { text: string; met: boolean };
  /** Why the scenario did not run on this machine (its figures are then null). */
  skipped?: string;
  /**
   * The row this figure is compared with (a reference system's, e.g.
   * `kamailio-register-throughput`): the table prints that row's median and
   * the ratio of this median to it.
   */
  reference?: string;
  /** The figure is only a lower bound (e.g. the highest throughput step passed). */
  atLeast?: boolean;
  /** What saturated first (throughput rows): `node CPU`, `SIPp CPU`, `machine CPU`, `drops/failed calls`, or `none`, with the step. */
  limitedBy?: string;
}

/** Value at quantile q (0..1) of sorted values, nearest-rank. */
export function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

export function summarize(name: string, unit: string, values: readonly number[], notes: string[] = [], withP99 = false): ScenarioResult {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    name,
    unit,
    runs: sorted.length,
    min: sorted[0] ?? null,
    median: quantile(sorted, 0.5),
    p99: withP99 ? quantile(sorted, 0.99) : null,
    max: sorted.at(-1) ?? null,
    notes,
  };
}

/**
 * `result` with a target: its `stat` must be at most `limit` (or, with `at`
 * 'least', at least `limit`, as throughput must be); a missing figure misses it.
 */
export function withTarget(result: ScenarioResult, stat: 'median' | 'p99' | 'max', limit: number, at: 'most' | 'least' = 'most'): ScenarioResult {
  const value = result[stat];
  const met = value !== null && (at === 'most' ? value <= limit : value >= limit);
  return { ...result, target: { text: `${stat} ${at === 'most' ? '≤' : '≥'} ${limit}`, met } };
}

/** The row of a scenario that could not run here, saying why. */
export function skippedResult(name: string, unit: string, reason: string): ScenarioResult {
  return { ...summarize(name, unit, [], [`skipped: ${reason}`]), skipped: reason };
}
