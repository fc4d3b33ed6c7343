import { BenchPair } from '../bench-pair';
import { CpuSampler, udpDrops, type CpuProbe, type CpuUse } from '../machine';
import { runSipp } from '../sipp';
import { withTarget, type ScenarioResult } from '../stats';
import { sleep, type Scenario, type ScenarioContext } from './context';

/** The rate steps (calls/s) every throughput series walks, Switchyard's and the reference's alike. */
export function throughputSteps(quick: boolean): { steps: number[]; seconds: number } {
  return quick
    ? { steps: [200], seconds: 1 }
    : { steps: [1000, 2000, 4000, 6000, 8000, 10000, 12000, 14000, 17500, 20000, 24000], seconds: 10 };
}

/** A share of one core from which a single-threaded process counts as saturated. */
export const SATURATED = 0.9;
/** The whole machine's busy share from which it counts as saturated (all cores busy). */
export const MACHINE_SATURATED = 0.95;
/** The share of a step the server or SIPp may wait for a core (runnable, not running) before the machine counts as the limit (with all cores busy: 0.4 of it). */
export const WAITED = 0.25;

/** The SIP server a series loads: where SIPp sends, and which processes do its work. */
export interface ServerUnderTest {
  /** How verdicts name it: `node` (Switchyard's node processes) or `Kamailio`. */
  kind: string;
  port: number;
  /** SIPp's working folder (its logs, if any). */
  cwd: string;
  /** The processes (or threads) to follow during each step. */
  probes(): CpuProbe[];
  /** The server's load from its processes' use: the share that saturates, whose it is, and its run-queue wait share. */
  load(use: Record<string, CpuUse>): { share: number; who: string; wait: number };
}

type SignalKind = 'server CPU' | 'SIPp CPU' | 'machine CPU' | 'drops/failed calls' | 'late answers';

/** The share of a step's rate SIPp must hold: below it, its call limit (-l) held calls back because answers came late. */
export const RATE_HELD = 0.9;

/** One step of one series, as written to the JSON (`details.steps`). */
export interface StepRecord {
  rate: number;
  ok: boolean;
  successful: number;
  failed: number;
  retransmissions: number;
  timeouts: number;
  /** Calls/s SIPp measured over the step. */
  measured: number;
  /** Median shares of one core over the step (whole machine: of all cores). */
  cpu: {
    server: number;
    serverWho: string;
    /** Share of the step the server's busiest thread(s) were runnable but waited for a CPU. */
    serverWait: number;
    sipp: number;
    sippWait: number;
    machine: number;
    processes: Record<string, { cpu: number; wait: number }>;
  };
  /** Datagrams the kernel dropped on the server's and SIPp's sockets during the step. */
  drops: { server: number | null; sipp: number | null };
  signals: { kind: SignalKind; share?: number; text: string }[];
}

/**
 * Walks the rate steps with SIPp against one server, each step `seconds`
 * long, until a step fails (any failed call). While each step runs it samples
 * the CPU of the server's processes, of SIPp and of the machine, and the UDP
 * drops on both sides, so each step says what saturated.
 */
export async function runSteps(
  ctx: ScenarioContext,
  series: { name: string; scenario: string },
  server: ServerUnderTest,
  plan: { steps: number[]; seconds: number },
): Promise<StepRecord[]> {
  const tried: StepRecord[] = [];
  for (const [i, rate] of plan.steps.entries()) {
    if (i > 0 && plan.seconds >= 5) await sleep(1_000); // let the last step's backlog drain
    ctx.progress.update(`${series.name}: ${rate} calls/s for ${plan.seconds}s`);
    const calls = rate * plan.seconds;
    const serverDrops0 = udpDrops({ port: server.port });
    const sampler = new CpuSampler();
    for (const probe of server.probes()) sampler.add(probe);
    sampler.start();
    let use: ReturnType<CpuSampler['stop']> | undefined;
    let stats;
    try {
      stats = await runSipp(series.scenario, server.port, {
        calls,
        rate,
        cwd: server.cwd,
        user: `r${rate}u`,
        timeoutMs: plan.seconds * 3_000 + 10_000,
        sampler,
      });
    } finally {
      use = sampler.stop();
    }
    const serverDrops1 = udpDrops({ port: server.port });
    const load = server.load(use.processes);
    const sipp = use.processes['sipp']?.median ?? stats.sippCpu;
    const record: StepRecord = {
      rate,
      ok: stats.code === 0 && stats.failed === 0 && stats.successful === calls,
      successful: stats.successful,
      failed: stats.failed,
      retransmissions: stats.retransmissions,
      timeouts: stats.timeouts,
      measured: round(stats.rate),
      cpu: {
        server: load.share,
        serverWho: load.who,
        serverWait: load.wait,
        sipp,
        sippWait: use.processes['sipp']?.wait ?? 0,
        machine: use.machine.median,
        processes: Object.fromEntries(Object.entries(use.processes).map(([label, u]) => [label, { cpu: u.median, wait: u.wait }])),
      },
      drops: { server: serverDrops0 !== null && serverDrops1 !== null ? serverDrops1 - serverDrops0 : null, sipp: stats.drops },
      signals: [],
    };
    record.signals = signalsOf(record, server.kind);
    tried.push(record);
    if (!record.ok) break;
  }
  return tried;
}

