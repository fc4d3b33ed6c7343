import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';

export interface MachineInfo {
  host: string;
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  node: string;
  sipp: string | null;
  /** The reference SIP server's version (`kamailio -v`), null when it is not installed. */
  kamailio: string | null;
}

export function machineInfo(): MachineInfo {
  let sipp: string | null = null;
  try {
    sipp = /SIPp v[\w.-]+/.exec(execFileSync('sipp', ['-v'], { encoding: 'utf8', timeout: 5_000 }))?.[0] ?? null;
  } catch (error) {
    // sipp -v exits non-zero but prints its version
    sipp = /SIPp v[\w.-]+/.exec(String((error as { stdout?: string }).stdout ?? ''))?.[0] ?? null;
  }
  return {
    host: os.hostname(),
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    sipp,
    kamailio: kamailioVersion(),
  };
}

/** `kamailio 5.6.3`, or null when the binary is missing (PATH, then /usr/sbin where Debian puts it). */
export function kamailioVersion(): string | null {
  const bin = kamailioBinary();
  if (!bin) return null;
  try {
    return /kamailio [\w.-]+/.exec(execFileSync(bin, ['-v'], { encoding: 'utf8', timeout: 5_000 }))?.[0] ?? null;
  } catch {
    return null;
  }
}

/** Path of the kamailio binary, or null. */
export function kamailioBinary(): string | null {
  const dirs = [...(process.env.PATH ?? '').split(':').filter(Boolean), '/usr/sbin', '/usr/local/sbin'];
  for (const dir of dirs) {
    const file = `${dir}/kamailio`;
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return null;
}

export function gitCommit(cwd: string): string | null {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd, encoding: 'utf8', timeout: 5_000 }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, encoding: 'utf8', timeout: 5_000 }).trim();
    return dirty ? `${sha}-dirty` : sha;
  } catch {
    return null;
  }
}

/** Resident set size of a process in MiB (Linux /proc). */
export function rssMiB(pid: number): number | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    return kb ? Math.round((Number(kb) / 1024) * 10) / 10 : null;
  } catch {
    return null;
  }
}

/**
 * CPU seconds (user + system) a process has used so far (Linux /proc), or
 * one of its threads with `tid` (a Node process's main thread is `tid` = pid:
 * the event loop, which is what saturates; the process total also counts GC
 * and libuv threads).
 */
export function cpuSeconds(pid: number, tid?: number): number | null {
  try {
    const file = tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`;
    const stat = fs.readFileSync(file, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime, in clock ticks (USER_HZ, 100 on Linux)
    const ticks = Number(fields[11]) + Number(fields[12]);
    return ticks / 100;
  } catch {
    return null;
  }
}

/**
 * Nanoseconds a thread (the main thread of `pid` by default) has spent
 * runnable but waiting for a CPU (/proc/<pid>/task/<tid>/schedstat, second
 * field): a server that waits a lot was held back by the machine, not by itself.
 */
export function runQueueWaitSeconds(pid: number, tid = pid): number | null {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').trim().split(' ');
    return Number(fields[1]) / 1e9;
  } catch {
    return null;
  }
}

/** Busy and total jiffies of all cores together (/proc/stat), for the machine's CPU share. */
export function machineTicks(): { busy: number; total: number } | null {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const total = v.reduce((a, b) => a + b, 0);
    // idle + iowait are not busy
    return { busy: total - (v[3] ?? 0) - (v[4] ?? 0), total };
  } catch {
    return null;
  }
}

/** Pids whose parent is `pid` (a scan of /proc: needs no CONFIG_PROC_CHILDREN). */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/**
 * Datagrams the kernel dropped on UDP sockets (receive buffer full), summed
 * over the sockets bound to local `port`, or over the sockets process `pid`
 * holds (/proc/net/udp{,6} `drops`). Null when none is found.
 */
export function udpDrops(where: { port: number } | { pid: number }): number | null {
  let inodes: Set<string> | null = null;
  if ('pid' in where) {
    inodes = new Set();
    try {
      for (const fd of fs.readdirSync(`/proc/${where.pid}/fd`)) {
        try {
          const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${where.pid}/fd/${fd}`));
          if (m) inodes.add(m[1]!);
        } catch {
          // closed meanwhile
        }
      }
    } catch {
      return null;
    }
  }
  const hexPort = 'port' in where ? where.port.toString(16).toUpperCase().padStart(4, '0') : '';
  let sum: number | null = null;
  for (const file of ['/proc/net/udp', '/proc/net/udp6']) {
    let text = '';
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 13) continue;
      const match = inodes ? inodes.has(f[9]!) : f[1]!.endsWith(`:${hexPort}`);
      if (match) sum = (sum ?? 0) + Number(f[12]);
    }
  }
  return sum;
}

