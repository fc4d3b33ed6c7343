/** Reading the nodes' event-loop lag histogram (`switchyard_event_loop_lag_seconds`) from the pair's /metrics. */

export const LAG_METRIC = 'switchyard_event_loop_lag_seconds';

/** Node's garbage-collection pauses, by kind (`collectProcessMetrics`: on the lag histogram's buckets). */
export const GC_METRIC = 'nodejs_gc_duration_seconds';

/** Cumulative bucket counts of the histogram `metric` by node, from a /metrics text (its other labels, as a GC's kind, summed). */
export function histogramBuckets(text: string, metric: string): Map<string, Map<number, number>> {
  const out = new Map<string, Map<number, number>>();
  const line = new RegExp(`^${metric}_bucket\\{(.*)\\} (\\d+(?:\\.\\d+)?)$`);
  for (const l of text.split('\n')) {
    const m = line.exec(l);
    if (!m) continue;
    const labels = Object.fromEntries([...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1]!, x[2]!]));
    if (!labels.node || labels.le === undefined) continue;
    const le = labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(labels.le);
    const node = out.get(labels.node) ?? new Map<number, number>();
    node.set(le, (node.get(le) ?? 0) + Number(m[2]));
    out.set(labels.node, node);
  }
  return out;
}

/** Cumulative bucket counts of the event-loop lag histogram, by node, from a /metrics text. */
export const lagBuckets = (text: string) => histogramBuckets(text, LAG_METRIC);

/** Cumulative bucket counts of the GC pauses of every kind, by node. */
export const gcBuckets = (text: string) => histogramBuckets(text, GC_METRIC);

/** The turns counted between two reads of the cumulative buckets (`before` absent: since the start), plus `plus`. */
export function lagBetween(before: Map<number, number> | undefined, after: Map<number, number>, plus?: Map<number, number>): Map<number, number> {
  return new Map([...after.entries()].map(([le, n]) => [le, n - (before?.get(le) ?? 0) + (plus?.get(le) ?? 0)]));
}

/** The bucket bound (ms) under which `q` of the counted turns fell (`Infinity` past the last bucket); null when none was counted. */
export function lagQuantileMs(counts: Map<number, number>, q: number): number | null {
  const bounds = [...counts.keys()].sort((a, b) => a - b);
  const total = counts.get(bounds.at(-1)!) ?? 0;
  if (total <= 0) return null;
  return bounds.find((le) => (counts.get(le) ?? 0) >= q * total)! * 1000;
}

/**
 * `counts` less the one turn a freeze (SIGSTOP) made late, its first after
 * SIGCONT: the caller froze the node for longer than the last finite bucket
 * (2 s), so that turn is counted in the +Inf bucket alone.
 */
export function lagLessFreeze(counts: Map<number, number>): Map<number, number> {
  return new Map([...counts.entries()].map(([le, n]) => [le, le === Number.POSITIVE_INFINITY ? Math.max(0, n - 1) : n]));
}

/** What a loop-lag row says of the node's garbage collections between two reads of {@link gcBuckets}: the longest pause's bucket bound. */
export function gcNote(before: Map<number, number> | undefined, after: Map<number, number> | undefined): string {
  const longest = after ? lagQuantileMs(lagBetween(before, after), 1) : null;
  return longest === null ? `no garbage collection in that time (${GC_METRIC})` : `its longest garbage collection in that time ≤ ${longest} ms (${GC_METRIC})`;
}
