import { waitFor } from '@switchyard/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lab } from '../src/index';
import { canRun, isRunning } from './helpers';

describe.skipIf(!canRun)('a lab with a three-member etcd', () => {
  let lab: Lab;

  beforeAll(async () => {
    lab = await Lab.create({ etcdMembers: 3 });
  });

  afterAll(async () => {
    await lab?.destroy();
  });

  it('runs one member per client address', () => {
    expect(lab.etcdEndpoints).toEqual(['http://192.0.2.254:2379', 'http://192.0.2.253:2379', 'http://192.0.2.252:2379']);
    expect(lab.client.controlAddresses).toEqual(['192.0.2.254', '192.0.2.253', '192.0.2.252']);
  });

  it('keeps accepting writes from h2 after one member is killed', async () => {
    const member = lab.etcdProcess(1)!;
    await lab.killEtcd(1);
    expect(isRunning(member.pid)).toBe(false);
    const put = ['etcdctl', `--endpoints=${lab.etcdEndpoints.join(',')}`, '--dial-timeout=1s', '--command-timeout=3s', 'put', 'quorum', 'kept'];
    // If the killed member led, the other two elect a new leader within about an election timeout (1 s).
    await waitFor(async () => ((await lab.run('h2', put, { timeoutMs: 10_000 })).code === 0 ? true : undefined), 15_000, 'a put from h2');
    const get = await lab.run('h1', ['etcdctl', `--endpoints=${lab.etcdEndpoints[0]}`, 'get', '--print-value-only', 'quorum']);
    expect(get.stdout.trim()).toBe('kept');
  });
});
