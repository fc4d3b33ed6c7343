import { ManualClock, createTestNode } from '@switchyard/sdk';
import { freePort } from '@switchyard/sdk/testing';
import { afterEach, describe, expect, it } from 'vitest';
import sipPlugin, { SipEvent } from '../src/index';
import { sipTestPair } from './support/test-pair';
import { UdpProbe, options, register, statusOf } from './support/udp-client';


const contactsOf = (answer: string) => [...answer.matchAll(/^Contact: <([^>]+)>/gm)].map((m) => m[1]).sort();

describe('sip plugin fencing by term', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0)) await c();
  });

  async function pair(sip: Record<string, unknown> = {}, clock = new ManualClock()) {
    const p = await sipTestPair(sip, clock);
    cleanup.push(() => p.probe.close(), () => p.a.stop(), () => p.b.stop());
    return p;
  }

  it.each([
    { staleTerm: 4, kept: true },
    { staleTerm: 5, kept: false },
  ])('a backup at term 5 and a primary at term $staleTerm: the primary’s REGISTER replacing a contact reaches the backup: $kept', async ({ staleTerm, kept }) => {
    const p = await pair();
    const original = `sip:alice@127.0.0.1:${p.probe.port}`;
    p.probe.send(p.ports.a, register(p.probe, p.ports.a, 'alice', 300));
    expect(statusOf(await p.probe.next())).toBe(200);
    await p.clock.advance(100);

    // b hears of term 5; a, frozen meanwhile, still acts in its own term
    await p.b.order('backup', 5);
    await p.a.order('primary', staleTerm);
    const replace = register(p.probe, p.ports.a, 'alice', 300).replace(
      /^Contact: .*$/m,
      `Contact: <${original}>;expires=0\nContact: <sip:alice@198.51.100.7:5070>`,
    );
    p.probe.send(p.ports.a, replace);
    expect(contactsOf(await p.probe.next())).toEqual(['sip:alice@198.51.100.7:5070']);
    await p.clock.advance(1000);

    // b becomes primary: what does it answer for alice?
    await p.a.order('backup', 6);
    await p.b.order('primary', 6);
    p.probe.send(p.ports.b, register(p.probe, p.ports.b, 'alice', undefined, false));
    const query = await p.probe.next();
    expect(statusOf(query)).toBe(200);
    if (kept) {
      expect(contactsOf(query)).toEqual([original]);
      expect(p.b.events.filter((e) => e.id === SipEvent.ReplicationStaleRefused).map((e) => e.fields)).toEqual([
        expect.objectContaining({ peer: 'node-a', term: 4, current: 5 }),
      ]);
    } else {
      expect(contactsOf(query)).toEqual(['sip:alice@198.51.100.7:5070']);
      expect(p.b.eventIds()).not.toContain(SipEvent.ReplicationStaleRefused);
    }
  });

  it('a primary whose grant has lapsed answers 503 at once, before any of its timers has run', async () => {
    const clock = new ManualClock();
    const port = await freePort();
    const node = createTestNode({ clock, plugins: [[sipPlugin, { persistence: { enabled: false }, retryAfter: 3 }]], nodeOptions: { sip: { port } } });
    const probe = await new UdpProbe().open();
    cleanup.push(() => probe.close(), () => node.stop());
    await node.start();
    await node.order('primary', 1);
    node.engine.grant(clock.monotonic() + 2_000);
    probe.send(port, register(probe, port, 'alice', 300));
    expect(statusOf(await probe.next())).toBe(200);

    clock.thaw(2_000); // frozen past the grant; the step-down timer has not fired
    expect(node.engine.role).toBe('primary');
    expect(node.engine.serving).toBe(false);
    probe.send(port, register(probe, port, 'bob', 300));
    const answer = await probe.next();
    expect(statusOf(answer)).toBe(503);
    expect(answer).toMatch(/Retry-After: 3/);
    probe.send(port, options(probe, port));
    expect(statusOf(await probe.next())).toBe(503);
    expect(node.engine.role).toBe('primary');
  });

  it('a REGISTER waiting for the backup’s ack is answered 503 when the grant lapses meanwhile', async () => {
    const p = await pair({ replication: { mode: 'sync', syncTimeout: 0.5 } });
    p.a.engine.grant(p.clock.monotonic() + 300);
    p.chA.disconnect(); // no ack: the REGISTER waits up to syncTimeout
    p.probe.send(p.ports.a, register(p.probe, p.ports.a, 'carol', 300));
    await expect(p.probe.next(200)).rejects.toThrow(/no SIP answer/);
    const answer = await p.probe.next(2_000, () => p.clock.advance(50));
    expect(statusOf(answer)).toBe(503);
    expect(p.a.engine.role).toBe('backup');
  });
});
