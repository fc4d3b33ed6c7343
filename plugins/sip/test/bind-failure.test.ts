import dgram from 'node:dgram';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { assertBuilt, clusterStatus, readNodeLog, startUp, waitFor, waitForPair, type UpProcess } from '@switchyard/sdk/testing';
import { holdUdp, releaseUdp, sipOf, writeSipPairConfig } from '../src/testing';

const release = releaseUdp;

/**
 * The listener-bind critical condition (00-04200): a node that cannot open
 * its SIP port stays running, retries, and the pair moves the primary role
 * to a node that can listen.
 */
describe('SIP listener bind failure (real processes)', () => {
  let up: UpProcess | undefined;
  const held: dgram.Socket[] = [];
  beforeAll(() => assertBuilt());
  afterEach(async () => {
    await Promise.all(held.splice(0).map(release));
    expect(await up?.stop()).toBe(0);
    up = undefined;
  });

  it('logs 00-04200, stays running, hands the primary role to the backup that can listen, and binds once the port is free', async () => {
    const pair = await writeSipPairConfig();
    const blocker = await holdUdp(pair.ports['sip-a']);
    held.push(blocker);
    up = startUp(pair.file);

    // sip-a has the higher priority, so it is primary first; it cannot listen, sip-b can: switchover
    const moved = await waitForPair(pair.file, 2);
    expect(moved.primary.id).toBe('sip-b');
    const a = moved.view.nodes.find((n) => n.id === 'sip-a')!;
    expect(a.status).toBe('running');
    expect(sipOf(a)?.listening).toBe(false);
    expect(up.output()).toMatch(new RegExp(`00-04200 Cannot open SIP listening port 127\\.0\\.0\\.1:${pair.ports['sip-a']}/udp \\(EADDRINUSE\\)`));
    expect(up.output()).toMatch(/01-10010 Switchover: sip-b is primary, sip-a is backup \(term 2\): requested by sip-a\/sip: SIP port .* cannot be opened/);

    held.splice(0);
    await release(blocker);
    await waitFor(async () => (sipOf((await clusterStatus(pair.file)).nodes.find((n) => n.id === 'sip-a'))?.listening ? true : undefined), 5_000, 'sip-a to bind');
    const recovered = readNodeLog(path.join(pair.dir, '.switchyard'), 'sip-a').find((l) => l.eventId === '00-04202');
    expect(recovered?.message).toMatch(/SIP listening port 127\.0\.0\.1:\d+ opened after [1-9]\d* failed attempts/);
    expect(recovered).toMatchObject({ node: 'sip-a', term: 2 });
    const settled = await clusterStatus(pair.file);
    expect(settled.arbiter.primary).toBe('sip-b');
    expect(settled.arbiter.term).toBe(2);
  });

  it('alternates the primary role while neither node can bind, and the node that binds keeps it', async () => {
    const pair = await writeSipPairConfig({ sip: { bindRetryInterval: 0.3 } });
    held.push(await holdUdp(pair.ports['sip-a']), await holdUdp(pair.ports['sip-b']));
    up = startUp(pair.file);
    await waitForPair(pair.file);

    const primaries: string[] = [];
    await waitFor(
      async () => {
        const v = await clusterStatus(pair.file);
        if (v.arbiter.primary && primaries.at(-1) !== v.arbiter.primary) primaries.push(v.arbiter.primary);
        return primaries.length >= 4 ? true : undefined;
      },
      // Each turn is a bind retry plus a switchover: about 2 s a turn on a loaded 2-core CI host.
      30_000,
      'the primary role to alternate',
    );
    expect(primaries.slice(0, 4)).toEqual(
      primaries[0] === 'sip-a' ? ['sip-a', 'sip-b', 'sip-a', 'sip-b'] : ['sip-b', 'sip-a', 'sip-b', 'sip-a'],
    );
    const v = await clusterStatus(pair.file);
    expect(v.nodes.every((n) => n.status === 'running')).toBe(true);

    // free sip-b's port only: sip-b binds, becomes primary and keeps it
    await release(held.splice(1, 1)[0]!);
    const stable = await waitFor(
      async () => {
        const s = await clusterStatus(pair.file);
        const b = s.nodes.find((n) => n.id === 'sip-b');
        return s.arbiter.primary === 'sip-b' && sipOf(b)?.listening ? s : undefined;
      },
      10_000,
      'sip-b to bind and be primary',
    );
    // well past several retry intervals, it is still primary at the same term
    await new Promise((r) => setTimeout(r, 1_500));
    const later = await clusterStatus(pair.file);
    expect(later.arbiter.primary).toBe('sip-b');
    expect(later.arbiter.term).toBe(stable.arbiter.term);
  });
});
