/**
 * The limit events of the sip plugin in a node (virtual time, real UDP on
 * loopback): what an operator's alarm condition sees when clients hit the
 * registrar caps, and that client text in a log line is escaped and cut.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SipEvent } from '../src/index';
import { sipTestPair } from './support/test-pair';
import { register, statusOf } from './support/udp-client';

describe('sip limit events', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0)) await c();
  });
  const pair = async (sip: Record<string, unknown>) => {
    const p = await sipTestPair(sip);
    cleanup.push(() => p.probe.close(), () => p.a.stop(), () => p.b.stop());
    return p;
  };

  it('logs 00-04250 for contacts refused over the per-AOR cap, at most 5 a second, the next one with the count suppressed', async () => {
    const p = await pair({ registrar: { maxContactsPerAor: 1 } });
    const withContact = (i: number) => register(p.probe, p.ports.a, 'alice').replace(/Contact: <[^>]+>/, `Contact: <sip:alice@127.0.0.1:${6000 + i}>`);
    p.probe.send(p.ports.a, withContact(0));
    expect(statusOf(await p.probe.next())).toBe(200);
    for (let i = 1; i <= 12; i++) {
      p.probe.send(p.ports.a, withContact(i));
      expect(statusOf(await p.probe.next())).toBe(403);
    }
    const logged = () => p.a.events.filter((e) => e.id === SipEvent.ContactLimitRefused);
    expect(logged()).toHaveLength(5);
    expect(logged()[0]!.fields).toMatchObject({ aor: 'sip:alice@127.0.0.1', count: 2, limit: 1, remote: `127.0.0.1:${p.probe.port}` });
    await p.clock.advance(1_000);
    p.probe.send(p.ports.a, withContact(13));
    expect(statusOf(await p.probe.next())).toBe(403);
    expect(logged()).toHaveLength(6);
    expect(logged()[5]!.fields).toMatchObject({ suppressed: 7 });
  });

  it('logs 00-04251 when the binding table is full', async () => {
    const p = await pair({ registrar: { maxBindings: 1 } });
    p.probe.send(p.ports.a, register(p.probe, p.ports.a, 'alice'));
    expect(statusOf(await p.probe.next())).toBe(200);
    p.probe.send(p.ports.a, register(p.probe, p.ports.a, 'bob'));
    const full = await p.probe.next();
    expect(statusOf(full)).toBe(503);
    expect(full).toMatch(/\r\nRetry-After: 60\r\n/);
    expect(p.a.events.filter((e) => e.id === SipEvent.BindingTableFull).map((e) => e.fields)).toEqual([
      expect.objectContaining({ count: 1, limit: 1, remote: `127.0.0.1:${p.probe.port}` }),
    ]);
  });

  it('writes client text of a malformed message escaped and cut short in 00-04210', async () => {
    const p = await pair({});
    const hostile = register(p.probe, p.ports.a, 'alice').replace(/^Via: .*$/m, `Via: \u001b[2J${'x'.repeat(3000)}`);
    p.probe.send(p.ports.a, hostile);
    const malformed = await (async () => {
      for (let i = 0; i < 100; i++) {
        const found = p.a.events.find((e) => e.id === SipEvent.MalformedMessage);
        if (found) return found;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error('no 00-04210 within 2 s');
    })();
    const reason = String(malformed.fields.reason);
    expect(reason).not.toMatch(/[\u0000-\u001f]/);
    expect(reason.length).toBeLessThan(400);
    expect(reason).toMatch(/…\[\+\d+ chars\]/);
  });
});
