import type { SwitchyardError, TestNode } from '@switchyard/sdk';
import { createTestNode, ManualClock } from '@switchyard/sdk';
import { freePort } from '@switchyard/sdk/testing';
import { afterEach, describe, expect, it } from 'vitest';
import sipPlugin, { SipEvent, sipOptionsSchema, type SipStatus } from '../src/index';
import { holdUdp, releaseUdp } from '../src/testing';
import { sipTestPair } from './support/test-pair';
import { options, statusOf } from './support/udp-client';

const sipStatus = (node: TestNode) => node.engine.report().sip as SipStatus;

/**
 * Moves virtual time in `step` ms steps, letting real socket I/O run between
 * them, until `condition` holds; fails after `realMs` of real time.
 */
async function until(clock: ManualClock, condition: () => boolean, what: string, step = 2, realMs = 5_000): Promise<void> {
  const deadline = Date.now() + realMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await clock.advance(step);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

describe('the public SIP address (plugins.sip.public) in test nodes', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  async function publicPair(sip: Record<string, unknown> = {}) {
    const port = await freePort();
    const p = await sipTestPair({ public: { host: '127.0.0.1', port }, ...sip });
    cleanup.push(() => p.b.stop(), () => p.a.stop(), () => p.probe.close());
    return { ...p, publicPort: port };
  }

  it('only the primary holds it; a demoted primary lets it go at once and the new primary takes it, answering 200 through it', async () => {
    const p = await publicPair();
    await until(p.clock, () => sipStatus(p.a).public?.held === true, 'node-a to hold the public address');
    expect(sipStatus(p.b).public).toEqual({ host: '127.0.0.1', port: p.publicPort, held: false });
    p.probe.send(p.publicPort, options(p.probe, p.publicPort));
    expect(statusOf(await p.probe.next())).toBe(200);
    expect(p.a.eventIds()).toContain(SipEvent.PublicAddressHeld);

    // The new primary is ordered first, as a manual switchover may deliver it: it retries quietly until the old one lets go.
    await p.b.order('primary', 2);
    const ordered = p.clock.monotonic();
    await until(p.clock, () => p.clock.monotonic() >= ordered + 20, 'node-b to retry a few times');
    expect(sipStatus(p.b).public?.held).toBe(false);
    expect(sipStatus(p.a).public?.held).toBe(true);
    await p.a.order('backup', 2);
    expect(sipStatus(p.a).public?.held).toBe(false);
    expect(p.a.eventIds()).toContain(SipEvent.PublicAddressReleased);
    await until(p.clock, () => sipStatus(p.b).public?.held === true, 'node-b to take the public address');
    p.probe.send(p.publicPort, options(p.probe, p.publicPort));
    expect(statusOf(await p.probe.next())).toBe(200);
    expect(p.b.eventIds()).not.toContain(SipEvent.ListenerBindFailed);
    // each node's own port still answers by role
    p.probe.send(p.ports.a, options(p.probe, p.ports.a));
    expect(statusOf(await p.probe.next())).toBe(503);
  });

  it('held by another program past the 2-s takeover window: 00-04200 with the reason, the role handed over, and the address taken once it is free', async () => {
    const port = await freePort();
    const blocker = await holdUdp(port);
    let blocked = true;
    cleanup.push(async () => {
      if (blocked) await releaseUdp(blocker);
    });
    const p = await sipTestPair({ public: { host: '127.0.0.1', port }, bindRetryInterval: 1 });
    cleanup.push(() => p.b.stop(), () => p.a.stop(), () => p.probe.close());
    const failures = () => p.a.events.filter((e) => e.id === SipEvent.ListenerBindFailed);

    await until(p.clock, () => p.clock.monotonic() >= 1_900, 'the takeover window to nearly pass', 50);
    expect(failures()).toHaveLength(0);
    await until(p.clock, () => failures().length >= 1, 'a 00-04200 for the public address', 50);
    expect(failures()[0]!.message).toBe(
      `Cannot open SIP listening port 127.0.0.1:${port}/udp (EADDRINUSE), the pair's public address, which only the primary holds: ` +
        'another socket holds it: the old primary has not released it (a frozen one is killed only with arbiter.fence) or another program uses that port; retrying every 1s',
    );
    // its own port serves meanwhile: the node stays a running primary
    expect(sipStatus(p.a)).toMatchObject({ listening: true, public: { held: false } });
    // The alternation rule: having held the role at least a retry interval without the address, it hands the role over.
    await until(p.clock, () => p.a.switchoverRequests.length === 1, 'node-a to give the primary role away', 50);
    expect(failures().length).toBeGreaterThanOrEqual(1);
    expect(p.a.switchoverRequests[0]!.reason).toMatch(
      new RegExp(`^SIP public address 127\\.0\\.0\\.1:${port} cannot be opened; whether the backup could open it is only known once it is primary; alternating every 1s until one binds`),
    );
    expect(p.a.engine.role).toBe('backup');

    blocked = false;
    await releaseUdp(blocker);
    await p.a.order('primary');
    await until(p.clock, () => sipStatus(p.a).public?.held === true, 'node-a to take the public address once free', 50);
    expect(p.a.eventIds()).toContain(SipEvent.PublicAddressHeld);
  });

  it('refuses a public address that is not an IP address of this host, or that is a node’s own SIP address', async () => {
    const invalid = sipOptionsSchema.safeParse({ public: { host: '0.0.0.0', port: 5060 } });
    expect(invalid.success).toBe(false);
    expect(JSON.stringify(invalid.error?.issues)).toMatch(/public\.host must be an IPv4 or IPv6 address of this host, not a name or a wildcard/);
    expect(sipOptionsSchema.safeParse({ public: { host: 'sip.example.com', port: 5060 } }).success).toBe(false);

    const port = await freePort();
    let error: SwitchyardError | undefined;
    const node = createTestNode({
      nodeId: 'node-a',
      clock: new ManualClock(),
      plugins: [[sipPlugin, { persistence: { enabled: false }, public: { host: '127.0.0.1', port } }]],
      nodeOptions: { sip: { port } },
    });
    try {
      await node.start();
    } catch (e) {
      error = e as SwitchyardError;
    } finally {
      await node.stop();
    }
    expect(error).toBeDefined();
    expect(`${error?.message} ${String((error?.cause as Error | undefined)?.message ?? '')}`).toMatch(/is node node-a's own SIP address/);
  });
});
