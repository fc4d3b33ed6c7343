import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  doublePrimaries,
  withHeldRepliesAtSendTime,
  findLeaks,
  isDoublePrimaryViolation,
  injectFault,
  longestOutage,
  lostRegistrations,
  queryRegistrations,
  snapshotResources,
  startSippRegisterLoad,
  startProbe,
  waitForSettledPair,
  withoutInFlightAcrossFreezes,
  SIP,
  type ActiveFault,
  type FaultContext,
  type LabPair,
  type LabProcess,
  type Freeze,
  type Probe,
  type ProbeAnswer,
  type RegisterLoad,
  type SettledPair,
} from '@switchyard/lab';
import { waitFor } from '@switchyard/core/testing';
import { boundsFor, outageBound, type Bounds } from './bounds';
import { summarizeKinds, type ChaosReport, type FaultResult, type InvariantName, type Violation } from './report';
import { describeFault, targetOf, type ScheduledFault } from './schedule';
import { createChaosPair, HA_PORT, LEASE_TTL, SIP_IF, SIP_PORT, startDevice, VIP, VIP_ATTEMPTS, VIP_CHECK_INTERVAL, VIP_CIDR } from './setup';
import { eventsBetween, formatTimeline } from './timeline';

/** OPTIONS period of every prober (client: both nodes and the VIP; each host: its own node). */
export const PROBE_INTERVAL_MS = 15;
/** Most event lines printed with a VIP outage violation. */
const TIMELINE_LINES = 60;
/** REGISTERs per second through the VIP, sent by SIPp (one in five refreshes an earlier user). */
const REGISTER_RATE = 10;
const REGISTER_EXPIRES = 3600;
/** Answers kept from before a window, so a span crossing it is seen whole. */
const CARRY_MS = 5_000;

export interface RunOptions {
  seed: number;
  schedule: readonly ScheduledFault[];
  log: (line: string) => void;
  /** Called once the pair exists, so a signal handler can remove it. */
  onPair?: (pair: LabPair) => void;
  /** Keep the agents' output and the nodes' logs also when no invariant was violated. */
  keepLogs?: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const iso = (ms: number) => new Date(ms).toISOString();
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Copies the agents' output, the nodes' logs and their journals (evidence for a lost binding) out of the pair's folder before it is removed. */
function keepLogs(pair: LabPair, seed: number): string {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), `switchyard-chaos-${seed}-`));
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== 'node_modules') walk(file);
      else if (entry.isFile() && !/\.(key|crt|token)$/.test(entry.name) && entry.name !== 'switchyard.config.json') {
        const to = path.join(out, path.relative(pair.dir, file));
        fs.mkdirSync(path.dirname(to), { recursive: true });
        fs.copyFileSync(file, to);
      }
    }
  };
  walk(pair.dir);
  return out;
}

/**
 * One chaos run: a fresh lab pair with every first-party plugin, probers and
 * a REGISTER load through the VIP; then each scheduled fault is injected,
 * held, healed, and the pair must settle again; the invariants are checked
 * after each fault and at the end. The lab is always removed.
 */
