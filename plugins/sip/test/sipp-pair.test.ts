import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  assertBuilt,
  clusterStatus,
  hasTool,
  startUp,
  waitFor,
  waitForPair,
  type UpProcess,
} from '@switchyard/sdk/testing';
import { runSipp, sipsakOptions } from './support/peers';
import { sipOf, writeSipPairConfig } from '../src/testing';

const USERS = 500;
const tools = hasTool('sipp') && hasTool('sipsak');

/**
 * The pair serves SIP to real peers: SIPp registers users on the primary,
 * the primary is killed, and the new primary answers for every binding.
 */
describe.skipIf(!tools)('SIP pair with real peers (SIPp, sipsak)', () => {
  let up: UpProcess | undefined;
  beforeAll(() => assertBuilt());
  afterEach(async () => {
    expect(await up?.stop()).toBe(0);
    up = undefined;
  });

  it(`keeps ${USERS} SIPp registrations across kill -9 of the primary; the backup answers 503`, async () => {
    const pair = await writeSipPairConfig();
    up = startUp(pair.file);
    const first = await waitForPair(pair.file);
    const primaryPort = pair.ports[first.primary.id as 'sip-a' | 'sip-b'];
    const backupPort = pair.ports[first.backup.id as 'sip-a' | 'sip-b'];
    await waitFor(async () => {
      const v = await clusterStatus(pair.file);
      return v.nodes.every((n) => sipOf(n)?.listening) ? v : undefined;
    }, 10_000, 'both SIP listeners');

    // sipsak: 200 from the primary, 503 from the backup
    expect((await sipsakOptions(primaryPort)).status).toBe(200);
    const fromBackup = await sipsakOptions(backupPort);
    expect(fromBackup.status, fromBackup.output).toBe(503);

    const register = await runSipp('register.xml', primaryPort, { calls: USERS, rate: 250, dir: pair.dir });
    expect(register.code, register.stdout + register.stderr).toBe(0);

    // every acknowledged binding reaches the backup
    await waitFor(async () => {
      const backup = (await clusterStatus(pair.file)).nodes.find((n) => n.id === first.backup.id);
      return sipOf(backup)?.bindings === USERS && sipOf(backup)?.replication.inSync ? true : undefined;
    }, 10_000, `${USERS} bindings on the backup`);

    process.kill(first.primary.pid!, 'SIGKILL');
    const after = await waitForPair(pair.file, first.primary.term + 1);
    expect(after.primary.id).toBe(first.backup.id);

    const query = await runSipp('query.xml', backupPort, { calls: USERS, rate: 250, dir: pair.dir, traceMessages: true });
    expect(query.code, query.stdout + query.stderr).toBe(0);
    const found = new Map<number, number>();
    for (const m of query.messages().matchAll(/Contact:\s*<sip:user(\d+)@127\.0\.0\.1:\d+[^>]*>;expires=(\d+)/g)) {
      found.set(Number(m[1]), Number(m[2]));
    }
    expect(found.size).toBe(USERS);
    for (const [, expires] of found) {
      expect(expires).toBeGreaterThan(3500);
      expect(expires).toBeLessThanOrEqual(3600);
    }

    // the old primary is back as backup and answers 503
    await waitFor(async () => ((await sipsakOptions(primaryPort)).status === 503 ? true : undefined), 15_000, 'the restarted node to answer 503');
    expect((await sipsakOptions(backupPort)).status).toBe(200);
  });
});
