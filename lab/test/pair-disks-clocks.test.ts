import fs from 'node:fs';
import path from 'node:path';
import { hasTool } from '@switchyard/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FILLER_FILE, LabPair, labConfig } from '../src/index';
import { canRun } from './helpers';

// The chaos suite's disk-full and clock-step faults stand on these two.
const withFakeTime = canRun && hasTool('faketime');

const mountPoints = () =>
  fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((m): m is string => m !== undefined);

describe.skipIf(!withFakeTime)('a lab pair with node disks and host clocks', () => {
  let pair: LabPair;
  let runtimeDir: string;

  beforeAll(async () => {
    pair = await LabPair.create({ etcdMembers: 1, nodeDisk: 256 * 1024, hostClocks: true });
    runtimeDir = (labConfig(pair.dir, []) as { runtimeDir: string }).runtimeDir;
  });
  afterAll(async () => {
    await pair?.destroy();
  });

  it("mounts each node's data folder, where its agent keeps it, on a disk of its own", () => {
    for (const id of ['sip-a', 'sip-b']) expect(mountPoints()).toContain(path.join(runtimeDir, id, 'data', id));
    expect(pair.disks!.dirOf('sip-a')).toBe(path.join(runtimeDir, 'sip-a', 'data', 'sip-a'));
  });

  it('fills one disk to ENOSPC for the node writing there, not the other; free() gives the space back', async () => {
    const dir = pair.disks!.dirOf('sip-a');
    fs.writeFileSync(path.join(dir, 'journal'), 'x');
    const bytes = await pair.disks!.fill('sip-a');
    expect(bytes).toBeGreaterThan(200 * 1024);
    expect(pair.disks!.contentsOf('sip-a')).toEqual(['journal']);
    expect(() => fs.appendFileSync(path.join(dir, 'journal'), Buffer.alloc(8192))).toThrow(/ENOSPC/);
    fs.writeFileSync(path.join(pair.disks!.dirOf('sip-b'), 'journal'), Buffer.alloc(8192));
    await pair.disks!.free('sip-a');
    expect(fs.existsSync(path.join(dir, FILLER_FILE))).toBe(false);
    fs.appendFileSync(path.join(dir, 'journal'), Buffer.alloc(8192));
  });

  it("steps one host's wall clock for the processes started on it, leaving monotonic time and the other host alone", async () => {
    const clocks = pair.clocks!;
    const script = 'console.log(JSON.stringify({ wall: Date.now(), mono: Number(process.hrtime.bigint() / 1000000n) }))';
    const read = async (host: 'h1' | 'h2') => {
      const r = await pair.lab.run(host, [process.execPath, '-e', script], { env: clocks.envFor(host) });
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as { wall: number; mono: number };
    };
    const mono0 = Number(process.hrtime.bigint() / 1000000n);
    clocks.step('h1', -3600);
    const h1 = await read('h1');
    const h2 = await read('h2');
    const now = Date.now();
    expect(now - 3_600_000 - h1.wall).toBeGreaterThanOrEqual(0);
    expect(now - 3_600_000 - h1.wall).toBeLessThan(5_000);
    expect(now - h2.wall).toBeGreaterThanOrEqual(0);
    expect(now - h2.wall).toBeLessThan(5_000);
    // CLOCK_MONOTONIC is the machine's: the child read it after we did, and not an hour off.
    expect(h1.mono - mono0).toBeGreaterThanOrEqual(0);
    expect(h1.mono - mono0).toBeLessThan(5_000);
    clocks.step('h1', 0);
    expect(Math.abs(Date.now() - (await read('h1')).wall)).toBeLessThan(5_000);
  });

  it('destroy() unmounts the disks', async () => {
    const dirs = ['sip-a', 'sip-b'].map((id) => pair.disks!.dirOf(id));
    await pair.destroy();
    for (const dir of dirs) expect(mountPoints()).not.toContain(dir);
    expect(fs.existsSync(pair.dir)).toBe(false);
  });
});
