import { describe, expect, it } from 'vitest';
import { RegisterTally, parseRegisterLogLine, registerLoadUsers, sippTimestampMs } from '../src/index';

// SIPp 3.6.1's [timestamp] for 2026-12-02 14:06:38.123456 UTC (the date and time are local, the epoch part is what counts).
const STAMP = '2026-12-02\t15:06:38.123456\t1796220398.123456';
const AT = 1796220398123;

describe('parseRegisterLogLine', () => {
  const cases: { line: string; record: ReturnType<typeof parseRegisterLogLine> }[] = [
    { line: 'start;1;s7u1', record: { kind: 'start', call: 1, user: 's7u1' } },
    { line: `200;1;s7u1;3600;;${STAMP}`, record: { kind: '200', call: 1, user: 's7u1', at: AT, expires: 3600 } },
    // No Contact expires= param: the Expires header says.
    { line: `200;2;s7u2;;1800;${STAMP}`, record: { kind: '200', call: 2, user: 's7u2', at: AT, expires: 1800 } },
    // The Contact's param wins over the header.
    { line: `200;3;s7u3;3599;3600;${STAMP}`, record: { kind: '200', call: 3, user: 's7u3', at: AT, expires: 3599 } },
    { line: `200;4;s7u4;;;${STAMP}`, record: { kind: '200', call: 4, user: 's7u4', at: AT, expires: undefined } },
    { line: 'nack;5;s7u2;503', record: { kind: 'nack', call: 5, user: 's7u2', status: 503 } },
    { line: 'nack;6;s7u5;', record: { kind: 'nack', call: 6, user: 's7u5', status: undefined } },
    { line: 'timeout;7;s7u6', record: { kind: 'timeout', call: 7, user: 's7u6' } },
    { line: 'timeout;7;s7u6\r', record: { kind: 'timeout', call: 7, user: 's7u6' } },
    // Not the scenario's, or cut short: ignored.
    { line: '', record: undefined },
    { line: '200;1;s7u1;3600;;2026-12-02\t15:06', record: undefined },
    { line: '200;1;s7u1;3600', record: undefined },
    { line: 'start;x;s7u1', record: undefined },
    { line: 'start;1;', record: undefined },
    { line: 'ack;1;s7u1', record: undefined },
    { line: 'Sipp warning: something', record: undefined },
  ];
  for (const { line, record } of cases) {
    it(`reads ${JSON.stringify(line)}`, () => {
      expect(parseRegisterLogLine(line)).toEqual(record);
    });
  }

  it('reads the epoch milliseconds of a timestamp, not its local time', () => {
    expect(sippTimestampMs(STAMP)).toBe(AT);
    expect(sippTimestampMs('2026-12-02\t15:06:38.999999\t1796220398.999999')).toBe(1796220398999);
    expect(sippTimestampMs('2026-12-02\t15:06:38.123456')).toBeUndefined();
  });
});

describe('RegisterTally', () => {
  it('keeps the latest 200 of each user, counts 200s, rejections and timeouts, and fills in the requested expiry', () => {
    const tally = new RegisterTally(3600);
    const lines = [
      'start;1;u1',
      'start;2;u2',
      `200;1;u1;3600;;2026-12-02\t15:06:38.000000\t1796220398.000000`,
      'start;3;u3',
      'nack;2;u2;500',
      'start;4;u4',
      'timeout;3;u3',
      `200;4;u4;;;2026-12-02\t15:06:39.000000\t1796220399.000000`,
      'start;5;u1',
      `200;5;u1;1200;;2026-12-02\t15:06:40.500000\t1796220400.500000`,
      'start;6;u5',
      'nack;7;u6;',
    ];
    expect(lines.map((l) => tally.addLine(l))).toEqual(lines.map(() => true));
    expect(tally.addLine('garbage')).toBe(false);
    expect(tally.counts).toEqual({ acked: 3, rejected: 2, timedOut: 1 });
    expect([...tally.acked.values()]).toEqual([
      { user: 'u1', at: 1796220400500, expires: 1200 },
      { user: 'u4', at: 1796220399000, expires: 3600 },
    ]);
    expect(tally.unfinished).toBe(1);
    tally.closeUnfinished();
    expect(tally.counts).toEqual({ acked: 3, rejected: 2, timedOut: 2 });
    expect(tally.unfinished).toBe(0);
  });
});

describe('registerLoadUsers', () => {
  it('gives each call a new user but every fifth, which repeats an earlier one', () => {
    const users = registerLoadUsers('s9u', 1000);
    expect(users.slice(0, 4)).toEqual(['s9u1', 's9u2', 's9u3', 's9u4']);
    let newUsers = 0;
    users.forEach((user, i) => {
      const earlier = new Set(users.slice(0, i));
      if ((i + 1) % 5 === 0) expect(earlier.has(user), `call ${i + 1}`).toBe(true);
      else expect(user).toBe(`s9u${++newUsers}`);
    });
    expect(new Set(users).size).toBe(800);
    // Refreshes reach back over the whole run, not only the latest users.
    const refreshed = users.filter((_, i) => (i + 1) % 5 === 0).map((u) => Number(u.slice(3)));
    expect(Math.min(...refreshed.slice(100))).toBeLessThan(100);
    expect(Math.max(...refreshed.slice(100))).toBeGreaterThan(500);
  });
});
