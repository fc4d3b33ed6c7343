import fs from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, clusterStatus, hasTool, isAlive, startUp, waitFor, waitForPair, type UpProcess } from '@switchyard/sdk/testing';
import { runSipp } from './support/peers';
import { sipOf, writeSipPairConfig } from '../src/testing';

const USERS = 600;
const RATE = 150; // REGISTERs a second: about 4 s of traffic, the freeze in the middle
const FREEZE_MS = 800;

/** Answers SIPp received, from its message trace: user number → answers (status, Retry-After), in order. */
function answers(trace: string, user: string): Map<number, Array<{ status: number; retryAfter?: number }>> {
  const byUser = new Map<number, Array<{ status: number; retryAfter?: number }>>();
  for (const block of trace.split(/message received \[\d+\] bytes :/).slice(1)) {
    const status = /^SIP\/2\.0 (\d{3})/m.exec(block);
    const to = new RegExp(`^To:.*sip:${user}(\\d+)@`, 'mi').exec(block);
    if (!status || !to) continue;
    const retryAfter = /^Retry-After:\s*(\d+)/mi.exec(block);
    const n = Number(to[1]);
    byUser.set(n, [...(byUser.get(n) ?? []), { status: Number(status[1]), ...(retryAfter ? { retryAfter: Number(retryAfter[1]) } : {}) }]);
  }
  return byUser;
}

/**
 * Issue 11, item 9, with real processes: in sync mode with onTimeout
 * 'reject', a REGISTER the backup has not acknowledged is never answered
 * 200. The backup is frozen (SIGSTOP) for 0.8 s while SIPp registers users
 * on the primary, then the primary is killed (SIGKILL): every user that got
 * 200 OK is found on the new primary.
 */
describe('sync replication with onTimeout reject: freeze the backup, kill the primary (real processes, SIPp)', () => {
  let up: UpProcess | undefined;
  let frozen: number | undefined;
  let dir: string | undefined;
  let sipp: Promise<unknown> | undefined;
  beforeAll(() => {
    assertBuilt();
    // A real peer is the point of this test: without SIPp it fails rather than passing vacuously.
    if (!hasTool('sipp')) throw new Error('sipp is required (Debian package sip-tester)');
  });
  afterEach(async () => {
    try {
      if (frozen !== undefined && isAlive(frozen)) process.kill(frozen, 'SIGCONT');
      frozen = undefined;
      expect(await up?.stop()).toBe(0);
    } finally {
      up = undefined;
      await sipp?.catch(() => undefined); // bounded by its own timeout
      sipp = undefined;
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
      dir = undefined;
    }
  });

  it('loses no binding that was answered 200 OK; those the backup did not acknowledge get 500 with Retry-After', async () => {
    const pair = await writeSipPairConfig({ sip: { retryAfter: 1, replication: { mode: 'sync', syncTimeout: 0.5, onTimeout: 'reject' } } });
    dir = pair.dir;
    up = startUp(pair.file);
    const first = await waitForPair(pair.file);
    const ports = pair.ports as Record<string, number>;
    await waitFor(async () => ((await clusterStatus(pair.file)).nodes.every((n) => sipOf(n)?.listening) ? true : undefined), 10_000, 'both SIP listeners');

    const registering = runSipp('register.xml', ports[first.primary.id]!, {
      calls: USERS,
      rate: RATE,
      dir: pair.dir,
      user: 'reg',
      traceMessages: true,
      timeoutMs: 40_000,
    });
    sipp = registering;
    // Registrations are flowing and replicated: freeze the backup now.
    await waitFor(async () => {
      const backup = (await clusterStatus(pair.file)).nodes.find((n) => n.id === first.backup.id);
      return (sipOf(backup)?.bindings ?? 0) >= 100 ? true : undefined;
    }, 15_000, 'the first 100 bindings on the backup');
    frozen = first.backup.pid!;
    process.kill(frozen, 'SIGSTOP');
    await new Promise((resolve) => setTimeout(resolve, FREEZE_MS)); // the freeze itself is the scenario
    process.kill(first.primary.pid!, 'SIGKILL');
    process.kill(frozen, 'SIGCONT');
    frozen = undefined;

    const run = await registering; // calls answered 500, or unanswered after the kill, fail: SIPp exits non-zero
    const registered = answers(run.messages(), 'reg');
    // Any 200, even after another answer to a retransmission, counts as accepted.
    const accepted = [...registered].filter(([, got]) => got.some((a) => a.status === 200)).map(([n]) => n);
    const refused = [...registered].filter(([, got]) => got.some((a) => a.status === 500 && a.retryAfter === 1)).map(([n]) => n);
    expect(accepted.length, run.stdout + run.stderr).toBeGreaterThanOrEqual(100);
    // The freeze did bite: REGISTERs the backup could not acknowledge were refused, with Retry-After.
    expect(refused.length).toBeGreaterThan(0);

    const after = await waitForPair(pair.file, first.primary.term + 1, 20_000);
    expect(after.primary.id).toBe(first.backup.id);
    const query = await runSipp('query.xml', ports[after.primary.id]!, {
      calls: USERS,
      rate: 300,
      dir: pair.dir,
      user: 'reg',
      traceMessages: true,
      timeoutMs: 40_000,
    });
    const found = new Set([...query.messages().matchAll(/Contact:\s*<sip:reg(\d+)@127\.0\.0\.1:\d+[^>]*>;expires=\d+/g)].map((m) => Number(m[1])));
    const lost = accepted.filter((n) => !found.has(n));
    expect(lost, `${lost.length} of ${accepted.length} bindings answered 200 OK are missing on the new primary`).toEqual([]);
  });
});
