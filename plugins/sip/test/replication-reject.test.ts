import { ManualClock } from '@switchyard/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { sipTestPair } from './support/test-pair';
import { register, statusOf } from './support/udp-client';

const contactsOf = (answer: string) => [...answer.matchAll(/^Contact: <([^>]+)>/gm)].map((m) => m[1]).sort();

/**
 * `replication: { mode: 'sync', onTimeout }` as a SIP client sees it, with
 * two in-process nodes in virtual time and real SIP sockets on loopback.
 */
describe('sync replication, onTimeout', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0)) await c();
  });

  async function pair(onTimeout: 'async' | 'reject') {
    const p = await sipTestPair({ retryAfter: 2, replication: { mode: 'sync', syncTimeout: 0.5, onTimeout } }, new ManualClock());
    cleanup.push(() => p.probe.close(), () => p.a.stop(), () => p.b.stop());
    return p;
  }

  it('reject: a REGISTER the backup does not acknowledge within syncTimeout is answered 500 with Retry-After, not 200', async () => {
    const p = await pair('reject');
    p.probe.send(p.ports.a, register(p.probe, p.ports.a, 'alice', 300));
    expect(statusOf(await p.probe.next())).toBe(200); // the backup acknowledged

    p.chA.disconnect(); // the backup stops acknowledging
    p.probe.send(p.ports.a, register(p.probe, p.ports.a, 'bob', 300));
    await expect(p.probe.next(200)).rejects.toThrow(/no SIP answer/); // waiting for the ack
    const refused = await p.probe.next(2_000, () => p.clock.advance(100));
    expect(statusOf(refused)).toBe(500);
    expect(refused).toMatch(/^Retry-After: 2\r?$/m);

    // While the backup stays away, REGISTERs that change bindings are refused at once; a query is answered.
    p.probe.send(p.ports.a, register(p.probe, p.ports.a, 'carol', 300));
    expect(statusOf(await p.probe.next())).toBe(500);
    p.probe.send(p.ports.a, register(p.probe, p.ports.a, 'alice', undefined, false));
    const query = await p.probe.next();
    expect(statusOf(query)).toBe(200);
    expect(contactsOf(query)).toEqual([`sip:alice@127.0.0.1:${p.probe.port}`]);

    // The backup is back: the client's retry is acknowledged and answered 200.
    p.chA.connect();
    await p.clock.advance(100);
    p.probe.send(p.ports.a, register(p.probe, p.ports.a, 'bob', 300));
    expect(statusOf(await p.probe.next())).toBe(200);
  });

  it('async (the default): the same REGISTER is answered 200 once syncTimeout has passed', async () => {
    const p = await pair('async');
    p.chA.disconnect();
    p.probe.send(p.ports.a, register(p.probe, p.ports.a, 'bob', 300));
    const answer = await p.probe.next(2_000, () => p.clock.advance(100));
    expect(statusOf(answer)).toBe(200);
  });
});
