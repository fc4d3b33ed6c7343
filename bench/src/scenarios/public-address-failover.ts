import fs from 'node:fs';
import path from 'node:path';
import { ManagementClient, embeddedArbiterKind } from '@switchyard/core';
import { freePort, isAlive, waitFor } from '@switchyard/sdk/testing';
import { BenchPair } from '../bench-pair';
import { PROBE_INTERVAL_MS, PublicProber } from '../public-prober';
import { measureHandover } from '../public-socket-handover';
import { runSipp, type SippStats } from '../sipp';
import { summarize, withTarget, type ScenarioResult } from '../stats';
import { sleep, type Scenario, type ScenarioContext } from './context';

type Kind = 'kill' | 'freeze' | 'switchover';

/**
 * public-address-failover (issue 17): a single-host pair with one public
 * SIP address held by the primary (`plugins.sip.public`, `arbiter.fence`),
 * probed with UDP OPTIONS every 1 ms through that address. Per event —
 * kill -9 of the primary, SIGSTOP of the primary (fenced by the agent),
 * a manual switchover — the figure is the client-visible gap: the longest
 * time between two consecutive 200 answers around the event; and the
 * requests sent meanwhile that got no answer.
 */
export const publicAddressFailoverScenario: Scenario = {
  name: 'public-address-failover',
  usesSipp: true,
  async run(ctx: ScenarioContext): Promise<ScenarioResult[]> {
    const reps = ctx.quick ? 2 : 10;
    const publicPort = await freePort();
    const pair = new BenchPair({ sip: { public: { host: '127.0.0.1', port: publicPort } }, arbiter: { fence: true } });
    await pair.start();
    const prober = new PublicProber(publicPort);
    const gaps: Record<Kind, number[]> = { kill: [], freeze: [], switchover: [] };
    const lost: Record<Kind, number[]> = { kill: [], freeze: [], switchover: [] };
    const refused: Record<Kind, number[]> = { kill: [], freeze: [], switchover: [] };
    const quiet: number[] = [];
    // An operator's switchover through the management API (token from the runtime dir), from this process: no CLI to spawn meanwhile.
    const written = JSON.parse(fs.readFileSync(pair.file, 'utf8')) as { management: { port: number }; arbiter: { switchTimeout?: number } };
    const management = written.management;
    // The bench pair runs at the product's defaults unless it says otherwise.
    const switchTimeout = written.arbiter.switchTimeout ?? embeddedArbiterKind.options.parse({}).switchTimeout;
    const token = fs.readFileSync(path.join(pair.dir, '.switchyard', 'management.token'), 'utf8').trim();
    const operator = new ManagementClient({ host: '127.0.0.1', port: management.port, token, timeoutMs: 5_000 });
    let term = 1;
    let sipp: SippStats | undefined;
    let sippRounds = 0;
    try {
      await prober.start();
      for (const kind of ['kill', 'freeze', 'switchover'] as const) {
        for (let i = 0; i < reps; i++) {
          ctx.progress.update(`public-address-failover: ${kind} ${i + 1}/${reps}`);
          const { primary } = await pair.stable(term, 30_000);
          const since = performance.now();
          await waitFor(() => (prober.first200After(since) ? true : undefined), 10_000, 'the public address to answer 200');
          await sleep(500); // a quiet half second of probes on the settled pair: the baseline gap
          const t0 = performance.now();
          quiet.push(prober.clientGap(t0 - 500, t0 - 50));
          if (kind === 'kill') process.kill(primary.pid!, 'SIGKILL');
          else if (kind === 'freeze') process.kill(primary.pid!, 'SIGSTOP');
          else {
            const r = await operator.switchover('bench public-address-failover');
            if (!r.ok) throw new Error(`switchover refused: ${r.reason ?? '?'}`);
          }
          const back = await waitFor(() => prober.first200After(t0), 15_000, 'a 200 through the public address after the event');
          // Let answers in flight arrive (and the probe run on a settled pair) before counting.
          await sleep(300);
          const end = back.answeredAt! + 100;
          gaps[kind].push(Math.round(prober.clientGap(t0 - 100, end) * 10) / 10);
          lost[kind].push(prober.lost(t0 - 100, end));
          refused[kind].push(prober.refused(t0 - 100, end));
          if (kind === 'freeze' && isAlive(primary.pid!)) process.kill(primary.pid!, 'SIGCONT'); // not fenced: should not happen
          term = primary.term + 1;
        }
      }
      term = (await pair.stable(term, 30_000)).primary.term;
      // SIPp's OPTIONS at 1,000 calls/s through the public address (retransmitting after 500 ms, as a SIP client
      // does) across manual switchovers: a lost request is a failed call.
      const rounds = ctx.quick ? 2 : 5;
      ctx.progress.update(`public-address-failover: SIPp at 1,000 calls/s across ${rounds} switchovers`);
      const sippRun = runSipp('options.xml', publicPort, { calls: (rounds + 2) * 1000, rate: 1000, cwd: pair.dir, timeoutMs: (rounds + 2) * 1000 + 30_000 });
      for (let i = 0; i < rounds; i++) {
        await sleep(700);
        const r = await operator.switchover('bench public-address-failover (SIPp)');
        if (!r.ok) throw new Error(`switchover refused: ${r.reason ?? '?'}`);
        term = (await pair.stable(term + 1, 30_000)).primary.term;
      }
      sipp = await sippRun;
      sippRounds = rounds;
    } finally {
      prober.stop();
      try {
        await pair.stop();
      } finally {
        fs.rmSync(pair.dir, { recursive: true, force: true });
      }
    }
    // The design choice: the same handover by bind-on-promote and by a socket passed from the agent, with stand-in nodes.
    ctx.progress.update('public-address-failover: handover prototype (bind vs passed socket)');
    const handoverRounds = ctx.quick ? 5 : 20;
    const byBind = await measureHandover('bind', await freePort(), handoverRounds);
    const byPassing = await measureHandover('passed', await freePort(), handoverRounds);
    const sortedQuiet = [...quiet].sort((a, b) => a - b);
    const probeNote =
      `UDP OPTIONS every ${PROBE_INTERVAL_MS} ms through the public address (1,000 requests/s); gap = from 100 ms before the event, the longest time between consecutive 200s or the longest a request waited for its 200 (requests wait in the socket during a handover); ` +
      `on the settled pair (500 ms before each event) the longest gap was ${sortedQuiet[Math.floor(sortedQuiet.length / 2)]?.toFixed(1)} ms median, ${sortedQuiet.at(-1)?.toFixed(1)} ms max`;
    const bind = 'socket passing: the agent of switchyard up binds the address once and hands its sockets to each primary in turn (requests wait in the socket meanwhile)';
    return [
      withTarget(summarize('public-address-failover-kill', 'ms', gaps.kill, [probeNote, bind, `unanswered requests per run: ${lost.kill.join(', ')}; answered non-200: ${refused.kill.join(', ')}`]), 'median', 20),
      withTarget(
        summarize('public-address-failover-freeze', 'ms', gaps.freeze, [
          probeNote,
          `freeze bound = arbiter.switchTimeout ${switchTimeout} s + the arbiter's check (a tenth of it); target = that + 20 ms; the frozen primary is fenced (SIGKILL) before the other is ordered primary`,
          `unanswered requests per run: ${lost.freeze.join(', ')}; answered non-200: ${refused.freeze.join(', ')}`,
        ]),
        'median',
        Math.round(switchTimeout * 1100 + 20),
      ),
      withTarget(
        summarize('public-address-failover-switchover', 'ms', gaps.switchover, [probeNote, bind, `answered non-200 per run: ${refused.switchover.join(', ')}`]),
        'median',
        10,
      ),
      withTarget(
        summarize('public-address-switchover-lost', 'requests', lost.switchover, [
          'requests (UDP, no retransmission) that got no answer during a manual switchover at 1,000/s',
        ]),
        'max',
        0,
      ),
      summarize('public-address-handover-bind', 'ms', byBind.gaps, [
        'prototype (bench/src/public-socket-handover.ts): two stand-in processes hand one UDP address back and forth; the new one binds it once the old one closed it (what the SIP plugin does)',
        `unanswered requests per handover: ${byBind.lost.join(', ')} (total ${byBind.lost.reduce((a, b) => a + b, 0)})`,
      ]),
      summarize('public-address-handover-passed', 'ms', byPassing.gaps, [
        'prototype: the agent binds the address once and never reads it; the old holder closes its copy, then the agent sends the handle to the new one (never two readers)',
        `unanswered requests per handover: ${byPassing.lost.join(', ')} (total ${byPassing.lost.reduce((a, b) => a + b, 0)})`,
      ]),
      withTarget(
        summarize('public-address-switchover-sipp-failed', 'calls', sipp ? [sipp.failed] : [], [
          `SIPp OPTIONS at 1,000 calls/s through the public address across ${sippRounds} manual switchovers: ${sipp?.successful ?? 0} successful, ` +
            `${sipp?.failed ?? '?'} failed, ${sipp?.retransmissions ?? '?'} retransmissions (requests lost and sent again after 500 ms)`,
        ]),
        'max',
        0,
      ),
    ];
  },
};
