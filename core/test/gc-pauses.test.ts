import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { constants } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../src/testing/processes';
import { Registry } from 'prom-client';
import { gcKindName, observeGcPauses } from '../src/node/gc-pauses';
import { collectProcessMetrics } from '../src/metrics/render';
import { LOOP_LAG_BUCKETS } from '../src/metrics/definitions';

/** A full collection on demand: the global gc of a fresh context, once V8 is told to expose it. */
function forcedGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

describe('observeGcPauses', () => {
  it("names Node's gc entry kinds", () => {
    expect(gcKindName(constants.NODE_PERFORMANCE_GC_MAJOR)).toBe('major');
    expect(gcKindName(constants.NODE_PERFORMANCE_GC_MINOR)).toBe('minor');
    expect(gcKindName(constants.NODE_PERFORMANCE_GC_INCREMENTAL)).toBe('incremental');
    expect(gcKindName(undefined)).toBe('unknown');
  });

  it('reports a real full collection of this process with its pause, and nothing once stopped', async () => {
    const gc = forcedGc();
    const pauses: Array<{ kind: string; ms: number }> = [];
    const stop = observeGcPauses((kind, ms) => pauses.push({ kind, ms }));
    gc();
    await waitFor(() => (pauses.some((p) => p.kind === 'major') ? true : undefined), 5_000, 'the major collection to be reported');
    expect(pauses.find((p) => p.kind === 'major')!.ms).toBeGreaterThan(0);
    stop();
    const seen = pauses.length;
    const later: string[] = [];
    const stopLater = observeGcPauses((kind) => later.push(kind));
    gc();
    await waitFor(() => (later.includes('major') ? true : undefined), 5_000, 'a second observer to see the next collection');
    stopLater();
    expect(pauses).toHaveLength(seen); // the stopped one was not told
  });
});

describe('process metrics', () => {
  it("put a real collection's pause in nodejs_gc_duration_seconds on the event-loop lag's buckets", async () => {
    const gc = forcedGc();
    const registry = collectProcessMetrics(new Registry());
    gc();
    const text = await waitFor(
      async () => {
        const t = await registry.metrics();
        return /^nodejs_gc_duration_seconds_count\{kind="major"\} [1-9]/m.test(t) ? t : undefined;
      },
      5_000,
      'the collection in nodejs_gc_duration_seconds',
    );
    const bounds = [...text.matchAll(/^nodejs_gc_duration_seconds_bucket\{le="([^"]+)",kind="major"\}/gm)].map((m) => m[1]);
    expect(bounds).toEqual([...LOOP_LAG_BUCKETS.map(String), '+Inf']);
    registry.clear();
  });
});
