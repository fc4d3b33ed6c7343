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

/** `result` with a target: its `stat` must be at most `limit` (a missing figure misses it). */
export function withTarget(result: ScenarioResult, stat: 'median' | 'max', limit: number): ScenarioResult {
  const value = result[stat];
  return { ...result, target: { text: `${stat} ≤ ${limit}`, met: value !== null && value <= limit } };
}

/** The row of a scenario that could not run here, saying why. */
export function skippedResult(name: string, unit: string, reason: string): ScenarioResult {
  return { ...summarize(name, unit, [], [`skipped: ${reason}`]), skipped: reason };
}
