import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBounded } from '@switchyard/core/testing';
import { labRegistryDir } from '../src/index';
import { canRun, isRunning, netnsList } from './helpers';

const CLI = path.resolve(__dirname, '../dist/cli.js');

/** Runs the built switchyard-lab CLI as a user does, bounded. */
function lab(args: string[], timeoutMs = 30_000) {
  return runBounded(process.execPath, [CLI, ...args], { timeoutMs, label: 'switchyard-lab' });
}

const sylab = () => netnsList().filter((ns) => ns.startsWith('sylab-'));

describe.skipIf(!canRun)('switchyard-lab CLI', () => {
  beforeAll(() => {
    if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
    if (sylab().length > 0) throw new Error('a lab sylab exists already on this machine: remove it with `switchyard-lab down` first');
  });

  afterAll(async () => {
    await lab(['down']);
  });

  it('up leaves a running lab and exits; status shows it; cut and restore show in status; down removes it all', async () => {
    const up = await lab(['up']);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toContain('ip netns exec sylab-cl');
    expect(up.stdout).toContain('switchyard-lab down');
    expect(sylab().sort()).toEqual(['sylab-cl', 'sylab-h1', 'sylab-h2', 'sylab-sw']);

    const status = await lab(['status', '--json']);
    expect(status.code, status.stderr).toBe(0);
    const view = JSON.parse(status.stdout) as {
      dir: string;
      etcd: { healthy: boolean; endpoints: string[] };
      processes: { pid: number; alive: boolean }[];
      switchPorts: Record<string, string>;
      namespaces: { name: string; addresses: { interface: string; address: string }[] }[];
    };
    expect(view.etcd).toMatchObject({ healthy: true, endpoints: ['http://192.0.2.254:2379'] });
    expect(view.processes).toEqual([expect.objectContaining({ alive: true })]);
    expect(view.namespaces.find((n) => n.name === 'sylab-h1')?.addresses).toContainEqual({ interface: 'ctl0', address: '192.0.2.1/24' });

    expect((await lab(['cut', 'h1'])).code).toBe(0);
    const cut = JSON.parse((await lab(['status', '--json'])).stdout) as typeof view;
    expect(cut.switchPorts).toMatchObject({ 'h1-ctl': 'down', 'h1-sip': 'down', 'h2-ctl': 'up' });
    expect((await lab(['restore', 'h1'])).code).toBe(0);
    const restored = JSON.parse((await lab(['status', '--json'])).stdout) as typeof view;
    expect(restored.switchPorts).toMatchObject({ 'h1-ctl': 'up', 'h1-sip': 'up' });

    const down = await lab(['down']);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toContain('sylab-sw');
    expect(sylab()).toEqual([]);
    expect(view.processes.map((p) => p.pid).filter(isRunning)).toEqual([]);
    expect(fs.existsSync(view.dir)).toBe(false);
    expect(fs.existsSync(path.join(labRegistryDir(), 'sylab.json'))).toBe(false);

    const again = await lab(['down']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('no lab sylab to remove');
  });

  it('exits 2 with a message on a bad argument, and 1 when there is no lab', async () => {
    const badHost = await lab(['cut', 'h3']);
    expect(badHost.code).toBe(2);
    expect(badHost.stderr).toContain('h1, h2');
    const badMembers = await lab(['up', '--etcd-members', '2']);
    expect(badMembers.code).toBe(2);
    expect(badMembers.stderr).toContain('1, 3');
    expect(sylab()).toEqual([]);
    const noLab = await lab(['status']);
    expect(noLab.code).toBe(1);
    expect(noLab.stderr).toContain('SWY_ERR_LAB_NOT_FOUND');
  });

  it('up --config refuses a config whose nodes are not on the lab hosts, before creating anything', async () => {
    // A valid config (one host, embedded arbiter) that the lab cannot place: its nodes are on 127.0.0.1.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sylab-config-'));
    try {
      const file = path.join(dir, 'switchyard.config.json');
      fs.writeFileSync(
        file,
        JSON.stringify({
          cluster: 'lab',
          nodes: [
            { id: 'a', host: '127.0.0.1', haPort: 7461 },
            { id: 'b', host: '127.0.0.1', haPort: 7462 },
          ],
        }),
      );
      const up = await lab(['up', '--config', file]);
      expect(up.code, up.stderr).toBe(2);
      expect(up.stderr).toContain('nodes[0].host');
      expect(up.stderr).toContain('SWY_ERR_LAB_CONFIG');
      expect(sylab()).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
