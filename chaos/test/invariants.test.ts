import {
  doublePrimaries,
  doublePrimaryViolations,
  findLeaks,
  longestOutage,
  lostRegistrations,
  servingSpans,
  withHeldRepliesAtSendTime,
  withoutInFlightAcrossFreezes,
  type ProbeAnswer,
  type ResourceSnapshot,
} from '@switchyard/lab';
import { describe, expect, it } from 'vitest';
import { boundsFor, outageBound } from '../src/bounds';

const A = '198.51.100.1:5060';
const B = '198.51.100.2:5060';
const VIP = '198.51.100.100:5060';
const NODES = { 'sip-a': A, 'sip-b': B };

/** Answers every 10 ms from `from` to `to` (exclusive) with one status. */
function series(target: string, from: number, to: number, status: number, step = 10): ProbeAnswer[] {
  const out: ProbeAnswer[] = [];
  for (let at = from; at < to; at += step) out.push({ at, target, status });
  return out;
}

/** A switchover recorded by a prober: A primary until `aStops`, B primary from `bStarts`. */
function switchover(aStops: number, bStarts: number): ProbeAnswer[] {
  return [
    ...series(A, 0, aStops, 200),
    ...series(A, aStops, 3000, 503),
    ...series(B, 0, bStarts, 503),
    ...series(B, bStarts, 3000, 200),
  ];
}

