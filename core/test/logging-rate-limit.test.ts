import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../src/clock';
import type { LogEventRecord } from '../src/events/catalogue';
import { closeWinstonLogger, createWinstonLogger, writeLogEvent } from '../src/logging/winston-logger';
import type winston from 'winston';

/** A logger in stdout mode whose lines the test reads, on a manual clock. */
function capture(options: { burst?: number; interval?: number; level?: 'info' | 'warn' } = {}) {
  const clock = new ManualClock();
  const out = new PassThrough();
  const lines: string[] = [];
  let partial = '';
  out.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString('utf8')).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
  });
  const logger = createWinstonLogger({
    node: 'sip-a',
    level: options.level ?? 'info',
    logging: { output: 'stdout', rateLimit: { burst: options.burst ?? 3, interval: options.interval ?? 10 } },
    clock,
    stdout: out,
  });
  open.push(logger);
  let marks = 0;
  /** Writes a marker event and waits until it is out: every line before it is out too. */
  const settle = async () => {
    const mark = `mark-${++marks}`;
    writeLogEvent(logger, record('01-10005', 'warn', mark, { plugin: mark }));
    await vi.waitFor(() => expect(lines.at(-1)).toContain(mark), { timeout: 2000, interval: 5 });
    lines.pop();
  };
  return { clock, logger, lines, settle };
}

const open: winston.Logger[] = [];
afterEach(async () => {
  for (const logger of open.splice(0)) await closeWinstonLogger(logger);
});

function record(id: string, level: LogEventRecord['level'], message: string, fields: Record<string, unknown> = {}, node = 'sip-a'): LogEventRecord {
  return { id, level, message, fields, node, term: 1, time: 0, owner: 'core' };
}

/** What a refused HA connection logs: the remote port differs every time. */
const refused = (i: number) => record('01-10022', 'error', `HA link peer 192.0.2.7:${40000 + i} failed authentication: bad hmac`, { remote: `192.0.2.7:${40000 + i}` });

describe('log rate limit (per event id, node and key fields; injected clock)', () => {
  it('writes the first `burst` lines of a flood, then one summary with the count per interval, then lets the next burst through', async () => {
    const { clock, logger, lines, settle } = capture({ burst: 3, interval: 10 });
    for (let i = 0; i < 50; i++) writeLogEvent(logger, refused(i));
    await settle();
    expect(lines).toEqual([
      '<3>ERROR [sip-a t1] 01-10022 HA link peer 192.0.2.7:40000 failed authentication: bad hmac',
      '<3>ERROR [sip-a t1] 01-10022 HA link peer 192.0.2.7:40001 failed authentication: bad hmac',
      '<3>ERROR [sip-a t1] 01-10022 HA link peer 192.0.2.7:40002 failed authentication: bad hmac',
    ]);

    // nothing more until the interval ends; then the count, once
    await clock.advance(9_999);
    await settle();
    expect(lines).toHaveLength(3);
    await clock.advance(1);
    await settle();
    expect(lines.slice(3)).toEqual(['<3>ERROR [sip-a] 01-10080 Log rate limit: 47 more 01-10022 lines from sip-a (all) suppressed in 10s']);

    // a flood that goes on: again `burst` lines and one summary per interval
    for (let i = 50; i < 60; i++) writeLogEvent(logger, refused(i));
    await clock.advance(10_000);
    await settle();
    expect(lines.slice(4)).toEqual([
      expect.stringContaining('192.0.2.7:40050'),
      expect.stringContaining('192.0.2.7:40051'),
      expect.stringContaining('192.0.2.7:40052'),
      '<3>ERROR [sip-a] 01-10080 Log rate limit: 7 more 01-10022 lines from sip-a (all) suppressed in 10s',
    ]);
  });

  it('counts other events, other nodes and other key fields (peer, alarm, …) apart', async () => {
    const { logger, lines, settle } = capture({ burst: 1, interval: 10 });
    writeLogEvent(logger, record('01-10021', 'warn', 'HA link to sip-b down: reset', { peer: 'sip-b' }));
    writeLogEvent(logger, record('01-10021', 'warn', 'HA link to sip-b down: reset', { peer: 'sip-b' }));
    writeLogEvent(logger, record('01-10021', 'warn', 'HA link to sip-c down: reset', { peer: 'sip-c' }));
    writeLogEvent(logger, record('01-10021', 'warn', 'HA link to sip-a down: reset', { peer: 'sip-a' }, 'sip-b'));
    writeLogEvent(logger, record('01-10070', 'error', 'Alarm x@sip-a raised', { alarm: 'x@sip-a' }));
    writeLogEvent(logger, record('01-10070', 'error', 'Alarm y@sip-a raised', { alarm: 'y@sip-a' }));
    await settle();
    expect(lines).toEqual([
      '<4>WARN [sip-a t1] 01-10021 HA link to sip-b down: reset',
      '<4>WARN [sip-a t1] 01-10021 HA link to sip-c down: reset',
      '<4>WARN [sip-b t1] 01-10021 HA link to sip-a down: reset',
      '<3>ERROR [sip-a t1] 01-10070 Alarm x@sip-a raised',
      '<3>ERROR [sip-a t1] 01-10070 Alarm y@sip-a raised',
    ]);
  });

  it('spends no share of the limit on lines below the level, and reports no summary for them', async () => {
    const { clock, logger, lines, settle } = capture({ burst: 2, interval: 10, level: 'warn' });
    for (let i = 0; i < 20; i++) writeLogEvent(logger, record('01-10024', 'info', `caught up ${i}`, { channel: 'contacts' }));
    writeLogEvent(logger, record('01-10021', 'warn', 'HA link to sip-b down: reset', { peer: 'sip-b' }));
    await clock.advance(10_000);
    await settle();
    expect(lines).toEqual(['<4>WARN [sip-a t1] 01-10021 HA link to sip-b down: reset']);
  });

  it('writes the pending count when the log closes, before the end of the interval', async () => {
    const { logger, lines } = capture({ burst: 1, interval: 60 });
    for (let i = 0; i < 5; i++) writeLogEvent(logger, refused(i));
    await closeWinstonLogger(logger);
    expect(lines).toEqual([
      expect.stringContaining('192.0.2.7:40000'),
      '<3>ERROR [sip-a] 01-10080 Log rate limit: 4 more 01-10022 lines from sip-a (all) suppressed in 60s',
    ]);
  });
});
