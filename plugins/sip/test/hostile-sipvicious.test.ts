/**
 * sipvicious, the scanner attackers point at SIP servers, against a running
 * pair on loopback: `svmap` (who answers?) and `svwar` (which extensions
 * exist? REGISTER for 100–399). The scan must do no harm: the primary still
 * answers sipsak's OPTIONS with 200, nobody restarted or switched over, and
 * bindings and memory stay bounded.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterStatus, hasTool, tempDir } from '@switchyard/sdk/testing';
import { runPeer, sipsakOptions } from './support/peers';
import { startRunningPair, type RunningPair } from './support/hostile';

const tools = hasTool('svmap') && hasTool('svwar') && hasTool('sipsak');
const MAX_BINDINGS = 150;

/** Resident memory of a process, bytes (Linux). */
function rssOf(pid: number): number {
  const line = fs.readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? 0) * 1024;
}

describe.skipIf(!tools)('sipvicious scanning a running pair', () => {
  let node: RunningPair;
  let home: string;

  beforeAll(async () => {
    node = await startRunningPair({ registrar: { maxContactsPerAor: 10, maxBindings: MAX_BINDINGS } });
    home = tempDir('switchyard-sipvicious-'); // sipvicious keeps its sessions under $HOME/.sipvicious
  });
  afterAll(async () => {
    await node?.stop();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  it('svmap and svwar find the node, do it no harm, and leave bindings and memory bounded', async () => {
    const env = { ...process.env, HOME: home };
    const ports = Object.values(node.pair.ports).join(',');
    const map = await runPeer('svmap', ['-p', ports, '-t', '0.01', '127.0.0.1'], { env, timeoutMs: 60_000 });
    // svmap lists each SIP device that answered: both nodes (the backup answers 503, still a SIP device)
    for (const port of Object.values(node.pair.ports)) expect(map.stdout, map.stdout + map.stderr).toContain(`127.0.0.1:${port}`);

    const before = await clusterStatus(node.pair.file);
    const pids = before.nodes.map((n) => n.pid!).filter((pid) => pid > 0);
    const rssBefore = Math.max(...pids.map(rssOf));
    const war = await runPeer(
      'svwar',
      ['-e', '100-399', '-m', 'REGISTER', '-t', '0.005', '--maximumtime', '5', '-p', String(node.primary.port), '127.0.0.1'],
      { env, timeoutMs: 120_000 },
    );
    expect(war.code, war.stdout + war.stderr).toBe(0);
    await runPeer('svwar', ['-e', '100-199', '-m', 'INVITE', '-t', '0.005', '--maximumtime', '5', '-p', String(node.primary.port), '127.0.0.1'], {
      env,
      timeoutMs: 120_000,
    });

    expect((await sipsakOptions(node.primary.port)).status).toBe(200);
    const after = await clusterStatus(node.pair.file);
    expect(after.arbiter.term).toBe(node.primary.term);
    expect(after.nodes.map((n) => [n.status, n.restarts])).toEqual([
      ['running', 0],
      ['running', 0],
    ]);
    const primary = after.nodes.find((n) => n.id === node.primary.id)!;
    expect((primary.sip as { bindings: number }).bindings).toBeLessThanOrEqual(MAX_BINDINGS);
    // 300 REGISTERs and 100 INVITEs may not grow a node by more than a few tens of MB
    expect(Math.max(...pids.map(rssOf)) - rssBefore).toBeLessThan(64 * 1024 * 1024);
  });
});