describe('the double-primary checker on recorded probe data', () => {
  const bound = 15;
  const silence = 1000;

  it('a clean switchover (A stops, then B starts) is no double primary', () => {
    const answers = switchover(1000, 1500);
    expect(doublePrimaries(answers, NODES, silence)).toEqual([]);
    expect(doublePrimaryViolations(answers, NODES, bound, silence)).toEqual([]);
  });

  it('a window of both answering 200 longer than the bound is a violation, with its span', () => {
    const answers = switchover(1500, 1000); // both 200 from 1000 to 1490
    const v = doublePrimaryViolations(answers, NODES, bound, silence);
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ from: 1000, to: 1490, ms: 490, nodes: ['sip-a', 'sip-b'], shape: 'handoff' });
  });

  it('an overlap within the bound is not a violation, but is seen', () => {
    const answers = switchover(1010, 1000); // both 200 at 1000 only
    expect(doublePrimaries(answers, NODES, silence)).toEqual([{ from: 1000, to: 1000, ms: 0, nodes: ['sip-a', 'sip-b'], shape: 'handoff' }]);
    expect(doublePrimaryViolations(answers, NODES, bound, silence)).toEqual([]);
  });

  it('a stale node answering 200 while the other serves before and after it is a violation, however short', () => {
    // B primary throughout; A, just back from a cut, answers 200 twice, 8 ms apart, then 503 again.
    const answers = [
      ...series(B, 0, 2000, 200),
      ...series(A, 0, 1000, 503),
      { at: 1001, target: A, status: 200 },
      { at: 1009, target: A, status: 200 },
      ...series(A, 1020, 2000, 503),
    ];
    const v = doublePrimaryViolations(answers, NODES, bound, silence);
    expect(v).toEqual([{ from: 1001, to: 1009, ms: 8, nodes: ['sip-a', 'sip-b'], shape: 'inside' }]);
  });

  it('a frozen primary: a 200 in flight across the freeze is the documented exception; a 200 to a request sent while frozen is a violation', () => {
    // A frozen at 1000, B primary from 1800, A thawed at 2000 and answers the requests it holds.
    const base = [...series(A, 0, 1000, 200), ...series(B, 0, 1800, 503), ...series(B, 1800, 3000, 200), ...series(A, 2030, 3000, 503)];
    const freezes = [{ target: A, frozenAt: 1000, thawedAt: 2000 }];
    const inFlight = { at: 2001, sentAt: 999, target: A, status: 200 };
    expect(doublePrimaryViolations([...base, inFlight], NODES, bound, silence)).toHaveLength(1);
    expect(doublePrimaryViolations(withoutInFlightAcrossFreezes([...base, inFlight], freezes), NODES, bound, silence)).toEqual([]);
    const sentWhileFrozen = { at: 2002, sentAt: 1500, target: A, status: 200 };
    expect(doublePrimaryViolations(withoutInFlightAcrossFreezes([...base, sentWhileFrozen], freezes), NODES, bound, silence)).toHaveLength(1);
  });

  it("a cut primary's last 200s, held by the network and delivered after the link is back, count when they were sent; a thawed node's do not move", () => {
    // A primary until its host is cut at 1000 (it steps down at 1030); B primary from 2500; the link back at 2800
    // delivers A's reply to a request sent at 995, queued since.
    const base = [...series(A, 0, 1000, 200), ...series(B, 0, 2500, 503), ...series(B, 2500, 4000, 200)];
    const held = { at: 2810, sentAt: 995, target: A, status: 200 };
    expect(doublePrimaryViolations([...base, held], NODES, bound, silence)).toHaveLength(1);
    expect(doublePrimaryViolations(withHeldRepliesAtSendTime([...base, held], 500, []), NODES, bound, silence)).toEqual([]);
    // The same late 200 from a node that was frozen meanwhile keeps its arrival time: still a violation.
    const frozen = [{ target: A, frozenAt: 1000, thawedAt: 2800 }];
    expect(withHeldRepliesAtSendTime([held], 500, frozen)).toEqual([held]);
    // A 200 with an ordinary round trip is never moved: a second primary answering at once is still seen.
    const prompt = { at: 3001, sentAt: 3000, target: A, status: 200 };
    expect(doublePrimaryViolations(withHeldRepliesAtSendTime([...base, prompt], 500, []), NODES, bound, silence)).toHaveLength(1);
  });

  it('answers of a prober inside the cut host count: a cut primary still serving after the takeover is a violation', () => {
    const outside = [...series(A, 0, 1000, 200), ...series(B, 0, 2500, 503), ...series(B, 2500, 4000, 200)];
    const inside = series(A, 1000, 2600, 200); // the client no longer sees A; the host's own prober does
    const v = doublePrimaryViolations([...outside, ...inside], NODES, bound, silence);
    expect(v).toHaveLength(1);
    expect(v[0]!.ms).toBe(2590 - 2500);
  });

  it('a node silent longer than maxSilence is not counted as serving across the silence (a frozen node)', () => {
    const answers = [{ at: 0, target: A, status: 200 }, { at: 3000, target: A, status: 200 }, ...series(B, 1000, 2000, 200)];
    expect(servingSpans(answers, A, silence)).toEqual([{ from: 0, to: 0 }, { from: 3000, to: 3000 }]);
    expect(doublePrimaryViolations(answers, NODES, bound, silence)).toEqual([]);
    // With a longer tolerated silence, the same data is an overlap.
    expect(doublePrimaryViolations(answers, NODES, bound, 5000)).toHaveLength(1);
  });
});

describe('the VIP outage checker', () => {
  it('measures the longest silence between 200s from the last one before the fault', () => {
    const answers = [...series(VIP, 0, 1000, 200), ...series(VIP, 3500, 5000, 200)];
    expect(longestOutage(answers, VIP, { from: 1200, to: 5000 })).toEqual({ from: 990, to: 3500, ms: 2510 });
  });

  it('counts an outage that lasts to the end of the window', () => {
    expect(longestOutage(series(VIP, 0, 1000, 200), VIP, { from: 500, to: 4000 })).toEqual({ from: 990, to: 4000, ms: 3010 });
  });

  it('503s are no service', () => {
    const answers = [...series(VIP, 0, 1000, 200), ...series(VIP, 1000, 2000, 503), ...series(VIP, 2000, 3000, 200)];
    expect(longestOutage(answers, VIP, { from: 0, to: 3000 })?.ms).toBe(1010);
  });

  it('the bounds follow the config: failover leaseTtl + 1 s for the primary, no outage for the backup and etcd', () => {
    const b = boundsFor({ leaseTtl: 2, probeIntervalMs: 15, vipCheckInterval: 0.5, vipAttempts: 3 });
    expect(outageBound(b, 'kill', 'primary')).toBe(3000);
    expect(outageBound(b, 'cut-host', 'backup')).toBe(500);
    expect(outageBound(b, 'etcd-all', undefined)).toBe(500);
    expect(outageBound(b, 'vip-removed', undefined)).toBe(4500);
    expect(b.doublePrimaryMs).toBe(15);
  });
});

