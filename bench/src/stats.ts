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
