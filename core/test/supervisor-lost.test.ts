import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CoreEvent } from '../src/events/core-events';
import { assertBuilt, isAlive, readNodeLog, startUp, tempDir, waitFor, waitForPair, writePairConfig, type UpProcess } from '../src/testing/processes';

/** Gone: no such process, or a zombie nobody has reaped yet (its parent, the supervisor, was killed). */
function gone(pid: number): boolean {
  if (!isAlive(pid)) return true;
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').startsWith('Z');
  } catch {
    return true;
  }
}

describe('a node whose supervisor is killed (real processes)', () => {
  const ups: UpProcess[] = [];
  const nodePids: number[] = [];
  const dirs: string[] = [];
  beforeAll(() => assertBuilt());
  afterEach(async () => {
    for (const up of ups.splice(0)) await up.stop();
    for (const pid of nodePids.splice(0)) if (!gone(pid)) process.kill(pid, 'SIGKILL');
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('logs 01-10046 in its own log and stops cleanly; a new `switchyard up` forms the pair again', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const config = await writePairConfig(dir);
    const first = startUp(config);
    ups.push(first);
    const { primary, backup } = await waitForPair(config);
    const pids = [primary.pid!, backup.pid!];
    nodePids.push(...pids);

    first.child.kill('SIGKILL');
    await waitFor(() => (pids.every(gone) ? true : undefined), 15_000, 'both nodes to stop after their supervisor was killed');

    const runtimeDir = path.join(dir, '.switchyard');
    for (const node of ['sip-a', 'sip-b']) {
      const log = readNodeLog(runtimeDir, node);
      const ids = log.map((line) => line.eventId);
      expect(ids.filter((id) => id === CoreEvent.SupervisorLost), node).toHaveLength(1);
      const lost = log.find((line) => line.eventId === CoreEvent.SupervisorLost)!;
      expect(lost.level).toBe('error');
      expect(lost.message).toMatch(/lost its supervisor/);
      // Stopped cleanly after it: the stop taps ran and the node said so.
      expect(ids.lastIndexOf(CoreEvent.NodeStopped), node).toBeGreaterThan(ids.indexOf(CoreEvent.SupervisorLost));
    }

    // What systemd's Restart=always does: start it again; the pair forms with new processes.
    const second = startUp(config);
    ups.push(second);
    const again = await waitForPair(config, 1, 20_000);
    nodePids.push(again.primary.pid!, again.backup.pid!);
    expect(pids).not.toContain(again.primary.pid);
    expect(again.primary.status).toBe('running');
  });
});