export async function runChaos(opts: RunOptions): Promise<ChaosReport> {
  const { seed, schedule, log } = opts;
  const startedAt = Date.now();
  const bounds: Bounds = boundsFor({ leaseTtl: LEASE_TTL, probeIntervalMs: PROBE_INTERVAL_MS, vipCheckInterval: VIP_CHECK_INTERVAL, vipAttempts: VIP_ATTEMPTS });
  const violations: Violation[] = [];
  const results: FaultResult[] = [];
  const kindOf = (index: number | null) => (index === null ? null : (schedule[index - 1]?.kind ?? null));
  const violate = (invariant: InvariantName, faultIndex: number | null, detail: string, at = Date.now()) => {
    violations.push({ invariant, faultIndex, kind: kindOf(faultIndex), at: iso(at), detail, seed });
    log(`  VIOLATION [${invariant}] fault ${faultIndex ?? '-'}: ${detail}`);
  };
  const registrations = { acked: 0, rejected: 0, timedOut: 0, usersQueried: 0, lost: 0 };
  let aborted: string | undefined;

  const before = await snapshotResources();
  // Every process of the run stops by itself after this, whatever happens here.
  const budgetS = Math.min(schedule.length * 60 + 300, 6 * 3600);
  log('chaos: building the lab (namespaces, 3 etcd members, two agents with every first-party plugin)');
  const pair = await createChaosPair();
  opts.onPair?.(pair);
  const leftovers = [pair.dir, pair.lab.dir];
  const labNamespaces = [...pair.lab.namespaces];
  const vipSpec = { address: VIP, dev: SIP_IF };
  const vipTarget = `${VIP}:${SIP_PORT}`;
  const nodes = { 'sip-a': SIP['sip-a'], 'sip-b': SIP['sip-b'] };
  const ctx: FaultContext = { vip: VIP_CIDR, sipIf: SIP_IF, haPort: HA_PORT, etcdMembers: 3 };
  const probes: Probe[] = [];
  /** SIGSTOP faults so far: answers in flight across one are the documented exception. */
  const freezes: Freeze[] = [];
  const procs: LabProcess[] = [];
  let load: RegisterLoad | undefined;
  const seenOverlaps = new Map<string, boolean>();

  const answers = (): ProbeAnswer[] => probes.flatMap((p) => p.answers);
  /** Answers each prober got (client, inside h1, inside h2), counted as they are dropped from memory. */
  const answered = [0, 0, 0];
  const trim = (since: number) => {
    probes.forEach((p, n) => {
      const i = p.answers.findIndex((a) => a.at >= since);
      answered[n]! += p.answers.splice(0, i < 0 ? p.answers.length : i).length;
    });
  };
  const overlaps = { seen: 0, maxMs: 0 };
  /** Which nodes answered 200 on their own address during a VIP outage: a primary served, but not through the VIP. */
  const servingDuring = (span: { from: number; to: number }): string => {
    const inside = answers().filter((a) => a.at > span.from && a.at < span.to && a.status === 200);
    const per = Object.entries(nodes).map(([node, target]) => `${node} ${inside.filter((a) => a.target === target).length}`);
    return `200s on the nodes' own addresses meanwhile: ${per.join(', ')}`;
  };
  /** The 200s of both nodes within an overlap, with when each request was sent: a reply held up in a queue shows as a long round trip. */
  const answersIn = (d: { from: number; to: number; nodes: [string, string] }): string => {
    const shown = d.nodes.map((node) => {
      const mine = answers().filter((a) => a.target === nodes[node as keyof typeof nodes] && a.status === 200 && a.at >= d.from && a.at <= d.to);
      const listed = mine.slice(0, 3).map((a) => `${iso(a.at)} (sent ${a.sentAt === undefined ? '?' : `${Math.round(a.at - a.sentAt)} ms before`})`);
      return `${node}'s 200s: ${listed.join(', ')}${mine.length > 3 ? ` and ${mine.length - 3} more` : ''}`;
    });
    return shown.join('; ');
  };
  /** Double primaries in the answers kept so far; each reported once, when it first exceeds the bound. */
  const checkDoublePrimaries = (faultIndex: number | null, windowFrom: number) => {
    const placed = withHeldRepliesAtSendTime(withoutInFlightAcrossFreezes(answers(), freezes), bounds.heldReplyMs, freezes);
    for (const d of doublePrimaries(placed, nodes, bounds.maxSilenceMs)) {
      const key = `${d.nodes.join('+')}@${d.from}`;
      if (!seenOverlaps.has(key)) overlaps.seen++;
      overlaps.maxMs = Math.max(overlaps.maxMs, d.ms);
      if (!isDoublePrimaryViolation(d, bounds.doublePrimaryMs)) {
        seenOverlaps.set(key, false);
        continue;
      }
      if (seenOverlaps.get(key)) continue;
      seenOverlaps.set(key, true);
      const index = faultIndex !== null && d.from < windowFrom ? Math.max(1, faultIndex - 1) : faultIndex;
      const how = d.shape === 'inside' ? 'one answered 200 while the other served before and after it' : `a handoff overlap over the bound of ${bounds.doublePrimaryMs} ms`;
      violate('double-primary', index, `${d.nodes[0]} and ${d.nodes[1]} both answered 200 as primary for ${d.ms} ms, ${iso(d.from)} to ${iso(d.to)} (${how}); ${answersIn(d)}`, d.from);
    }
  };

  try {
    procs.push(startDevice(pair, budgetS));
    pair.startAgent('sip-a');
    pair.startAgent('sip-b');
    let settled: SettledPair = await waitForSettledPair(pair, 60_000, vipSpec);
    log(`chaos: pair settled: ${settled.primary} primary, ${settled.backup} backup, term ${settled.term}`);
    const client = pair.lab.client.sipAddress;
    probes.push(
      startProbe(pair.lab, 'client', client, [nodes['sip-a'], nodes['sip-b'], vipTarget], PROBE_INTERVAL_MS, budgetS),
      startProbe(pair.lab, 'h1', pair.lab.hosts.h1.sipAddress, [nodes['sip-a']], PROBE_INTERVAL_MS, budgetS),
      startProbe(pair.lab, 'h2', pair.lab.hosts.h2.sipAddress, [nodes['sip-b']], PROBE_INTERVAL_MS, budgetS),
    );
    procs.push(...probes.map((p) => p.proc));
    load = startSippRegisterLoad(pair.lab, 'client', { from: client, target: vipTarget, domain: VIP, rate: REGISTER_RATE, seconds: budgetS, prefix: `s${seed}u`, expires: REGISTER_EXPIRES, dir: pair.dir });
    procs.push(load.proc);
    await waitFor(() => (load!.counts.acked >= 5 && answers().some((a) => a.target === vipTarget && a.status === 200) ? true : undefined), 15_000, 'REGISTER 200s and OPTIONS 200s through the VIP');

    for (const f of schedule) {
      const windowFrom = Date.now();
      try {
        settled = await waitForSettledPair(pair, bounds.settleMs, vipSpec);
      } catch (error) {
        violate('not-settled', f.index, `the pair was not settled before the fault: ${message(error)}`);
        aborted = `the pair did not settle before fault ${f.index}`;
        break;
      }
      const injectedAt = Date.now();
      let active: ActiveFault | undefined;
      try {
        active = await injectFault(pair, { kind: f.kind, role: f.role, member: f.member, stepSeconds: f.stepSeconds }, settled, ctx);
      } catch (error) {
        violate('fault-failed', f.index, `could not inject ${describeFault(f)}: ${message(error)}`);
      }
      const frozenAt = Date.now();
      await sleep(f.holdMs);
      const healedAt = Date.now();
      if (f.kind === 'stop' && active?.node) freezes.push({ target: nodes[active.node], frozenAt, thawedAt: healedAt });
      try {
        await active?.heal();
      } catch (error) {
        violate('fault-failed', f.index, `could not heal ${describeFault(f)}: ${message(error)}`);
      }
      let settledAt: number | null = null;
      try {
        settled = await waitForSettledPair(pair, bounds.settleMs, vipSpec);
        settledAt = Date.now();
      } catch (error) {
        violate('not-settled', f.index, `the pair was not settled ${bounds.settleMs / 1000} s after the heal: ${message(error)}`);
        aborted = `the pair did not settle after fault ${f.index}`;
      }
      if (settledAt !== null) await sleep(f.pauseMs);
      const bound = outageBound(bounds, f.kind, f.role);
      // Service through the VIP must be back before the window closes: a settled pair the client cannot reach is no recovery.
      if (settledAt !== null) {
        try {
          await waitFor(() => (answers().some((a) => a.target === vipTarget && a.status === 200 && a.at > Date.now() - 4 * PROBE_INTERVAL_MS) ? true : undefined), bounds.settleMs, '200s through the VIP');
        } catch {
          aborted = `no 200 through the VIP ${bounds.settleMs / 1000} s after fault ${f.index} settled`;
        }
      }
      const windowEnd = Date.now();
      const outage = longestOutage(answers(), vipTarget, { from: windowFrom, to: windowEnd });
      if (outage && outage.ms > bound) {
        violate('vip-outage', f.index, `no 200 through the VIP for ${outage.ms} ms, ${iso(outage.from)} to ${iso(outage.to)} (bound ${bound} ms); ${servingDuring(outage)}`, outage.from);
        // CI keeps only the output: what the agents and nodes logged around the outage goes with it.
        log(`  fault ${f.index} injected ${iso(injectedAt)}, healed ${iso(healedAt)}; the agents' and nodes' events from 1 s before:`);
        for (const line of formatTimeline(eventsBetween(path.join(pair.dir, 'state'), Math.min(injectedAt, outage.from) - 1_000, outage.to + 500), TIMELINE_LINES)) log(line);
      }
      checkDoublePrimaries(f.index, windowFrom);
      const result: FaultResult = {
        index: f.index,
        kind: f.kind,
        target: targetOf(f),
        what: active?.what ?? '(not injected)',
        injectedAt,
        healedAt,
        settledAt,
        outageMs: outage?.ms ?? null,
        boundMs: bound,
        settleMs: settledAt === null ? null : settledAt - healedAt,
        primaryAfter: settledAt === null ? null : settled.primary,
      };
      results.push(result);
      log(
        `[${f.index}/${schedule.length}] ${f.kind} ${targetOf(f)}: ${result.what}; held ${(f.holdMs / 1000).toFixed(1)} s; ` +
          `${result.settleMs === null ? 'NOT settled' : `settled ${(result.settleMs / 1000).toFixed(1)} s after the heal, ${result.primaryAfter} primary`}; ` +
          `VIP outage ${result.outageMs ?? '-'} ms (bound ${bound}); registrations ${load.counts.acked} acked`,
      );
      trim(windowEnd - CARRY_MS);
      if (aborted) break;
    }

    // The load stops (the REGISTERs in flight get their answer or time out); every REGISTER that got 200 must be on the primary with its expiry.
    await load.stop();
    Object.assign(registrations, load.counts);
    if (!aborted) {
      try {
        await waitForSettledPair(pair, bounds.settleMs, vipSpec);
        const users = [...load.acked.keys()];
        registrations.usersQueried = users.length;
        log(`chaos: querying the ${users.length} registered users through the VIP`);
        const found = await queryRegistrations(pair.lab, 'client', { from: client, target: vipTarget, domain: VIP, users, dir: pair.dir, timeoutMs: 30_000 + users.length * 20 });
        const lost = lostRegistrations(load.acked.values(), found, Date.now(), 2);
        registrations.lost = lost.length;
        for (const l of lost.slice(0, 20)) {
          const during = [...results].reverse().find((r) => r.injectedAt <= l.acked.at);
          violate(
            'registration',
            during?.index ?? null,
            `${l.user} got 200 at ${iso(l.acked.at)} (expires ${l.acked.expires} s) but is ${l.reason === 'expiry' ? `found with expiry ${JSON.stringify(l.found?.expires)}` : l.reason === 'missing' ? `missing (query answered ${l.found?.status})` : 'unanswered'}`,
            l.acked.at,
          );
        }
        if (lost.length > 20) violate('registration', null, `${lost.length - 20} more acknowledged registrations lost (${lost.length} in all)`);
      } catch (error) {
        violate('registration', null, `could not query the registrations: ${message(error)}`);
      }
    }
    checkDoublePrimaries(schedule.length, Date.now());
    trim(Number.POSITIVE_INFINITY);
  } finally {
    for (const p of procs) p.kill('SIGKILL');
    await Promise.all(procs.map((p) => p.exited));
    if (violations.length > 0 || opts.keepLogs) log(`chaos: agent output and node logs kept in ${keepLogs(pair, seed)}`);
    log('chaos: removing the lab');
    await pair.destroy();
  }

  const after = await snapshotResources();
  for (const leak of findLeaks(before, after, { fdSlack: 2, paths: leftovers, namespaces: labNamespaces })) violate('leak', null, `${leak.kind} left behind: ${leak.what}`);

  return {
    seed,
    faultsPlanned: schedule.length,
    faultsInjected: results.length,
    startedAt: iso(startedAt),
    durationMs: Date.now() - startedAt,
    perKind: summarizeKinds(results),
    registrations,
    probes: { client: answered[0]!, insideH1: answered[1]!, insideH2: answered[2]!, overlapsSeen: overlaps.seen, longestOverlapMs: overlaps.maxMs },
    violations,
    results,
    ...(aborted ? { aborted } : {}),
  };
}