/** What a step shows saturated: CPU shares over the thresholds, and any drop, retransmission or failure. */
function signalsOf(step: StepRecord, kind: string): StepRecord['signals'] {
  const out: StepRecord['signals'] = [];
  const pct = (n: number) => `${Math.round(n * 100)}%`;
  if (step.cpu.server >= SATURATED) out.push({ kind: 'server CPU', share: step.cpu.server, text: `${kind} CPU (${step.cpu.serverWho} ${pct(step.cpu.server)} of a core)` });
  if (step.cpu.sipp >= SATURATED) out.push({ kind: 'SIPp CPU', share: step.cpu.sipp, text: `SIPp CPU (${pct(step.cpu.sipp)} of a core)` });
  // The machine (whatever else runs on it counts too): the server or SIPp kept waiting for a core, or waited some with all cores busy.
  const waited = Math.max(step.cpu.serverWait, step.cpu.sippWait);
  if (waited >= WAITED || (step.cpu.machine >= MACHINE_SATURATED && waited >= WAITED / 2.5)) {
    out.push({
      kind: 'machine CPU',
      share: step.cpu.machine,
      text: `machine CPU (all cores ${pct(step.cpu.machine)} busy; runnable but waiting for a core: ${step.cpu.serverWho} ${pct(step.cpu.serverWait)}, SIPp ${pct(step.cpu.sippWait)} of the time)`,
    });
  }
  const lost = [
    step.failed > 0 ? `${step.failed} failed calls` : '',
    step.timeouts > 0 ? `${step.timeouts} timeouts` : '',
    step.retransmissions > 0 ? `${step.retransmissions} retransmissions` : '',
    step.drops.server ? `${step.drops.server} datagrams dropped at ${kind === 'node' ? "the primary's" : `${kind}'s`} socket` : '',
    step.drops.sipp ? `${step.drops.sipp} dropped at SIPp's socket` : '',
  ].filter(Boolean);
  if (lost.length > 0 || !step.ok) out.push({ kind: 'drops/failed calls', text: lost.length > 0 ? lost.join(', ') : 'SIPp failed' });
  if (step.measured < step.rate * RATE_HELD) {
    out.push({ kind: 'late answers', text: `SIPp held only ${Math.round(step.measured)} calls/s (its limit of calls in progress reached, or SIPp itself short of CPU)` });
  }
  return out;
}

/**
 * Who saturated first over a series: the first step with any signal; there,
 * a saturated CPU (the busiest one) explains the drops or failures, and
 * drops or failures with no CPU saturated are named as such. `none` when no
 * step showed any.
 */
export function saturatedFirst(tried: readonly StepRecord[], kind: string): { limitedBy: string; note: string } {
  const step = tried.find((s) => s.signals.length > 0);
  if (!step) return { limitedBy: `none to ${tried.at(-1)?.rate ?? '-'}`, note: 'no step saturated the server, SIPp or the machine (the limit is above the highest step tried)' };
  // A saturated process (the server or SIPp, the busier) explains the rest; the machine as a whole only when neither was.
  const processes = step.signals.filter((s) => s.kind === 'server CPU' || s.kind === 'SIPp CPU').sort((a, b) => b.share! - a.share!);
  const first = processes[0] ?? step.signals.find((s) => s.kind === 'machine CPU') ?? step.signals[0]!;
  const label = first.kind === 'server CPU' ? `${kind} CPU` : first.kind;
  const others = step.signals.filter((s) => s !== first).map((s) => s.text);
  const context = `SIPp ${Math.round(step.cpu.sipp * 100)}%, ${step.cpu.serverWho} ${Math.round(step.cpu.server * 100)}%, machine ${Math.round(step.cpu.machine * 100)}%`;
  return {
    limitedBy: `${label} @${step.rate}`,
    note: `saturated first at ${step.rate}/s (${step.ok ? 'the step passed' : 'the step failed'}): ${first.text}${others.length > 0 ? `; also ${others.join('; ')}` : ''} [${context}]`,
  };
}

