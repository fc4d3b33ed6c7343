import fs from 'node:fs';
import { waitFor } from '@switchyard/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lab, isLabError, labRegistryDir } from '../src/index';
import { canRun, isRunning, netnsList } from './helpers';

describe.skipIf(!canRun)('a lab with one etcd member', () => {
  let lab: Lab;
  let etcdctl: string[];

  beforeAll(async () => {
    lab = await Lab.create({ etcdMembers: 1 });
    etcdctl = ['etcdctl', `--endpoints=${lab.etcdEndpoints.join(',')}`, '--dial-timeout=1s', '--command-timeout=2s'];
  });

  afterAll(async () => {
    await lab?.destroy();
  });

  const reachableSoon = (from: 'h1' | 'h2', address: string) =>
    waitFor(async () => ((await lab.reachable(from, address)) ? true : undefined), 5_000, `${from} to reach ${address} again`);

  it('names its namespaces and addresses as documented', () => {
    expect(lab.prefix).toMatch(/^sy[0-9a-f]{4}$/);
    expect(lab.hosts.h1).toMatchObject({ ns: `${lab.prefix}-h1`, controlAddress: '192.0.2.1', sipAddress: '198.51.100.1', controlIf: 'ctl0', sipIf: 'sip0' });
    expect(lab.hosts.h2).toMatchObject({ ns: `${lab.prefix}-h2`, controlAddress: '192.0.2.2', sipAddress: '198.51.100.2' });
    expect(lab.client).toMatchObject({ ns: `${lab.prefix}-cl`, controlAddress: '192.0.2.254', sipAddress: '198.51.100.254' });
    expect(lab.etcdEndpoints).toEqual(['http://192.0.2.254:2379']);
    expect(netnsList()).toEqual(expect.arrayContaining([`${lab.prefix}-h1`, `${lab.prefix}-h2`, `${lab.prefix}-cl`, `${lab.prefix}-sw`]));
  });

  it('connects h1 to h2 and to the client on both networks, and nothing runs on other addresses', async () => {
    for (const address of ['192.0.2.2', '198.51.100.2', '192.0.2.254', '198.51.100.254']) {
      expect(await lab.reachable('h1', address), `h1 → ${address}`).toBe(true);
    }
    expect(await lab.reachable('h2', '192.0.2.1')).toBe(true);
    const { stdout } = await lab.run('h1', ['ip', '-o', 'addr', 'show']);
    const addresses = stdout.split('\n').map((line) => line.trim().split(/\s+/)[3]).filter(Boolean);
    expect(addresses.sort()).toEqual(['127.0.0.1/8', '192.0.2.1/24', '198.51.100.1/24', '::1/128']);
  });

  it('serves etcd to the hosts: endpoint health from h1, a put from h1 is read from h2', async () => {
    const health = await lab.run('h1', [...etcdctl, 'endpoint', 'health'], { env: { ETCDCTL_API: '3' } });
    expect(health.code, health.stderr).toBe(0);
    expect(health.stderr + health.stdout).toContain('http://192.0.2.254:2379 is healthy');
    expect((await lab.run('h1', [...etcdctl, 'put', 'lab-test', 'from-h1'])).code).toBe(0);
    expect((await lab.run('h2', [...etcdctl, 'get', '--print-value-only', 'lab-test'])).stdout.trim()).toBe('from-h1');
  });

  it('cutHost isolates the host from the client and its peer; the other host keeps its links; restoreHost reconnects', async () => {
    await lab.cutHost('h1');
    try {
      expect(await lab.reachable('h1', '192.0.2.254')).toBe(false);
      expect(await lab.reachable('h1', '198.51.100.254')).toBe(false);
      expect(await lab.reachable('h2', '192.0.2.1')).toBe(false);
      expect(await lab.reachable('h2', '192.0.2.254')).toBe(true);
      expect((await lab.run('h1', [...etcdctl, 'endpoint', 'health'], { timeoutMs: 10_000 })).code).not.toBe(0);
    } finally {
      await lab.restoreHost('h1');
    }
    // A neighbour lookup begun during the cut retries once a second: allow for one retry, as on a real network.
    await reachableSoon('h1', '192.0.2.254');
    await reachableSoon('h1', '192.0.2.2');
  });

  it('cutLink cuts one network of a host and leaves the other', async () => {
    await lab.cutLink('h2', 'sip');
    try {
      expect(await lab.reachable('h2', '198.51.100.254')).toBe(false);
      expect(await lab.reachable('h2', '192.0.2.254')).toBe(true);
    } finally {
      await lab.restoreLink('h2', 'sip');
    }
    await reachableSoon('h2', '198.51.100.254');
  });

  it('spawn runs a process in a host, and signal stops and resumes it', async () => {
    const lines: string[] = [];
    const proc = lab.spawn('h2', [process.execPath, '-e', 'setInterval(() => console.log("tick"), 50)'], { onLine: (l) => lines.push(l) });
    await waitFor(() => (lines.length > 0 ? true : undefined), 5_000, 'the first tick');
    lab.signal(proc.pid, 'SIGSTOP');
    await waitFor(() => (fs.readFileSync(`/proc/${proc.pid}/stat`, 'utf8').split(') ')[1]?.startsWith('T') ? true : undefined), 5_000, 'a stopped process');
    const frozen = proc.output().length;
    lab.signal(proc.pid, 'SIGCONT');
    await waitFor(() => (proc.output().length > frozen ? true : undefined), 5_000, 'ticks after SIGCONT');
    proc.kill('SIGKILL');
    expect(await proc.exited).toEqual({ code: null, signal: 'SIGKILL' });
  });

  it('stopEtcd stops etcd (clients fail), startEtcd brings it back with its data', async () => {
    await lab.stopEtcd();
    expect(lab.etcdProcess()).toBeUndefined();
    expect((await lab.run('h1', [...etcdctl, 'endpoint', 'health'], { timeoutMs: 10_000 })).code).not.toBe(0);
    await lab.startEtcd();
    expect((await lab.run('h2', [...etcdctl, 'get', '--print-value-only', 'lab-test'])).stdout.trim()).toBe('from-h1');
  });

  it('refuses an etcd member it does not have, with a coded error', async () => {
    await expect(lab.stopEtcd(2)).rejects.toSatisfy((e: unknown) => isLabError(e, 'SWY_ERR_LAB_ETCD_MEMBER'));
  });

  it('destroy removes namespaces, processes, folder and registry entry, and may be called twice', async () => {
    const spawned = lab.spawn('h1', ['sleep', '600']);
    lab.signal(spawned.pid, 'SIGSTOP'); // a stopped process must not hold destroy up
    const pids = lab.trackedPids();
    expect(pids.length).toBeGreaterThanOrEqual(2); // etcd and sleep
    await lab.destroy();
    await lab.destroy();
    const left = netnsList().filter((ns) => ns.startsWith(`${lab.prefix}-`));
    expect(left).toEqual([]);
    expect(pids.filter(isRunning)).toEqual([]);
    expect(fs.existsSync(lab.dir)).toBe(false);
    expect(fs.existsSync(`${labRegistryDir()}/${lab.prefix}.json`)).toBe(false);
    expect(() => lab.spawn('h1', ['true'])).toThrow(/destroyed/);
  });
});
