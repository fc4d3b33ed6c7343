import fs from 'node:fs';
import path from 'node:path';
import { waitFor } from '@switchyard/sdk/testing';
import { BenchPair } from '../bench-pair';
import { cpuSeconds, rssMiB } from '../machine';
import { runSipp } from '../sipp';
import { LAG_METRIC, gcBuckets, gcNote, lagBetween, lagBuckets, lagLessFreeze, lagQuantileMs } from '../loop-lag';
import { summarize, withTarget, type ScenarioResult } from '../stats';
import { sleep, type Scenario, type ScenarioContext } from './context';

function readTrace(dir: string, node: string, origin: 'local' | 'replica'): Map<string, number> {
  const file = path.join(dir, '.switchyard', 'data', node, 'bench-trace', 'trace.txt');
  const times = new Map<string, number>();
  if (!fs.existsSync(file)) return times;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const [at, o, op, aor] = line.split(' ');
    if (o === origin && op === 'upsert' && aor && !times.has(aor)) times.set(aor, Number(at));
  }
  return times;
}

/**
 * Seconds of the same load run before the measured one. A fresh pair's
 * first second of load runs code V8 has not optimised yet on both nodes
 * (some hundreds of bindings then take 5-30 ms); that is the start's
 * figure, not the steady rate's, and it is reported on its own row
 * (replication-lag-cold) rather than mixed into the steady one.
 */
export const LAG_WARMUP_SECONDS = 2;

/** Issue 12's target for the steady lag's p99 at 5,000 REGISTER/s. */
export const LAG_P99_TARGET_MS = 5;

/** Lag of each binding of `user`'s (AoR `sip:<user><n>@…`): the backup's apply time less the primary's store time, in ms. */
export function lagsOf(local: Map<string, number>, replica: Map<string, number>, user: string): number[] {
  const lags: number[] = [];
  for (const [aor, t] of local) {
    if (!aor.startsWith(`sip:${user}`)) continue;
    const r = replica.get(aor);
    if (r !== undefined) lags.push(Math.round((r - t) * 100) / 100);
  }
  return lags;
}

/**
 * replication-lag: REGISTERs at a fixed rate; for every binding, the delay
 * from the primary storing it to the backup applying it (both timestamped
 * by a trace plugin on a wall clock shared by the two processes). The
 * measured run follows {@link LAG_WARMUP_SECONDS} of the same load on the
 * fresh pair, whose figures are the cold row.
 */
export const replicationLagScenario: Scenario = {
  name: 'replication-lag',
  async run(ctx: ScenarioContext): Promise<ScenarioResult[]> {
    const rate = ctx.quick ? 500 : 5000;
    const seconds = ctx.quick ? 2 : 10;
    const warmup = ctx.quick ? 1 : LAG_WARMUP_SECONDS;
    const calls = rate * seconds;
    const pair = new BenchPair({ trace: true });
    await pair.start();
    const achieved = { cold: 0, steady: 0 };
    let stored = 0;
    let primaryId = '';
    let backupId = '';
    try {
      const { primary, backup } = await pair.stable();
      primaryId = primary.id;
      backupId = backup.id;
      ctx.progress.update(`replication-lag: ${rate * warmup} REGISTERs at ${rate}/s on the fresh pair (the cold row)`);
      const cold = await runSipp('register.xml', pair.portOf(primary), { calls: rate * warmup, rate, cwd: pair.dir, user: 'cold', timeoutMs: warmup * 4_000 + 10_000 });
      achieved.cold = cold.rate;
      ctx.progress.update(`replication-lag: ${calls} REGISTERs at ${rate}/s`);
      const stats = await runSipp('register.xml', pair.portOf(primary), { calls, rate, cwd: pair.dir, user: 'lag', timeoutMs: seconds * 4_000 + 10_000 });
      achieved.steady = stats.rate;
      stored = cold.successful + stats.successful;
      await waitFor(async () => {
        const v = await pair.status();
        const b = v.nodes.find((n) => n.id === backupId);
        return b && pair.sipOf(b).bindings >= stored ? true : undefined;
      }, 30_000, 'the backup to hold every binding');
    } finally {
      await pair.stop({ keepDir: true }); // the traces are read below
    }
    let local: ReturnType<typeof readTrace>;
    let replica: ReturnType<typeof readTrace>;
    try {
      local = readTrace(pair.dir, primaryId, 'local');
      replica = readTrace(pair.dir, backupId, 'replica');
    } finally {
      pair.removeDir();
    }
    const steady = lagsOf(local, replica, 'lag');
    const cold = lagsOf(local, replica, 'cold');
    const row = summarize('replication-lag', 'ms', steady, [
      `${steady.length} bindings at ${Math.round(achieved.steady)} calls/s (target ${rate}/s), after ${warmup} s of the same load; ${local.size} stored by the primary in all, ${replica.size} applied by the backup`,
    ], true);
    return [
      // Issue 12's target is for the full run's 5,000/s; --quick runs 500/s.
      ctx.quick ? row : withTarget(row, 'p99', LAG_P99_TARGET_MS),
      summarize('replication-lag-cold', 'ms', cold, [`the first ${warmup} s of load on the fresh pair: ${cold.length} bindings at ${Math.round(achieved.cold)} calls/s`], true),
    ];
  },
};

