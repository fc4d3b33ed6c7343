import { describe, expect, it } from 'vitest';
import { gcBuckets, gcNote, lagBetween, lagBuckets, lagLessFreeze, lagQuantileMs } from '../src/loop-lag';

const metrics = (a: number[], b: number[]) =>
  [
    '# HELP switchyard_event_loop_lag_seconds How late …',
    '# TYPE switchyard_event_loop_lag_seconds histogram',
    ...['0.001', '0.01', '0.1', '+Inf'].map((le, i) => `switchyard_event_loop_lag_seconds_bucket{le="${le}",node="sip-a"} ${a[i]}`),
    ...['0.001', '0.01', '0.1', '+Inf'].map((le, i) => `switchyard_event_loop_lag_seconds_bucket{node="sip-b",le="${le}"} ${b[i]}`),
    'switchyard_event_loop_lag_seconds_count{node="sip-a"} 0',
  ].join('\n');

describe('reading the event-loop lag histogram (false-switchovers, catch-up)', () => {
  it('reads the cumulative buckets by node, whatever the label order', () => {
    const buckets = lagBuckets(metrics([1, 2, 3, 4], [5, 6, 7, 8]));
    expect([...buckets.keys()]).toEqual(['sip-a', 'sip-b']);
    expect([...buckets.get('sip-b')!.entries()]).toEqual([
      [0.001, 5],
      [0.01, 6],
      [0.1, 7],
      [Number.POSITIVE_INFINITY, 8],
    ]);
  });

  it('gives the bucket bound of a quantile of the turns between two reads', () => {
    const before = lagBuckets(metrics([100, 100, 100, 100], [0, 0, 0, 0])).get('sip-a');
    // 1,000 turns since: 980 under 1 ms, 15 under 10 ms, 4 under 100 ms, 1 over.
    const after = lagBuckets(metrics([1_080, 1_095, 1_099, 1_100], [0, 0, 0, 0])).get('sip-a')!;
    const counts = lagBetween(before, after);
    expect(lagQuantileMs(counts, 0.5)).toBe(1);
    expect(lagQuantileMs(counts, 0.99)).toBe(10);
    expect(lagQuantileMs(counts, 0.999)).toBe(100);
    expect(lagQuantileMs(counts, 1)).toBe(Number.POSITIVE_INFINITY);
    expect(lagQuantileMs(lagBetween(after, after), 0.99)).toBeNull(); // no turn counted in between
  });

  it('leaves a window out (a frozen backup): the turns before it plus the turns after it', () => {
    const start = lagBuckets(metrics([0, 0, 0, 0], [0, 0, 0, 0])).get('sip-a');
    const atFreeze = lagBuckets(metrics([500, 500, 500, 500], [0, 0, 0, 0])).get('sip-a')!;
    const thawed = lagBuckets(metrics([500, 500, 500, 501], [0, 0, 0, 0])).get('sip-a')!; // the one turn late by the freeze
    const end = lagBuckets(metrics([1_000, 1_000, 1_000, 1_001], [0, 0, 0, 0])).get('sip-a')!;
    expect(lagQuantileMs(lagBetween(start, end), 1)).toBe(Number.POSITIVE_INFINITY);
    expect(lagQuantileMs(lagBetween(thawed, end, lagBetween(start, atFreeze)), 1)).toBe(1);
  });

  it('leaves out the one turn a freeze longer than the last bucket made late, and only that one', () => {
    const start = lagBuckets(metrics([0, 0, 0, 0], [0, 0, 0, 0])).get('sip-a');
    // 300 turns: 280 under 1 ms, 19 under 100 ms (the catch-up's), and the freeze's.
    const end = lagBuckets(metrics([280, 290, 299, 300], [0, 0, 0, 0])).get('sip-a')!;
    expect(lagQuantileMs(lagBetween(start, end), 1)).toBe(Number.POSITIVE_INFINITY);
    expect(lagQuantileMs(lagLessFreeze(lagBetween(start, end)), 1)).toBe(100);
    // A second turn over the last bucket is the node's own, and stays.
    const twice = lagBuckets(metrics([280, 290, 298, 300], [0, 0, 0, 0])).get('sip-a')!;
    expect(lagQuantileMs(lagLessFreeze(lagBetween(start, twice)), 1)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('garbage collections beside the lag (nodejs_gc_duration_seconds)', () => {
  const gc = (major: number[], minor: number[]) =>
    [
      ...['0.001', '0.01', '0.05', '+Inf'].map((le, i) => `nodejs_gc_duration_seconds_bucket{le="${le}",kind="major",node="sip-a"} ${major[i]}`),
      ...['0.001', '0.01', '0.05', '+Inf'].map((le, i) => `nodejs_gc_duration_seconds_bucket{le="${le}",kind="minor",node="sip-a"} ${minor[i]}`),
      'nodejs_gc_duration_seconds_bucket{le="0.05",kind="major",node="supervisor"} 9',
    ].join('\n');

  it('sums the kinds of a node into one set of cumulative buckets', () => {
    const buckets = gcBuckets(gc([0, 1, 2, 2], [10, 20, 20, 20]));
    expect([...buckets.keys()]).toEqual(['sip-a', 'supervisor']);
    expect([...buckets.get('sip-a')!.entries()]).toEqual([
      [0.001, 10],
      [0.01, 21],
      [0.05, 22],
      [Number.POSITIVE_INFINITY, 22],
    ]);
  });

  it("names the longest pause's bucket between two reads, or none", () => {
    const before = gcBuckets(gc([0, 1, 1, 1], [10, 20, 20, 20])).get('sip-a');
    const after = gcBuckets(gc([0, 1, 2, 2], [15, 25, 25, 25])).get('sip-a'); // one major of 10-50 ms since
    expect(gcNote(before, after)).toBe('its longest garbage collection in that time ≤ 50 ms (nodejs_gc_duration_seconds)');
    expect(gcNote(after, after)).toBe('no garbage collection in that time (nodejs_gc_duration_seconds)');
    expect(gcNote(undefined, undefined)).toBe('no garbage collection in that time (nodejs_gc_duration_seconds)');
  });
});
