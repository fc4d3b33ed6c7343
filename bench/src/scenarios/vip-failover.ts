import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isLabError, Lab, LabPair, NODES, startProbe, type HostName, type LabProcess, type Probe } from '@switchyard/lab';
import { hasTool, waitFor } from '@switchyard/sdk/testing';
import { killKeepalived, startKeepalived, stopKeepalived, tail, type KeepalivedInstance } from '../keepalived';
import { skippedResult, summarize, withTarget, type ScenarioResult } from '../stats';
import type { Scenario, ScenarioContext } from './context';
import { FIRST_ELECTION_MS, PROBE_INTERVAL_MS, PROBE_SECONDS, REJOIN_MS, rolesOf, stopProbe } from './lab-pair';

const NAME = 'vip-failover';
const VIP = '198.51.100.100';
const VIP_CIDR = `${VIP}/24`;
const TARGET = `${VIP}:5060`;
const SIP_IF = 'sip0';
const CLIENT = '198.51.100.254';
const TAKEOVER_MS = 15_000;
/** The 200s must have flowed this long after the takeover was seen before the gap is read (in-flight answers settle). */
const SETTLE_MS = 300;
/** Switchyard kill-median / keepalived-0.1s kill-median must be at most this. */
const TARGET_RATIO = 0.3;
const OTHER: Record<HostName, HostName> = { h1: 'h2', h2: 'h1' };
const RESPONDER = path.join(__dirname, '..', 'sip-responder.js');

type Fault = 'kill' | 'cut';

interface GapRun {
  fault: Fault;
  /** The host that held the VIP before the fault. */
  from: HostName;
  /** The client-visible gap: the longest silence between two 200s through the VIP around the fault. */
  gapMs: number;
  /** The fault to the first 200 through the VIP after the longest silence. */
  faultToFirstMs: number;
}

/** Missing root or a tool: a skip here, an error under CI=true (CI must run every scenario). */
function skipOrThrow(reason: string, cause?: unknown): { skipped: string } {
  if (process.env.CI === 'true') throw new Error(`${NAME} needs the network-namespace lab, and CI must run it: ${reason}`, { cause });
  return { skipped: reason };
}

function labUnavailable(error: unknown): { skipped: string } | undefined {
  if (isLabError(error, 'SWY_ERR_LAB_NOT_ROOT') || isLabError(error, 'SWY_ERR_LAB_TOOL_MISSING')) {
    return skipOrThrow(`${error.code}: ${error.message}. ${error.remedy}`, error);
  }
  return undefined;
}

/** Whether the VIP is on sip0 of `host`, read inside its namespace (works while the host is cut off). */
async function holdsVip(lab: Lab, host: HostName): Promise<boolean> {
  const r = await lab.run(host, ['ip', '-json', 'addr', 'show', 'dev', SIP_IF], { timeoutMs: 5_000 });
  if (r.code !== 0) return false;
  const links = JSON.parse(r.stdout) as { addr_info: { local: string }[] }[];
  return links.some((l) => l.addr_info.some((a) => a.local === VIP));
}

/** The OPTIONS prober of @switchyard/lab, from the client namespace to the VIP only. */
function probeVip(lab: Lab): Probe {
  return startProbe(lab, 'client', CLIENT, [TARGET], PROBE_INTERVAL_MS, PROBE_SECONDS);
}

/**
 * Runs one fault with the prober going: waits for 200s through the VIP,
 * applies the fault, waits until the VIP is on the other host and 200s
 * flow again, and reads the gap: the longest silence between consecutive
 * 200s from the last one before the fault on (any 200 in flight at the
 * fault is then no false "first 200 after").
 */
