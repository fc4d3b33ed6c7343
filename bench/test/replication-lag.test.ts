import { describe, expect, it } from 'vitest';
import { LAG_P99_TARGET_MS, lagsOf } from '../src/scenarios/replication';
import { summarize, withTarget } from '../src/stats';

describe('replication-lag: lags per binding, the cold and the steady run apart', () => {
  it("takes only the given user's bindings that the backup applied, the backup's time less the primary's", () => {
    const local = new Map([
      ['sip:cold1@127.0.0.1', 1000],
      ['sip:lag1@127.0.0.1', 2000],
      ['sip:lag2@127.0.0.1', 2001.5],
      ['sip:lag3@127.0.0.1', 2003], // never applied by the backup
    ]);
    const replica = new Map([
      ['sip:cold1@127.0.0.1', 1012],
      ['sip:lag1@127.0.0.1', 2000.25],
      ['sip:lag2@127.0.0.1', 2004.5],
    ]);
    expect(lagsOf(local, replica, 'lag')).toEqual([0.25, 3]);
    expect(lagsOf(local, replica, 'cold')).toEqual([12]);
  });
});

describe('withTarget on a p99', () => {
  const row = summarize('replication-lag', 'ms', [...Array.from({ length: 199 }, () => 1), 50], [], true);

  it('meets a p99 limit that the slowest 1 % may exceed', () => {
    expect(row.p99).toBeLessThanOrEqual(LAG_P99_TARGET_MS);
    expect(withTarget(row, 'p99', LAG_P99_TARGET_MS).target).toEqual({ text: 'p99 ≤ 5', met: true });
  });

  it('misses it when more than 1 % are slower', () => {
    const slow = summarize('replication-lag', 'ms', [...Array.from({ length: 95 }, () => 1), 6, 7, 8, 9, 10, 11], [], true);
    expect(withTarget(slow, 'p99', LAG_P99_TARGET_MS).target).toEqual({ text: 'p99 ≤ 5', met: false });
  });
});
