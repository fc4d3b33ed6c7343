import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, clusterStatus, hasTool, startUp, waitFor, waitForPair, type UpProcess } from '@switchyard/sdk/testing';
import { runSipp } from './support/peers';
import { sipOf, writeSipPairConfig } from '../src/testing';

const tools = hasTool('sipp');

describe.skipIf(!tools)('bindings survive a restart of both nodes (real processes, SIPp)', () => {
  let up: UpProcess | undefined;
  beforeAll(() => assertBuilt());
  afterEach(async () => {
    expect(await up?.stop()).toBe(0);
    up = undefined;
  });

  it('keeps unexpired bindings and drops expired ones', async () => {
    const pair = await writeSipPairConfig({ sip: { registrar: { minExpires: 1, defaultExpires: 3600, maxExpires: 7200 } } });
    up = startUp(pair.file);
    const first = await waitForPair(pair.file);
    const port = pair.ports[first.primary.id as 'sip-a' | 'sip-b'];
    const long = await runSipp('register.xml', port, { calls: 30, dir: pair.dir, user: 'long', expires: 3600 });
    expect(long.code, long.stdout).toBe(0);
    const short = await runSipp('register.xml', port, { calls: 20, dir: pair.dir, user: 'short', expires: 2 });
    expect(short.code, short.stdout).toBe(0);
    await waitFor(async () => ((await clusterStatus(pair.file)).nodes.every((n) => sipOf(n)?.bindings === 50) ? true : undefined), 10_000, '50 bindings on both nodes');

    expect(await up.stop()).toBe(0);
    await new Promise((r) => setTimeout(r, 2_500)); // the short bindings expire while both nodes are down
    up = startUp(pair.file);
    const again = await waitForPair(pair.file);
    await waitFor(async () => ((await clusterStatus(pair.file)).nodes.every((n) => sipOf(n)?.bindings === 30) ? true : undefined), 10_000, '30 bindings on both nodes');

    const query = await runSipp('query.xml', pair.ports[again.primary.id as 'sip-a' | 'sip-b'], {
      calls: 30,
      dir: pair.dir,
      user: 'long',
      traceMessages: true,
    });
    expect(query.code, query.stdout).toBe(0);
    const users = new Set([...query.messages().matchAll(/Contact:\s*<sip:long(\d+)@/g)].map((m) => m[1]));
    expect(users.size).toBe(30);
  });
});