async function measureGap(lab: Lab, from: HostName, fault: Fault, apply: () => Promise<void> | void): Promise<GapRun> {
  const probe = probeVip(lab);
  try {
    const since = Date.now();
    await waitFor(() => (probe.answers.filter((a) => a.at >= since && a.status === 200).length >= 10 ? true : undefined), 10_000, `200s through the VIP on ${from}`);
    const faultAt = Date.now();
    await apply();
    const to = OTHER[from];
    const seenAt = await waitFor(async () => ((await holdsVip(lab, to)) ? Date.now() : undefined), TAKEOVER_MS, `the VIP on ${to} after the ${fault} on ${from}`);
    await waitFor(() => (probe.answers.some((a) => a.status === 200 && a.at >= seenAt + SETTLE_MS) ? true : undefined), TAKEOVER_MS, `200s through the VIP on ${to}`);
    const oks = probe.answers.filter((a) => a.status === 200 && a.at <= seenAt + SETTLE_MS);
    let i = -1;
    for (let j = 0; j < oks.length && oks[j]!.at <= faultAt; j++) i = j;
    if (i < 0) throw new Error(`no 200 through the VIP before the ${fault}`);
    let gapMs = 0;
    let firstAt = oks[i]!.at;
    for (; i + 1 < oks.length; i++) {
      const d = oks[i + 1]!.at - oks[i]!.at;
      if (d > gapMs) {
        gapMs = d;
        firstAt = oks[i + 1]!.at;
      }
    }
    return { fault, from, gapMs, faultToFirstMs: firstAt - faultAt };
  } finally {
    await stopProbe(probe);
  }
}

const hostOf = (node: keyof typeof NODES): HostName => NODES[node];

/** Switchyard: the pair with sip-iptakeover-monitoring holding the VIP; `reps` kills, then `reps` cuts. */
async function switchyardRuns(ctx: ScenarioContext, reps: number): Promise<GapRun[] | { skipped: string }> {
  ctx.progress.update(`${NAME}: Switchyard: building the lab (namespaces, etcd, two agents with the VIP)`);
  let pair: LabPair;
  try {
    pair = await LabPair.create({ etcdMembers: 1, plugins: { 'sip-iptakeover-monitoring': { vip: VIP_CIDR, interface: SIP_IF } } });
  } catch (error) {
    const skipped = labUnavailable(error);
    if (skipped) return skipped;
    throw error;
  }
  try {
    pair.startAgent('sip-a');
    pair.startAgent('sip-b');
    ctx.progress.update(`${NAME}: Switchyard: waiting for the first election`);
    let roles = await rolesOf(pair, 0, FIRST_ELECTION_MS);
    const runs: GapRun[] = [];
    for (const fault of ['kill', 'cut'] as const) {
      for (let i = 0; i < reps; i++) {
        const host = hostOf(roles.primary);
        ctx.progress.update(`${NAME}: Switchyard ${fault} ${i + 1}/${reps} (${roles.primary} on ${host})`);
        await waitFor(async () => ((await holdsVip(pair.lab, host)) ? true : undefined), 10_000, `the VIP on ${host}`);
        const pid = roles.primaryNodePid;
        runs.push(await measureGap(pair.lab, host, fault, () => (fault === 'kill' ? pair.lab.signal(pid, 'SIGKILL') : pair.lab.cutHost(host))));
        if (fault === 'cut') await pair.lab.restoreHost(host);
        ctx.progress.update(`${NAME}: Switchyard ${fault} ${i + 1}/${reps}, waiting for ${roles.primary} back as backup`);
        roles = await rolesOf(pair, roles.term, REJOIN_MS, roles.backup);
      }
    }
    return runs;
  } finally {
    ctx.progress.update(`${NAME}: Switchyard: removing the lab`);
    await pair.destroy();
  }
}

/** The address of `host` on the SIP network. */
const sipAddress = (lab: Lab, host: HostName) => lab.hosts[host].sipAddress;

/**
 * keepalived: the same lab topology without Switchyard; a UDP OPTIONS
 * responder on 0.0.0.0:5060 on each host; keepalived (VRRPv3, unicast
 * adverts) on each host, h1 priority 100, h2 50. Each run starts both
 * daemons fresh, so h1 is always the master that fails.
 */
