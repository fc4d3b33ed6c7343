import fs from 'node:fs';
import { isAlive, waitFor } from '@switchyard/sdk/testing';
import { BenchPair } from '../bench-pair';
import { OptionsProber, type ProbeAnswer } from '../prober';
import { summarize, type ScenarioResult } from '../stats';
import { sleep, type Scenario, type ScenarioContext } from './context';

const NAME = 'supervisor-restart';

/** Gone: no such process, or a zombie nobody reaped yet (its parent, the supervisor, was killed). */
function gone(pid: number): boolean {
  if (!isAlive(pid)) return true;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.replace(/^.*\) /s, '').startsWith('Z');
  } catch {
    return true;
  }
}

/** The last 200 OK (from either node) that arrived before `at`. */
function last200Before(answers: readonly ProbeAnswer[], at: number): ProbeAnswer | undefined {
  for (let i = answers.length - 1; i >= 0; i--) {
    const a = answers[i]!;
    if (a.at < at && a.status === 200) return a;
  }
  return undefined;
}

/**
 * supervisor-restart: a `switchyard up` pair on loopback, OPTIONS every
 * 10 ms to both nodes; SIGKILL the supervisor (its nodes notice the closed
 * IPC channel, log 01-10046 and stop), start `switchyard up` again as
 * systemd's Restart=always would once the unit's processes are gone, and
 * read the client-visible gap: from the last 200 OK before the outage to
 * the first 200 OK after it, from either node.
 */
export const supervisorRestartScenario: Scenario = {
  name: NAME,
  usesSipp: false,
  async run(ctx: ScenarioContext): Promise<ScenarioResult[]> {
    const reps = ctx.quick ? 2 : 5;
    const pair = new BenchPair();
    await pair.start();
    const prober = new OptionsProber([pair.ports['sip-a'], pair.ports['sip-b']], 10, 10 * 60_000);
    await prober.start();
    const gaps: number[] = [];
    const nodesStopped: number[] = [];
    const leftovers: number[] = [];
    try {
      for (let i = 0; i < reps; i++) {
        ctx.progress.update(`${NAME}: run ${i + 1}/${reps}`);
        const { primary, backup } = await pair.stable(1, 30_000);
        const pids = [primary.pid!, backup.pid!];
        leftovers.push(...pids);
        await sleep(300);
        const t0 = performance.now();
        pair.up!.child.kill('SIGKILL');
        await waitFor(() => (pids.every(gone) ? true : undefined), 15_000, 'the nodes to stop after their supervisor was killed');
        const tGone = performance.now();
        nodesStopped.push(tGone - t0);
        // What Restart=always does once the unit's processes are gone (RestartSec adds to the gap).
        pair.up = pair.startUp();
        const back = await waitFor(
          () => prober.answers.find((a) => a.at >= tGone && a.status === 200),
          30_000,
          'a node to answer 200 after the supervisor restarted',
        );
        const before = last200Before(prober.answers, tGone);
        gaps.push(back.at - (before?.at ?? t0));
      }
      await pair.stable(1, 30_000);
    } finally {
      prober.stop();
      // A node that outlived its supervisor must not outlive the benchmark.
      for (const pid of leftovers) if (!gone(pid)) process.kill(pid, 'SIGKILL');
      try {
        await pair.stop();
      } finally {
        fs.rmSync(pair.dir, { recursive: true, force: true });
      }
    }
    const round = (v: number) => Math.round(v * 10) / 10;
    const stopped = summarize('nodes stopped', 'ms', nodesStopped.map(round));
    return [
      summarize(
        NAME,
        'ms',
        gaps.map(round),
        [
          'SIGKILL of `switchyard up`; restarted as soon as its nodes were gone (systemd adds RestartSec, 1 s in examples/systemd)',
          `nodes stopped after the kill: median ${stopped.median} ms (max ${stopped.max}); the gap is mostly the new pair forming (config check, fork, roles, SIP bind)`,
        ],
      ),
    ];
  },
};