/** The backup stays frozen at least this long, so the one turn its freeze made late falls past the lag histogram's last bucket (2 s). */
const FREEZE_MIN_MS = 2_500;
/** The longest event-loop turn the catch-up may cost either node (a bucket bound of the lag histogram): a few milliseconds. */
export const CATCH_UP_LOOP_LAG_TARGET_MS = 20;

/**
 * catch-up: the backup is frozen (SIGSTOP) while the primary takes N
 * bindings; from SIGCONT, the time until the backup reports in sync holding
 * all N. The backup then takes the primary's whole content (more than the
 * HA link retains), sent and applied a part a turn: each node's event-loop
 * lag from before the freeze to the end of the catch-up (the freeze's own
 * late turn left out) shows no turn blocked for long. Also leaves the RSS
 * of both nodes with N bindings for `footprint`.
 */
export const catchUpScenario: Scenario = {
  name: 'catch-up',
  async run(ctx: ScenarioContext): Promise<ScenarioResult[]> {
    const count = ctx.quick ? 5_000 : 100_000;
    // A rate the registrar sustains with no failed call, so the primary really holds `count` bindings.
    const rate = ctx.quick ? 2_500 : 2_000;
    const pair = new BenchPair();
    await pair.start();
    const times: number[] = [];
    const lagResults: ScenarioResult[] = [];
    try {
      const { primary, backup } = await pair.stable();
      await sleep(500);
      ctx.shared['rss-idle-primary'] = rssMiB(primary.pid!) ?? 0;
      ctx.shared['rss-idle-backup'] = rssMiB(backup.pid!) ?? 0;
      const firstRead = await pair.metrics();
      const lagBefore = lagBuckets(firstRead);
      const gcBefore = gcBuckets(firstRead);
      const frozenAt = performance.now();
      process.kill(backup.pid!, 'SIGSTOP');
      let stats;
      try {
        ctx.progress.update(`catch-up: ${count} REGISTERs on the primary while the backup is frozen`);
        stats = await runSipp('register.xml', pair.portOf(primary), { calls: count, rate, cwd: pair.dir, user: 'cu', timeoutMs: (count / rate) * 3_000 + 20_000 });
      } finally {
        const short = FREEZE_MIN_MS - (performance.now() - frozenAt);
        if (short > 0) await sleep(short);
        process.kill(backup.pid!, 'SIGCONT');
      }
      const t0 = performance.now();
      const cpu0 = cpuSeconds(backup.pid!) ?? 0;
      ctx.progress.update(`catch-up: waiting for the backup to hold ${stats.successful} bindings`);
      await waitFor(
        async () => {
          const v = await pair.status();
          const b = v.nodes.find((n) => n.id === backup.id);
          const sip = b ? pair.sipOf(b) : undefined;
          return sip && sip.bindings >= stats.successful && sip.replication.inSync ? true : undefined;
        },
        120_000,
        'the backup to catch up',
      );
      times.push(Math.round(performance.now() - t0));
      ctx.shared['catch-up-cpu'] = (cpuSeconds(backup.pid!) ?? cpu0) - cpu0;
      await sleep(100); // the lag monitor's last turns of the catch-up (it ticks every 20 ms)
      const lastRead = await pair.metrics();
      const lagAfter = lagBuckets(lastRead);
      const gcAfter = gcBuckets(lastRead);
      for (const node of [primary, backup]) {
        const role = node.id === primary.id ? 'primary' : 'backup';
        const after = lagAfter.get(node.id);
        if (!after) continue;
        const between = lagBetween(lagBefore.get(node.id), after);
        const counts = role === 'backup' ? lagLessFreeze(between) : between;
        const p99 = lagQuantileMs(counts, 0.99);
        const max = lagQuantileMs(counts, 1);
        if (p99 === null || max === null) continue;
        const during = role === 'primary' ? `the ${count} REGISTERs and the catch-up` : 'the catch-up (the turn its freeze made late left out)';
        lagResults.push(
          withTarget(
            summarize(`catch-up-loop-lag-${role}`, 'ms', [p99, max], [
              `${node.id} (${role}) during ${during}: event-loop lag p99 ≤ ${p99} ms, max ≤ ${max} ms (bucket bounds of ${LAG_METRIC}; min = p99, max = max); ${gcNote(gcBefore.get(node.id), gcAfter.get(node.id))}`,
            ]),
            'max',
            CATCH_UP_LOOP_LAG_TARGET_MS,
          ),
        );
      }
      ctx.shared['bindings'] = stats.successful;
      // Settled: 5 s on, past the full collection a node runs at its first idle 2-s check after a burst (MemoryRelease).
      await sleep(5_000);
      ctx.shared['rss-loaded-primary'] = rssMiB(primary.pid!) ?? 0;
      ctx.shared['rss-loaded-backup'] = rssMiB(backup.pid!) ?? 0;
    } finally {
      await pair.stop();
    }
    return [
      summarize('catch-up', 'ms', times, [
        `${ctx.shared['bindings']} bindings; backup frozen (SIGSTOP) while they were registered, measured from SIGCONT; status polled every 50 ms`,
      ]),
      ...lagResults,
    ];
  },
};