async function keepalivedRuns(ctx: ScenarioContext, reps: number, advertInt: number): Promise<GapRun[] | { skipped: string }> {
  const label = `keepalived ${advertInt}s`;
  ctx.progress.update(`${NAME}: ${label}: building the lab`);
  let lab: Lab;
  try {
    lab = await Lab.create({ etcdMembers: 0 });
  } catch (error) {
    const skipped = labUnavailable(error);
    if (skipped) return skipped;
    throw error;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'swy-bench-keepalived-'));
  const responders = new Map<HostName, LabProcess>();
  const startResponder = (host: HostName) =>
    responders.set(host, lab.spawn(host, [process.execPath, RESPONDER], { logFile: path.join(dir, `responder-${host}.out`), label: `sip responder ${host}` }));
  const instances: KeepalivedInstance[] = [];
  try {
    startResponder('h1');
    startResponder('h2');
    const runs: GapRun[] = [];
    for (const fault of ['kill', 'cut'] as const) {
      for (let i = 0; i < reps; i++) {
        ctx.progress.update(`${NAME}: ${label} ${fault} ${i + 1}/${reps}`);
        const vrrp = (host: HostName, priority: number) => ({
          vip: VIP_CIDR,
          interface: SIP_IF,
          advertInt,
          priority,
          self: sipAddress(lab, host),
          peer: sipAddress(lab, OTHER[host]),
        });
        instances.push(await startKeepalived(lab, 'h1', dir, vrrp('h1', 100)));
        await waitFor(async () => ((await holdsVip(lab, 'h1')) ? true : undefined), 10_000, `keepalived master on h1: ${tail(dir, 'h1')}`);
        instances.push(await startKeepalived(lab, 'h2', dir, vrrp('h2', 50)));
        // h2 has heard h1's adverts and stays backup: the pair is steady.
        await waitFor(() => (/Entering BACKUP STATE/.test(tail(dir, 'h2')) ? true : undefined), 10_000, `keepalived backup on h2: ${tail(dir, 'h2')}`);
        await new Promise((r) => setTimeout(r, Math.max(300, advertInt * 2_000)));
        if (await holdsVip(lab, 'h2')) throw new Error(`keepalived on h2 holds the VIP beside h1: ${tail(dir, 'h2')}`);
        const master = instances.at(-2)!;
        runs.push(
          await measureGap(lab, 'h1', fault, async () => {
            if (fault === 'cut') return lab.cutHost('h1');
            // The primary's SIP service and its VRRP daemon die together (else h1 answers on: keepalived leaves the VIP there).
            killKeepalived(lab, master);
            const responder = responders.get('h1')!;
            lab.signal(responder.pid, 'SIGKILL');
          }),
        );
        for (const k of instances.splice(0)) await stopKeepalived(lab, k);
        if (fault === 'cut') await lab.restoreHost('h1');
        for (const host of ['h1', 'h2'] as const) {
          if (await holdsVip(lab, host)) await lab.run(host, ['ip', 'addr', 'del', VIP_CIDR, 'dev', SIP_IF]);
        }
        const responder = responders.get('h1')!;
        if (!responder.running) {
          await responder.exited;
          startResponder('h1');
        }
      }
    }
    return runs;
  } finally {
    ctx.progress.update(`${NAME}: ${label}: removing the lab`);
    for (const k of instances) await stopKeepalived(lab, k).catch(() => undefined);
    for (const r of responders.values()) {
      if (r.running) lab.signal(r.pid, 'SIGKILL');
      await r.exited;
    }
    await lab.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const medianOf = (runs: GapRun[], fault: Fault) => summarize('', 'ms', runs.filter((r) => r.fault === fault).map((r) => r.gapMs)).median;

function rowsOf(system: string, runs: GapRun[] | { skipped: string }, notes: Record<Fault, string[]>): ScenarioResult[] {
  return (['kill', 'cut'] as const).map((fault) => {
    const name = `${NAME}-${system}-${fault}`;
    if (!Array.isArray(runs)) return skippedResult(name, 'ms', runs.skipped);
    const these = runs.filter((r) => r.fault === fault);
    const result = summarize(name, 'ms', these.map((r) => r.gapMs), [
      ...notes[fault],
      `fault -> first 200 through the VIP: median ${summarize('', 'ms', these.map((r) => r.faultToFirstMs)).median} ms`,
    ]);
    return { ...result, details: { runs: these } };
  });
}

/**
 * vip-failover: the client-visible gap through the virtual IP 198.51.100.100
 * (UDP OPTIONS every 10 ms from the client namespace; gap = last 200 before
 * the fault to the first 200 after) on kill -9 of the primary and on a cut of
 * the primary host's links, for Switchyard (sip-iptakeover-monitoring) and,
 * in the same run and topology, keepalived (VRRP, adverts every 1 s and
 * 0.1 s) moving the same VIP.
 */
export const vipFailoverScenario: Scenario = {
  name: NAME,
  usesSipp: false,
  async run(ctx: ScenarioContext): Promise<ScenarioResult[]> {
    const reps = ctx.quick ? 1 : 5;
    const missing = ['keepalived', 'arping'].filter((t) => !hasTool(t));
    const toolsMissing = missing.length > 0 ? skipOrThrow(`${missing.join(', ')} not installed (apt-get install keepalived iputils-arping)`) : undefined;
    const switchyard = toolsMissing ?? (await switchyardRuns(ctx, reps));
    const ka1 = toolsMissing ?? (await keepalivedRuns(ctx, reps, 1));
    const ka01 = toolsMissing ?? (await keepalivedRuns(ctx, reps, 0.1));
    const common = `two lab hosts, VIP ${VIP_CIDR} on ${SIP_IF}; OPTIONS every ${PROBE_INTERVAL_MS} ms from the client namespace to ${TARGET}; gap = longest silence between 200s from the last 200 before the fault until 200s flow from the other host`;
    const kaNotes = (advert: number): Record<Fault, string[]> => ({
      kill: [
        `${common}; keepalived 2.2.7, VRRPv3, advert_int ${advert} s, unicast adverts, priorities 100/50; a UDP OPTIONS responder on 0.0.0.0:5060 on each host`,
        'kill -9 of the MASTER keepalived (its VRRP child, then the parent) together with the SIP responder on its host: keepalived does not remove the VIP on SIGKILL, so without the responder dying h1 would go on answering; the backup takes over after 3 missed adverts + skew and sends gratuitous ARPs',
      ],
      cut: [`${common}; keepalived 2.2.7, VRRPv3, advert_int ${advert} s; both links of the MASTER's host cut`],
    });
    const rows = [
      ...rowsOf('switchyard', switchyard, {
        kill: [`${common}; Switchyard pair with sip-iptakeover-monitoring (etcd arbiter, 1 member; leaseTtl 2 s); kill -9 of the primary's node process, its agent alive`],
        cut: [`${common}; Switchyard pair as above; both links of the primary's host cut`],
      }),
      ...rowsOf('keepalived-1s', ka1, kaNotes(1)),
      ...rowsOf('keepalived-0.1s', ka01, kaNotes(0.1)),
    ];
    const swKill = Array.isArray(switchyard) ? medianOf(switchyard, 'kill') : null;
    const kaKill = Array.isArray(ka01) ? medianOf(ka01, 'kill') : null;
    if (swKill !== null && kaKill !== null && kaKill > 0) {
      const ratio = swKill / kaKill;
      const note = `ratio Switchyard kill median / keepalived 0.1 s kill median = ${swKill} / ${kaKill} = ${ratio.toFixed(2)} (target ≤ ${TARGET_RATIO})`;
      rows[0] = withTarget({ ...rows[0]!, notes: [...rows[0]!.notes, note] }, 'median', Math.round(TARGET_RATIO * kaKill));
      const kaCut = Array.isArray(ka01) ? medianOf(ka01, 'cut') : null;
      const swCut = medianOf(switchyard as GapRun[], 'cut');
      if (kaCut && swCut !== null) rows[1] = { ...rows[1]!, notes: [...rows[1]!.notes, `ratio to keepalived 0.1 s cut median = ${swCut} / ${kaCut} = ${(swCut / kaCut).toFixed(2)}`] };
    }
    return rows;
  },
};
