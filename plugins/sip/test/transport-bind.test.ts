import { ManualClock, SystemClock } from '@switchyard/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { SipListener } from '../src/transport';
import { closeAll, holdPort, startListener, until } from './transport-support';

afterEach(closeAll);

describe('SipListener bind failure and retry', () => {
  it('reports a held UDP port, stays up not listening, and binds within the retry interval once it is free', async () => {
    const held = await holdPort('udp');
    const rec = await startListener({ port: held.port, clock: new SystemClock(), bindRetryInterval: 0.1 });
    expect(rec.bindFailures[0]).toMatchObject({ address: '127.0.0.1', port: held.port, transport: 'udp', errno: 'EADDRINUSE', attempt: 1 });
    expect(rec.bindFailures.every((f) => f.transport === 'udp')).toBe(true);
    expect(rec.listener.listening).toBe(false);
    expect(rec.bounds).toEqual([]);

    await held.release();
    const freedAt = Date.now();
    const bound = await until(() => rec.bounds[0], 2_000, 'onBound');
    expect(Date.now() - freedAt).toBeLessThan(1_000); // one 0.1 s interval plus scheduling slack
    expect(bound).toMatchObject({ address: '127.0.0.1', port: held.port, recovered: true });
    expect(bound.failedAttempts).toBeGreaterThanOrEqual(1);
    expect(rec.listener.listening).toBe(true);
  });

  it('retries a held TCP port every bindRetryInterval, reporting each failed attempt (virtual time)', async () => {
    const clock = new ManualClock();
    const held = await holdPort('tcp');
    const rec = await startListener({ port: held.port, clock, bindRetryInterval: 5 });
    expect(rec.bindFailures).toEqual([expect.objectContaining({ transport: 'tcp', errno: 'EADDRINUSE', port: held.port, attempt: 1 })]);
    expect(clock.pending).toBe(1); // the retry timer, nothing else

    await clock.advance(4_999);
    expect(rec.bindFailures).toHaveLength(1); // not retried before the interval
    await clock.advance(1);
    await until(() => rec.bindFailures.length === 2, 2_000, 'the second attempt');
    expect(rec.bindFailures[1]).toMatchObject({ transport: 'tcp', errno: 'EADDRINUSE', attempt: 2 });

    await held.release();
    await clock.advance(5_000);
    const bound = await until(() => rec.bounds[0], 2_000, 'onBound');
    expect(bound).toEqual({ address: '127.0.0.1', port: held.port, recovered: true, failedAttempts: 2 });
    expect(rec.listener.listening).toBe(true);
    expect(clock.pending).toBe(0);
  });

  it('stops retrying on stop(), and stop() is idempotent', async () => {
    const clock = new ManualClock();
    const held = await holdPort('udp');
    const rec = await startListener({ port: held.port, clock, bindRetryInterval: 1 });
    expect(clock.pending).toBe(1);
    await rec.listener.stop();
    await rec.listener.stop();
    expect(clock.pending).toBe(0);
    await held.release();
    await clock.advance(10_000);
    expect(rec.bounds).toEqual([]);
    expect(rec.listener.listening).toBe(false);
  });

  it('refuses invalid options with a coded error', () => {
    const make = (over: object) => () =>
      new SipListener({
        host: '127.0.0.1',
        port: 5060,
        clock: new ManualClock(),
        bindRetryInterval: 1,
        onMessage: () => undefined,
        onParseError: () => undefined,
        onBindFailed: () => undefined,
        onBound: () => undefined,
        ...over,
      });
    expect(make({ bindRetryInterval: 0 })).toThrow(expect.objectContaining({ code: 'SWY_ERR_SIP_OPTIONS', message: expect.stringMatching(/bindRetryInterval/) }));
    expect(make({ port: 70_000 })).toThrow(expect.objectContaining({ code: 'SWY_ERR_SIP_OPTIONS', message: expect.stringMatching(/port/) }));
  });
});