describe('the registration checker', () => {
  const acked = [
    { user: 'u1', at: 10_000, expires: 3600 },
    { user: 'u2', at: 20_000, expires: 3600 },
    { user: 'u3', at: 30_000, expires: 3600 },
    { user: 'u4', at: 40_000, expires: 3600 },
  ];
  const queriedAt = 100_000;

  it('finds nothing lost when every user is there with its expiry', () => {
    const found = new Map(acked.map((a) => [a.user, { user: a.user, status: 200, expires: [3600 - Math.ceil((queriedAt - a.at) / 1000)] }]));
    expect(lostRegistrations(acked, found, queriedAt, 2)).toEqual([]);
  });

  it('a missing user, an unanswered query and a shortened expiry are each lost', () => {
    const found = new Map([
      ['u1', { user: 'u1', status: 200, expires: [3510] }],
      ['u2', { user: 'u2', status: 200, expires: [] }],
      ['u3', { user: 'u3', status: 0, expires: [] }],
      ['u4', { user: 'u4', status: 200, expires: [60] }],
    ]);
    expect(lostRegistrations(acked, found, queriedAt, 2).map((l) => [l.user, l.reason])).toEqual([
      ['u2', 'missing'],
      ['u3', 'unanswered'],
      ['u4', 'expiry'],
    ]);
  });
});

describe('the leak checker', () => {
  const before: ResourceSnapshot = { namespaces: ['other'], addresses: ['eth0 192.0.2.2/24'], fds: ['/dev/null', 'pipe:[1]'], children: [], mounts: ['/', '/run/netns', '/run/netns/other'] };

  it("finds the run's own namespaces, their mounts, root addresses, children and fds left behind", () => {
    const after: ResourceSnapshot = {
      namespaces: ['other', 'sy12-h1', 'syff-h1'],
      addresses: ['eth0 192.0.2.2/24', 'eth0 198.51.100.100/24'],
      fds: ['/dev/null', 'pipe:[1]', 'socket:[9]', 'socket:[10]', 'socket:[11]'],
      children: [4242],
      mounts: ['/', '/run/netns', '/run/netns/other', '/run/netns/sy12-h1', '/run/netns/syff-h1'],
    };
    const leaks = findLeaks(before, after, { fdSlack: 2, namespaces: ['sy12-h1', 'sy12-h2'] }).map((l) => `${l.kind} ${l.what}`);
    expect(leaks).toEqual([
      'namespace sy12-h1',
      'address eth0 198.51.100.100/24',
      'mount /run/netns/sy12-h1',
      'process child pid 4242',
      'fd socket:[9]',
      'fd socket:[10]',
      'fd socket:[11]',
    ]);
  });

  it("nothing left: no leak (another lab's namespace and a few lazily opened fds do not count)", () => {
    const after = { ...before, namespaces: ['other', 'syff-h1'], mounts: [...before.mounts, '/run/netns/syff-h1'], fds: [...before.fds, 'anon_inode:[eventpoll]'] };
    expect(findLeaks(before, after, { fdSlack: 2, namespaces: ['sy12-h1'] })).toEqual([]);
  });
});
