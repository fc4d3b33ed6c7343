import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { waitFor } from '@switchyard/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { Lab, isLabError, labRegistryDir, sweepLabs } from '../src/index';
import { canRun, isRunning, netnsList } from './helpers';

const packageDir = path.resolve(__dirname, '..');

/** A process that builds a lab with the built package and prints what it made, then idles until killed. */
const OWNER_SCRIPT = `
require('reflect-metadata');
const { Lab } = require('./dist/index.js');
Lab.create({ etcdMembers: 1 }).then((lab) => {
  process.stdout.write(JSON.stringify({ prefix: lab.prefix, dir: lab.dir, pids: lab.trackedPids() }) + '\\n');
  setInterval(() => undefined, 1000);
}, (error) => { console.error(error); process.exit(1); });
`;

describe.skipIf(!canRun)('lab cleanup', () => {
  let owner: ChildProcess | undefined;

  afterEach(async () => {
    // A failed test may leave the owner running: kill it, and its lab goes with the sweep.
    if (owner && owner.exitCode === null && owner.signalCode === null) {
      const exited = new Promise((resolve) => owner!.once('exit', resolve));
      owner.kill('SIGKILL');
      await exited;
    }
    owner = undefined;
    await sweepLabs();
  });

  it('sweepLabs removes a lab whose owner was SIGKILLed: namespaces, etcd and folder', async () => {
    const child = spawn(process.execPath, ['-e', OWNER_SCRIPT], { cwd: packageDir, stdio: ['ignore', 'pipe', 'pipe'] });
    owner = child;
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const made = await waitFor(
      () => {
        if (child.exitCode !== null) throw new Error(`the owner exited: ${err}`);
        return out.includes('\n') ? (JSON.parse(out.split('\n')[0]!) as { prefix: string; dir: string; pids: number[] }) : undefined;
      },
      20_000,
      'the owner to create its lab',
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL'); // no exit handler runs: only the registry knows the lab now
    await exited;
    expect(netnsList().filter((ns) => ns.startsWith(`${made.prefix}-`))).toHaveLength(4);
    expect(made.pids.filter(isRunning)).toHaveLength(1); // etcd outlived its owner

    const swept = await sweepLabs();

    expect(swept).toContain(made.prefix);
    expect(netnsList().filter((ns) => ns.startsWith(`${made.prefix}-`))).toEqual([]);
    expect(made.pids.filter(isRunning)).toEqual([]);
    expect(fs.existsSync(made.dir)).toBe(false);
    expect(fs.existsSync(path.join(labRegistryDir(), `${made.prefix}.json`))).toBe(false);
  });

  it('sweepLabs leaves a lab whose owner is alive', async () => {
    const lab = await Lab.create({ etcdMembers: 0 });
    try {
      expect(await sweepLabs()).not.toContain(lab.prefix);
      expect(await lab.reachable('h1', lab.hosts.h2.controlAddress)).toBe(true);
    } finally {
      await lab.destroy();
    }
  });

  it('a lab whose etcd cannot start throws SWY_ERR_LAB_ETCD_UNHEALTHY with the etcd log, and leaves nothing behind', async () => {
    const lines: string[] = [];
    process.env.ETCD_QUOTA_BACKEND_BYTES = 'not-a-number'; // etcd refuses to start with it
    let error: unknown;
    try {
      await Lab.create({ etcdMembers: 1, log: (line) => lines.push(line) });
    } catch (e) {
      error = e;
    } finally {
      delete process.env.ETCD_QUOTA_BACKEND_BYTES;
    }
    expect(isLabError(error, 'SWY_ERR_LAB_ETCD_UNHEALTHY'), String(error)).toBe(true);
    expect((error as Error).message).toContain('ETCD_QUOTA_BACKEND_BYTES');
    const prefix = /namespaces (sy[0-9a-f]{4})-h1/.exec(lines.join('\n'))?.[1];
    expect(prefix, lines.join('\n')).toBeDefined();
    expect(netnsList().filter((ns) => ns.startsWith(`${prefix}-`))).toEqual([]);
    const logFile = /last lines of (\S+etcd-m0\.log)/.exec((error as Error).message)?.[1];
    expect(logFile).toBeDefined();
    expect(fs.existsSync(path.dirname(logFile!))).toBe(false);
    expect(fs.existsSync(path.join(labRegistryDir(), `${prefix}.json`))).toBe(false);
  });
});
