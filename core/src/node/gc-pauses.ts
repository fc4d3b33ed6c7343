import { PerformanceObserver, constants } from 'node:perf_hooks';

/** The kinds of V8 collection Node reports, by their `detail.kind` flag. */
const GC_KINDS: ReadonlyArray<[number, string]> = [
  [constants.NODE_PERFORMANCE_GC_MAJOR, 'major'],
  [constants.NODE_PERFORMANCE_GC_MINOR, 'minor'],
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL, 'incremental'],
  [constants.NODE_PERFORMANCE_GC_WEAKCB, 'weak callbacks'],
];

/** The name of a `gc` performance entry's kind ('major', 'minor', …; 'unknown' for a flag Node adds later). */
export function gcKindName(kind: number | undefined): string {
  return GC_KINDS.find(([flag]) => flag === kind)?.[1] ?? 'unknown';
}

/**
 * Calls `onPause` with every garbage collection's kind and pause (ms) this
 * process runs, as Node reports them (a `gc` PerformanceObserver: delivered
 * after the collection, off the collection's own turn). Returns the stop.
 */
export function observeGcPauses(onPause: (kind: string, ms: number) => void): () => void {
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const detail = (entry as { detail?: unknown }).detail as { kind?: number } | undefined;
      onPause(gcKindName(detail?.kind), entry.duration);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return () => observer.disconnect();
}
