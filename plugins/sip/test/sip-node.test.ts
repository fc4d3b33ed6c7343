import { createTestNode, type SwitchyardError, type TestNode } from '@switchyard/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import sipPlugin, { SipEvent, type SipStatus } from '../src/index';
import { sipTestPair } from './support/test-pair';
import { options, register, statusOf } from './support/udp-client';

const pair = (sip: Record<string, unknown> = {}) => sipTestPair(sip);

const sipStatus = (node: TestNode) => node.engine.report().sip as SipStatus;

describe('sip plugin in a test node', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0)) await c();
  });
  const track = (p: Awaited<ReturnType<typeof pair>>) => {
    cleanup.push(() => p.probe.close(), () => p.a.stop(), () => p.b.stop());
    return p;
  };

  it('answers OPTIONS 200 as primary and 503 with Retry-After as backup, switching at once with the role', async () => {
    const p = track(await pair({ retryAfter: 7 }));
    p.probe.send(p.ports.a, options(p.probe, p.ports.a));
    const fromPrimary = await p.probe.next();
    expect(statusOf(fromPrimary)).toBe(200);
    expect(fromPrimary).toMatch(/Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER/);
    p.probe.send(p.ports.b, options(p.probe, p.ports.b));
    const fromBackup = await p.probe.next();
    expect(statusOf(fromBackup)).toBe(503);
    expect(fromBackup).toMatch(/Retry-After: 7/);

    await p.a.order('backup', 2);
    await p.b.order('primary', 2);
    p.probe.send(p.ports.a, options(p.probe, p.ports.a));
    expect(statusOf(await p.probe.next())).toBe(503);
    p.probe.send(p.ports.b, options(p.probe, p.ports.b));
    expect(statusOf(await p.probe.next())).toBe(200);
  });

  it('replicates a REGISTER to the backup, redirects to it, and expires it on both nodes in virtual time', async () => {
    const p = track(await pair());
    p.probe.send(p.ports.a, register(p.probe, p.ports.a, 'alice', 120));
    const ok = await p.probe.next();
    expect(statusOf(ok)).toBe(200);
    expect(ok).toMatch(new RegExp(`Contact: <sip:alice@127\\.0\\.0\\.1:${p.probe.port}>;expires=120`));
    await p.clock.advance(100);
    expect(sipStatus(p.a).bindings).toBe(1);
    expect(sipStatus(p.b).bindings).toBe(1);
    expect(sipStatus(p.b).replication.inSync).toBe(true);

    // an INVITE for alice is redirected to her contact
    const invite = register(p.probe, p.ports.a, 'x').replace(/^REGISTER sip:[^ ]+/, 'INVITE sip:alice@127.0.0.1').replace(/CSeq: (\d+) REGISTER/, 'CSeq: $1 INVITE');
    p.probe.send(p.ports.a, invite);
    const redirect = await p.probe.next();
    expect(statusOf(redirect)).toBe(302);
    expect(redirect).toContain(`Contact: <sip:alice@127.0.0.1:${p.probe.port}>`);

    await p.clock.advance(119_000);
    expect(sipStatus(p.a).bindings).toBe(1);
    await p.clock.advance(1_000);
    expect(sipStatus(p.a).bindings).toBe(0);
    expect(sipStatus(p.b).bindings).toBe(0);
    p.probe.send(p.ports.a, invite.replace(/branch=[^;\r\n]+/, 'branch=z9hG4bK-after'));
    expect(statusOf(await p.probe.next())).toBe(404);
  });

  it("keeps every expiry when the host's wall clock is stepped while it runs: back 1939 s, then forward 2 h", async () => {
    const p = track(await pair());
    const expiriesOf = async (user: string) => {
      p.probe.send(p.ports.a, register(p.probe, p.ports.a, user, undefined, false));
      const answer = await p.probe.next();
      expect(statusOf(answer)).toBe(200);
      return [...answer.matchAll(/;expires=(\d+)/g)].map((m) => Number(m[1]));
    };
    p.probe.send(p.ports.a, register(p.probe, p.ports.a, 'alice', 3600));
    expect(statusOf(await p.probe.next())).toBe(200);
    p.clock.stepWall(-1_939_000);
    p.probe.send(p.ports.a, register(p.probe, p.ports.a, 'bob', 3600));
    expect(statusOf(await p.probe.next())).toBe(200);
    p.clock.stepWall(1_939_000 + 7_200_000);
    await p.clock.advance(10_000);
    // Each expiry is what it was granted, less the 10 s that really passed: not 1939 s less, not expired.
    expect(await expiriesOf('alice')).toEqual([3590]);
    expect(await expiriesOf('bob')).toEqual([3590]);
    expect(sipStatus(p.a).bindings).toBe(2);
    expect(sipStatus(p.b).bindings).toBe(2);
  });

  it('in sync mode answers REGISTER only after the backup acknowledged, and falls back to async when it does not answer', async () => {
    const p = track(await pair({ replication: { mode: 'sync', syncTimeout: 0.5 } }));
    p.probe.send(p.ports.a, register(p.probe, p.ports.a, 'bob', 300));
    expect(statusOf(await p.probe.next(2_000, () => p.clock.advance(10)))).toBe(200);
    expect(sipStatus(p.b).bindings).toBe(1);

    p.chA.disconnect();
    p.probe.send(p.ports.a, register(p.probe, p.ports.a, 'carol', 300));
    // nothing before the sync timeout …
    await expect(p.probe.next(300)).rejects.toThrow(/no SIP answer/);
    // … then the answer, with the fallback event
    await p.clock.advance(600);
    expect(statusOf(await p.probe.next())).toBe(200);
    expect(p.a.eventIds()).toContain(SipEvent.ReplicationSyncFallback);
    p.chA.connect();
    await p.clock.advance(100);
    expect(sipStatus(p.b).bindings).toBe(2);
  });

  it('rejects a node without a sip section and bad options with key paths', () => {
    expect(() => createTestNode({ plugins: [[sipPlugin, {}]] })).toThrow(/nodes\[0\]\.sip/);
    let error: SwitchyardError | undefined;
    try {
      createTestNode({ plugins: [[sipPlugin, { replication: { mode: 'eventual' } }]], nodeOptions: { sip: { port: 5060 } } });
    } catch (e) {
      error = e as SwitchyardError;
    }
    // The form `switchyard validate` prints: one ConfigInvalidError, each issue with its key path and code.
    expect(error?.code).toBe('SWY_ERR_CONFIG_INVALID');
    expect(error?.message).toMatch(/Key "plugins\.sip\.replication\.mode": .* \[SWY_ERR_PLUGIN_OPTIONS\]/);
  });
});
