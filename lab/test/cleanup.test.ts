import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { waitFor } from '@switchyard/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { Lab, isLabError, labRegistryDir, sweepLabs } from '../src/index';
import { canRun, isRunning, netnsList } from './helpers';

const packageDir = path.resolve(__dirname, '..');

/**
 * A process that builds a lab with the built package and prints what it
 * made; then, with "idle", waits to be killed, with "exit", exits without
 * destroying its lab.
 */
const OWNER_SCRIPT = `
require('reflect-metadata');
const { Lab } = require('./dist/index.js');
Lab.create({ etcdMembers: 1 }).then((lab) => {
  process.stdout.write(JSON.stringify({ prefix: lab.prefix, dir: lab.dir, pids: lab.trackedPids() }) + '\\n');
  if (process.argv[1] === 'exit') process.exit(0);
  setInterval(() => undefined, 1000);
}, (error) => { console.error(error); process.exit(1); });
`;

interface MadeLab {
  prefix: string;
  dir: string;
  pids: number[];
}

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

  /** Starts an owner process and waits until its lab is built; `exited` resolves when the owner is gone. */
  async function startOwner(mode: 'idle' | 'exit'): Promise<{ child: ChildProcess; made: MadeLab; exited: Promise<unknown> }> {
    const child = spawn(process.execPath, ['-e', OWNER_SCRIPT, mode], { cwd: packageDir, stdio: ['ignore', 'pipe', 'pipe'] });
    owner = child;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const made = await waitFor(
      () => {
        if (out.includes('\n')) return JSON.parse(out.split('\n')[0]!) as MadeLab;
        if (child.exitCode !== null) throw new Error(`the owner exited before its lab was built: ${err}`);
        return undefined;
      },
      20_000,
      'the owner to create its lab',
    );
    return { child, made, exited };
  }

  function expectGone(made: MadeLab): void {
    expect(netnsList().filter((ns) => ns.startsWith(`${made.prefix}-`))).toEqual([]);
    expect(made.pids.filter(isRunning)).toEqual([]);
    expect(fs.existsSync(made.dir)).toBe(false);
    expect(fs.existsSync(path.join(labRegistryDir(), `${made.prefix}.json`))).toBe(false);
  }

  it('sweepLabs removes a lab whose owner was SIGKILLed: namespaces, etcd and folder', async () => {
    const { child, made, exited } = await startOwner('idle');
    expect(netnsList().filter((ns) => ns.startsWith(`${made.prefix}-`))).toHaveLength(4);
    child.kill('SIGKILL'); // no exit handler runs: only the registry knows the lab now
    await exited;
    // (Checked fast, so that no other test file's Lab.create sweeps this lab first.)
    expect(made.pids.filter(isRunning)).toHaveLength(1); // etcd outlived its owner

    const swept = await sweepLabs();

    expect(swept).toContain(made.prefix);
    expectGone(made);
  });

  it('an owner stopped by SIGTERM (Ctrl-C alike) removes its lab itself before it exits', async () => {
    const { child, made, exited } = await startOwner('idle');
    expect(made.pids.filter(isRunning)).toHaveLength(1);
    child.kill('SIGTERM');
    await exited;
    expect(child.signalCode).toBe('SIGTERM'); // the default action still ends it
    expectGone(made);
  });

  it('an owner that exits without destroy() removes its lab on the way out', async () => {
    const { child, made, exited } = await startOwner('exit');
    await exited;
    expect(child.exitCode).toBe(0);
    expectGone(made);
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
