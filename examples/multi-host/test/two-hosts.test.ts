import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasTool, waitFor } from '@switchyard/sdk/testing';
import path from 'node:path';
import { LabPair, nodePid, SIP, type NodeId } from '@switchyard/lab';

const SCENARIOS = path.join(path.dirname(require.resolve('@switchyard/plugin-sip/package.json')), 'scenarios');
const scenario = (name: string) => path.join(SCENARIOS, name);

/**
 * A pair on two hosts (network namespaces of the lab), arbitrated by a real
 * three-member etcd, SIPp and a UDP OPTIONS prober as clients. The steps
 * run in order on one pair: each starts from the state the previous left.
 */
const canRun = process.getuid?.() === 0 && hasTool('ip') && hasTool('etcd') && hasTool('sipp');
if (process.env.CI === 'true' && process.getuid?.() !== 0) throw new Error('CI runs the two-host suite as root');

const USERS = 500;
const LEASE_TTL = 2;

describe.skipIf(!canRun)('a pair on two hosts with the etcd arbiter', () => {
  let pair: LabPair;
  let term = 0;
  let primary: NodeId = 'sip-a';
  let backup: NodeId = 'sip-b';

  beforeAll(async () => {
    pair = await LabPair.create({ etcdMembers: 3 });
    pair.startAgent('sip-a');
    pair.startAgent('sip-b');
  }, 60_000);

  afterAll(async () => {
    await pair?.destroy();
  }, 60_000);

  const roles = async (minTerm: number, timeoutMs: number, expected?: NodeId) => {
    const r = await pair.waitForRoles(minTerm, timeoutMs, expected);
    term = r.view.arbiter.term;
    primary = r.primary.id;
    backup = r.backup.id;
    return r;
  };

  it('elects the node of higher priority; status from the client shows both hosts and the etcd arbiter', async () => {
    const { view } = await roles(0, 30_000, 'sip-a');
    expect(view.arbiter).toMatchObject({ kind: 'etcd', primary: 'sip-a', connected: true });
    expect(view.nodes.map((n) => [n.id, n.role, n.status])).toEqual([
      ['sip-a', 'primary', 'running'],
      ['sip-b', 'backup', 'running'],
    ]);
    // The backup answers 503, the primary 200.
    const probe = pair.probe('client', '198.51.100.254', [SIP['sip-a'], SIP['sip-b']], 50, 1);
    await probe.proc.exited;
    expect(new Set(probe.answers.filter((a) => a.target === SIP['sip-a']).map((a) => a.status))).toEqual(new Set([200]));
    expect(new Set(probe.answers.filter((a) => a.target === SIP['sip-b']).map((a) => a.status))).toEqual(new Set([503]));
  }, 60_000);

  it(`keeps ${USERS} SIPp registrations across kill -9 of the primary's node; the restarted node rejoins as backup`, async () => {
    const reg = await pair.sipp(scenario('register.xml'), SIP[primary], USERS);
    expect(reg.code, pair.sippErrors('register.xml')).toBe(0);
    await waitFor(async () => {
      const v = await pair.status();
      const b = v?.nodes.find((n) => n.id === backup) as { sip?: { bindings?: number } } | undefined;
      return b?.sip?.bindings === USERS ? true : undefined;
    }, 15_000, `${USERS} bindings on the backup`);

    const before = (await pair.status())!;
    const old = primary;
    pair.lab.signal(nodePid(before, old), 'SIGKILL');
    const after = await roles(term, 10_000, backup);
    expect(after.primary.id).not.toBe(old);
    const newPrimary = after.view.nodes.find((n) => n.id === primary) as { sip?: { bindings?: number } } | undefined;
    expect(newPrimary?.sip?.bindings, 'bindings on the new primary').toBe(USERS);

    // The AORs were registered under the first primary's address (their domain); ask the new primary for them.
    const query = await pair.sipp(scenario('query.xml'), SIP[old], USERS, ['-rsa', SIP[primary], '-trace_msg', '-message_file', `${pair.dir}/query.messages.log`]);
    expect(query.code, pair.sippErrors('query.xml')).toBe(0);
    const trace = fs.readFileSync(`${pair.dir}/query.messages.log`, 'utf8');
    const found = new Set([...trace.matchAll(/Contact:\s*<sip:user(\d+)@198\.51\.100\.254:\d+[^>]*>;expires=(\d+)/g)].map((m) => m[1]));
    expect(found.size).toBe(USERS);

    // The agent restarted the killed node as backup.
    const rejoined = await waitFor(async () => {
      const v = await pair.status();
      const n = v?.nodes.find((x) => x.id === old);
      return n?.role === 'backup' && n.status === 'running' && n.restarts >= 1 ? n : undefined;
    }, 15_000, `${old} back as backup`);
    expect(rejoined.restarts).toBeGreaterThanOrEqual(1);
  }, 120_000);

  it('SIGSTOP of the primary: switchover within leaseTtl + 1 s; SIGCONT: it steps down without answering 200 in between', async () => {
    const view = (await pair.status())!;
    const frozen = primary;
    const pid = nodePid(view, frozen);
    const probe = pair.probe('client', '198.51.100.254', [SIP['sip-a'], SIP['sip-b']], 20, 12);
    await waitFor(() => (probe.answers.length > 10 ? true : undefined), 5_000, 'the prober answering');
    const stoppedAt = Date.now();
    const other = backup;
    pair.lab.signal(pid, 'SIGSTOP');
    let contAt = 0;
    try {
      // The frozen node is unresponsive, so only the new primary is awaited.
      const tookOver = await waitFor(
        () => probe.answers.find((a) => a.at > stoppedAt && a.target === SIP[other] && a.status === 200),
        (LEASE_TTL + 1) * 1000 + 3000,
        `${other} answering 200 as the new primary`,
      );
      expect(tookOver.at - stoppedAt).toBeLessThan((LEASE_TTL + 1) * 1000);
    } finally {
      contAt = Date.now();
      pair.lab.signal(pid, 'SIGCONT');
    }
    primary = other;
    backup = frozen;
    await waitFor(async () => {
      const v = await pair.status();
      const n = v?.nodes.find((x) => x.id === frozen);
      return n?.role === 'backup' && n.status === 'running' ? true : undefined;
    }, 10_000, `${frozen} back as backup`);
    await probe.proc.exited;
    const servedAfterThaw = probe.answers.filter((a) => a.target === SIP[frozen] && a.at >= contAt && a.status === 200);
    expect(servedAfterThaw, 'the thawed node never answered 200').toEqual([]);
    expect(probe.answers.some((a) => a.target === SIP[frozen] && a.at >= contAt && a.status === 503)).toBe(true);
  }, 60_000);

  it('link cut of the primary host: the other node takes over within leaseTtl + 1 s, the old one stops first, and rejoins as backup', async () => {
    const cutHostName = primary === 'sip-a' ? 'h1' : 'h2';
    const oldAddr = SIP[primary].split(':')[0]!;
    const inside = pair.probe(cutHostName, oldAddr, [SIP[primary]], 20, 10);
    const outside = pair.probe('client', '198.51.100.254', [SIP[backup]], 20, 10);
    await waitFor(() => (inside.answers.some((a) => a.status === 200) ? true : undefined), 5_000, 'the old primary answering inside its host');
    const old = primary;
    const cutAt = Date.now();
    await pair.lab.cutHost(cutHostName);
    const firstNew = await waitFor(
      () => outside.answers.find((a) => a.at > cutAt && a.status === 200),
      (LEASE_TTL + 1) * 1000 + 2000,
      'the other node answering 200',
    );
    expect(firstNew.at - cutAt).toBeLessThan((LEASE_TTL + 1) * 1000);
    await inside.proc.exited;
    await outside.proc.exited;
    const lastOld = [...inside.answers].reverse().find((a) => a.status === 200);
    expect(lastOld, 'the old primary answered before the cut').toBeDefined();
    // The documented bound: the isolated primary stops before the other can be elected (no overlap).
    expect(lastOld!.at, 'the old primary stopped before the new one answered').toBeLessThan(firstNew.at);
    expect(inside.answers.filter((a) => a.at > lastOld!.at).every((a) => a.status === 503)).toBe(true);

    await pair.lab.restoreHost(cutHostName);
    const after = await waitFor(async () => {
      const v = await pair.status();
      const n = v?.nodes.find((x) => x.id === old);
      const p = v?.nodes.find((x) => x.role === 'primary');
      return n?.role === 'backup' && n.status === 'running' && p && p.id !== old ? v : undefined;
    }, 20_000, `${old} back as backup`);
    term = after.arbiter.term;
    primary = after.arbiter.primary as NodeId;
    backup = old;
    // It caught up: the backup holds the new primary's bindings again.
    await waitFor(async () => {
      const v = await pair.status();
      const b = v?.nodes.find((n) => n.id === old) as { sip?: { bindings?: number } } | undefined;
      return b?.sip?.bindings === USERS ? true : undefined;
    }, 15_000, `${USERS} bindings caught up on ${old}`);
  }, 90_000);

  it('one etcd member killed, then all of etcd stopped: no role change and the primary keeps serving; etcd back: normal', async () => {
    const before = primary;
    const termBefore = (await pair.status())!.arbiter.term;
    const probe = pair.probe('client', '198.51.100.254', [SIP[primary]], 50, 20);
    // One member of three killed: quorum holds; longer than a lease TTL later, nothing has moved.
    await pair.lab.killEtcd(2);
    const killedAt = Date.now();
    await waitFor(() => (Date.now() - killedAt > (LEASE_TTL + 1) * 1000 ? true : undefined), 10_000, 'a lease TTL with one member down');
    const oneDown = (await pair.status())!;
    expect(oneDown.arbiter).toMatchObject({ primary: before, term: termBefore, connected: true });
    expect(oneDown.nodes.map((n) => [n.id, n.role, n.status]).sort()).toEqual(
      [[before, 'primary', 'running'], [backup, 'backup', 'running']].sort(),
    );
    // Then all of etcd.
    for (const m of [0, 1]) await pair.lab.stopEtcd(m);
    await waitFor(async () => {
      const v = await pair.status();
      return v && !v.arbiter.connected ? v : undefined;
    }, 10_000, 'the agents to notice etcd is gone');
    // Longer than the lease TTL without etcd: roles must hold.
    const silentFrom = Date.now();
    await waitFor(() => (Date.now() - silentFrom > (LEASE_TTL + 1) * 1000 ? true : undefined), 10_000, 'a lease TTL without etcd');
    const during = (await pair.status())!;
    expect(during.nodes.find((n) => n.role === 'primary')?.id).toBe(before);
    // A member alone has no quorum: start them together.
    await Promise.all([0, 1, 2].map((m) => pair.lab.startEtcd(m)));
    const back = await waitFor(async () => {
      const v = await pair.status();
      return v?.arbiter.connected && v.arbiter.primary ? v : undefined;
    }, 20_000, 'etcd reachable again');
    expect(back.nodes.find((n) => n.role === 'primary')?.id).toBe(before);
    await probe.proc.exited;
    const answers = probe.answers.filter((a) => a.at >= killedAt);
    expect(answers.length).toBeGreaterThan(40);
    expect(answers.every((a) => a.status === 200), 'the primary answered 200 throughout').toBe(true);
  }, 90_000);
});
