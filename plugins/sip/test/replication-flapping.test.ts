import fs from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, clusterStatus, hasTool, isAlive, runCli, startUp, waitFor, waitForPair, type UpProcess } from '@switchyard/sdk/testing';
import { runSipp, type SippRun } from './support/peers';
import { sipOf, writeSipPairConfig, type SipPairConfig } from '../src/testing';

const USERS = 800; // per SIPp instance, one instance per node
const RATE = 80; // REGISTERs a second: traffic for the whole flapping (about 10 s)

/** Users (`<prefix><n>`) whose contacts the node at `port` lists, from SIPp's query trace. */
async function registeredOn(pair: SipPairConfig, port: number, prefix: string): Promise<Set<string>> {
  const query = await runSipp('query.xml', port, { calls: USERS, rate: 800, dir: pair.dir, user: prefix, traceMessages: true, timeoutMs: 30_000 });
  const users = [...query.messages().matchAll(new RegExp(`Contact:\\s*<sip:(${prefix}\\d+)@`, 'g'))].map((m) => m[1]!);
  fs.rmSync(`${pair.dir}/${prefix}-query.xml.messages.log`, { force: true }); // the next query writes a fresh trace
  return new Set(users);
}

/**
 * Issue 11, item 10, with real processes: REGISTERs arrive at both nodes
 * while the roles flap (manual switchovers, and a primary frozen past its
 * heartbeats). Afterwards both nodes report in sync with the same number of
 * bindings within seconds, and the backup's set is the primary's: after one
 * more switchover the new primary lists exactly the users the old one did.
 */
describe('replication after flapping switchovers (real processes, SIPp)', () => {
  let up: UpProcess | undefined;
  let frozen: number | undefined;
  let dir: string | undefined;
  let sipps: Promise<SippRun>[] = [];
  beforeAll(() => {
    assertBuilt();
    if (!hasTool('sipp')) throw new Error('sipp is required (Debian package sip-tester)');
  });
  afterEach(async () => {
    try {
      if (frozen !== undefined && isAlive(frozen)) process.kill(frozen, 'SIGCONT');
      frozen = undefined;
      expect(await up?.stop()).toBe(0);
    } finally {
      up = undefined;
      await Promise.allSettled(sipps); // each bounded by its own timeout
      sipps = [];
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
      dir = undefined;
    }
  });

  it('converges to the primary’s exact binding set, both in sync, after the flapping stops', async () => {
    const pair = await writeSipPairConfig();
    dir = pair.dir;
    up = startUp(pair.file);
    let current = await waitForPair(pair.file);
    await waitFor(async () => ((await clusterStatus(pair.file)).nodes.every((n) => sipOf(n)?.listening) ? true : undefined), 10_000, 'both SIP listeners');

    // One SIPp a node: whichever is primary at the moment registers its users; the other answers 503.
    sipps = (['sip-a', 'sip-b'] as const).map((id) =>
      runSipp('register.xml', pair.ports[id], { calls: USERS, rate: RATE, dir: pair.dir, user: `${id.slice(-1)}u`, timeoutMs: 30_000 }),
    );
    for (let flap = 0; flap < 4; flap++) {
      await waitFor(async () => {
        const s = await clusterStatus(pair.file);
        return s.nodes.every((n) => (sipOf(n)?.bindings ?? 0) >= 60 * (flap + 1)) ? true : undefined;
      }, 15_000, `registrations before flap ${flap + 1}`);
      if (flap === 2) {
        // The primary misses its heartbeats: the arbiter switches over; thawed, it comes back as backup.
        frozen = current.primary.pid!;
        process.kill(frozen, 'SIGSTOP');
        await waitFor(async () => ((await clusterStatus(pair.file)).arbiter.primary === current.backup.id ? true : undefined), 10_000, 'the switchover');
        process.kill(frozen, 'SIGCONT');
        frozen = undefined;
      } else {
        const r = await runCli(['switchover', '--config', pair.file, '--reason', `flap ${flap + 1}`]);
        expect(r.code, r.stderr).toBe(0);
      }
      current = await waitForPair(pair.file, current.primary.term + 1);
    }
    await Promise.allSettled(sipps); // calls answered 503 by the backup fail: SIPp exits non-zero

    const settled = await waitFor(async () => {
      const s = await clusterStatus(pair.file);
      const [x, y] = s.nodes.map((n) => sipOf(n));
      return s.nodes.every((n) => n.status === 'running') && x?.replication.inSync && y?.replication.inSync && x.bindings === y.bindings
        ? { view: s, bindings: x.bindings }
        : undefined;
    }, 10_000, 'both nodes in sync with the same number of bindings');
    expect(settled.bindings).toBeGreaterThan(240);

    current = await waitForPair(pair.file);
    const before = [...(await registeredOn(pair, pair.ports[current.primary.id as 'sip-a' | 'sip-b'], 'au')), ...(await registeredOn(pair, pair.ports[current.primary.id as 'sip-a' | 'sip-b'], 'bu'))].sort();
    expect(before).toHaveLength(settled.bindings);
    const r = await runCli(['switchover', '--config', pair.file, '--reason', 'check the backup’s copy']);
    expect(r.code, r.stderr).toBe(0);
    const after = await waitForPair(pair.file, current.primary.term + 1);
    const port = pair.ports[after.primary.id as 'sip-a' | 'sip-b'];
    const now = [...(await registeredOn(pair, port, 'au')), ...(await registeredOn(pair, port, 'bu'))].sort();
    expect(now).toEqual(before);
  });
});