/** A process (or one thread of it) whose CPU share a `CpuSampler` follows. */
export interface CpuProbe {
  label: string;
  pid: number;
  /** A thread id: only that thread is counted (the main thread of a Node process is tid = pid). */
  tid?: number;
}

/** CPU use over a window, as shares of one core (1 = one core busy all the time). */
export interface CpuUse {
  /** Median of the per-interval shares: the steady state of a step, ramp and tail aside. */
  median: number;
  peak: number;
  mean: number;
  intervals: number;
  /** Median share of the time it was runnable but waited for a CPU (0 for the machine). */
  wait: number;
}

/**
 * Samples /proc every `intervalMs` for a set of processes (more may be
 * added while it runs) and the whole machine, and reports each one's CPU
 * share per interval: what tells whether the server, SIPp or the machine
 * was saturated during a step.
 */
export class CpuSampler {
  private readonly probes: CpuProbe[] = [];
  private readonly last = new Map<string, { cpu: number; wait: number; at: number }>();
  private readonly shares = new Map<string, number[]>();
  private readonly waits = new Map<string, number[]>();
  private lastMachine: { busy: number; total: number } | null = null;
  private readonly machineShares: number[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly intervalMs = 500) {}

  add(probe: CpuProbe): void {
    this.probes.push(probe);
    this.read(probe, performance.now());
  }

  start(): this {
    this.lastMachine = machineTicks();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    return this;
  }

  /** Stops sampling; per probe label, its use over the intervals it was alive. */
  stop(): { processes: Record<string, CpuUse>; machine: CpuUse } {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.sample();
    const processes: Record<string, CpuUse> = {};
    for (const probe of this.probes) processes[probe.label] = use(this.shares.get(probe.label) ?? [], this.waits.get(probe.label) ?? []);
    return { processes, machine: use(this.machineShares, []) };
  }

  private sample(): void {
    const now = performance.now();
    for (const probe of this.probes) this.read(probe, now);
    const m = machineTicks();
    if (m && this.lastMachine && m.total > this.lastMachine.total) {
      this.machineShares.push((m.busy - this.lastMachine.busy) / (m.total - this.lastMachine.total));
    }
    this.lastMachine = m;
  }

  private read(probe: CpuProbe, now: number): void {
    const cpu = cpuSeconds(probe.pid, probe.tid);
    if (cpu === null) return;
    const prev = this.last.get(probe.label);
    // An interval much shorter than the period (at stop) reads too coarse (10 ms ticks): it waits for the next.
    if (prev && now - prev.at < this.intervalMs * 0.5) return;
    const wait = runQueueWaitSeconds(probe.pid, probe.tid ?? probe.pid) ?? 0;
    this.last.set(probe.label, { cpu, wait, at: now });
    if (!prev) return;
    const seconds = (now - prev.at) / 1000;
    push(this.shares, probe.label, (cpu - prev.cpu) / seconds);
    push(this.waits, probe.label, (wait - prev.wait) / seconds);
  }
}

function push(map: Map<string, number[]>, key: string, value: number): void {
  const list = map.get(key) ?? [];
  list.push(value);
  map.set(key, list);
}

const round2 = (n: number) => Math.round(n * 100) / 100;
const median = (sorted: readonly number[]) => sorted[Math.floor((sorted.length - 1) / 2)] ?? 0;

function use(shares: readonly number[], waits: readonly number[]): CpuUse {
  if (shares.length === 0) return { median: 0, peak: 0, mean: 0, intervals: 0, wait: 0 };
  const sorted = [...shares].sort((a, b) => a - b);
  return {
    median: round2(median(sorted)),
    peak: round2(sorted.at(-1)!),
    mean: round2(sorted.reduce((a, b) => a + b, 0) / sorted.length),
    intervals: sorted.length,
    wait: round2(median([...waits].sort((a, b) => a - b))),
  };
}