/** The row of one series: the highest step passed, with the calls/s SIPp measured there, and what saturated first. */
export function throughputResult(
  name: string,
  tried: readonly StepRecord[],
  plan: { steps: number[]; seconds: number },
  kind: string,
  extra: { reference?: string; notes?: string[] } = {},
): ScenarioResult {
  const passed = tried.filter((s) => s.ok);
  // The figure is what SIPp measured, the best over the steps passed (a step may pass below its nominal rate).
  const best = [...passed].sort((a, b) => b.measured - a.measured)[0];
  const notes: string[] = [...(extra.notes ?? [])];
  const atLeast = best !== undefined && passed.at(-1)!.rate === plan.steps.at(-1);
  if (!best) notes.push(`no step passed (lowest tried ${plan.steps[0]} calls/s)`);
  else {
    notes.push(`${Math.round(best.measured)} calls/s measured by SIPp at the ${best.rate}/s step, ${plan.seconds}s with 0 failed calls; steps passed: ${passed.map((s) => s.rate).join(', ')}`);
    if (atLeast) notes.push('the highest step passed: the limit is above it');
  }
  const { limitedBy, note } = saturatedFirst(tried, kind);
  notes.push(note);
  const value = best ? Math.round(best.measured) : null;
  return {
    name,
    unit: 'calls/s',
    runs: tried.length,
    min: value,
    median: value,
    p99: null,
    max: value,
    notes,
    details: { steps: tried, seconds: plan.seconds },
    ...(extra.reference ? { reference: extra.reference } : {}),
    ...(atLeast ? { atLeast } : {}),
    limitedBy,
  };
}

interface Series {
  name: string;
  scenario: string;
  mode: 'async' | 'sync';
  /** The row of the reference scenario it is compared with. */
  reference: string;
  /** Issue 12's target for the full run. */
  target: number;
}

const SERIES: Series[] = [
  { name: 'register-throughput-async', scenario: 'register.xml', mode: 'async', reference: 'kamailio-register-throughput', target: 12_000 },
  { name: 'register-throughput-sync', scenario: 'register.xml', mode: 'sync', reference: 'kamailio-register-throughput', target: 8_000 },
  { name: 'options-throughput', scenario: 'options.xml', mode: 'async', reference: 'kamailio-options-throughput', target: 20_000 },
];

/** A node pair as the server under test: the primary takes the load, and both nodes' main threads are followed. */
function pairServer(pair: BenchPair, primary: { id: string; pid: number | null }, backup: { pid: number | null }): ServerUnderTest {
  return {
    kind: 'node',
    port: pair.portOf(primary),
    cwd: pair.dir,
    probes: () => {
      const probes: CpuProbe[] = [];
      for (const [role, pid] of [['primary', primary.pid], ['backup', backup.pid]] as const) {
        if (pid === null) continue;
        probes.push({ label: `${role} main thread`, pid, tid: pid }, { label: `${role} process`, pid });
      }
      return probes;
    },
    load: (use) => {
      const p = use['primary main thread'];
      const b = use['backup main thread'];
      return b && b.median > (p?.median ?? 0)
        ? { share: b.median, who: "backup's main thread", wait: b.wait }
        : { share: p?.median ?? 0, who: "primary's main thread", wait: p?.wait ?? 0 };
    },
  };
}

/** Bindings a series' pair must hold: every call of every step registers a new user, 10 % spare. */
export function storeSizeFor(plan: { steps: readonly number[]; seconds: number }): number {
  return Math.ceil(plan.steps.reduce((sum, rate) => sum + rate * plan.seconds, 0) * 1.1);
}

/**
 * SIPp at stepped rates against the primary; a step passes when every call
 * succeeded (0 failed) over the whole step. The figure is the highest rate
 * sustained, with the calls/s SIPp itself measured at that step, compared
 * with Kamailio's (the `reference` scenario) and with what saturated first.
 */
export const throughputScenario: Scenario = {
  name: 'register-throughput',
  async run(ctx: ScenarioContext): Promise<ScenarioResult[]> {
    const plan = throughputSteps(ctx.quick);
    const results: ScenarioResult[] = [];
    for (const series of SERIES) {
      // Every call registers a new user (expiring in an hour), so the store holds every REGISTER of the series: sized for
      // them, as Kamailio's usrloc is (-m/-M), or the default cap (memory / 8 / 8 KiB: 385,681 here) answers 503 from
      // the 12,000/s step on and the row shows the cap, not the speed.
      const pair = new BenchPair({ sip: { replication: { mode: series.mode, syncTimeout: 0.5 }, registrar: { maxBindings: storeSizeFor(plan) } } });
      await pair.start();
      let tried: StepRecord[] = [];
      try {
        const { primary, backup } = await pair.stable();
        tried = await runSteps(ctx, series, pairServer(pair, primary, backup), plan);
      } finally {
        await pair.stop();
      }
      const row = throughputResult(series.name, tried, plan, 'node', { reference: series.reference });
      if (series.name === 'register-throughput-async' && !ctx.quick && row.median !== null) ctx.shared['register-async-capacity'] = row.median; // for false-switchovers
      // The issue's targets are for the full run's steps; --quick tries one low step only.
      results.push(ctx.quick ? row : withTarget(row, 'median', series.target, 'least'));
    }
    return results;
  },
};

const round = (n: number) => Math.round(n * 100) / 100;
