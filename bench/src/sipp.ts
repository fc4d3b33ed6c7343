import { spawn } from 'node:child_process';
import path from 'node:path';
import { cpuSeconds, udpDrops, type CpuSampler } from './machine';

export const SCENARIOS = path.resolve(__dirname, '../../plugins/sip/scenarios');

/** SO_RCVBUF/SO_SNDBUF SIPp asks for (the kernel caps it at net.core.rmem_max / wmem_max). */
export const SIPP_SOCKET_BUFFER = 1 << 20;

export interface SippStats {
  code: number | null;
  successful: number;
  failed: number;
  /** Calls per second SIPp measured over the run (cumulative). */
  rate: number;
  /** SIPp's own CPU use as a share of one core over the run. */
  sippCpu: number;
  /** Requests SIPp sent again (no answer within 500 ms): the server or the path was late or lost one. */
  retransmissions: number;
  /** Calls that failed by a timeout (no answer within `-recv_timeout`). */
  timeouts: number;
  /** Datagrams the kernel dropped on SIPp's own socket (its receive buffer overflowed), null if unread. */
  drops: number | null;
  output: string;
}

/**
 * Runs SIPp as a UAC (bounded: `calls` calls, killed by pid after `timeoutMs`)
 * and reads its final cumulative statistics.
 */
export function runSipp(
  scenario: string,
  port: number,
  opts: {
    calls: number;
    rate: number;
    cwd: string;
    user?: string;
    expires?: number;
    timeoutMs: number;
    /** Also follow SIPp's CPU in this sampler (label `sipp`), beside the server's processes. */
    sampler?: CpuSampler;
  },
): Promise<SippStats> {
  const args = [
    '-sf', path.join(SCENARIOS, scenario),
    '-key', 'user', opts.user ?? 'user',
    '-key', 'expires', String(opts.expires ?? 3600),
    '-m', String(opts.calls),
    '-r', String(opts.rate),
    '-l', String(Math.max(100, Math.ceil(opts.rate / 2))),
    '-i', '127.0.0.1',
    // SIPp's own socket buffers (default 64 KiB) overflow first at high rates; a drop there would be the harness's.
    '-buff_size', String(SIPP_SOCKET_BUFFER),
    '-nostdin',
    '-recv_timeout', '5000',
    '-timeout', `${Math.ceil(opts.timeoutMs / 1000)}s`,
    `127.0.0.1:${port}`,
  ];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('sipp', args, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let cpu = 0;
    let drops: number | null = null;
    if (child.pid !== undefined) opts.sampler?.add({ label: 'sipp', pid: child.pid });
    child.stdout.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
    child.stderr.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
    const sampler = setInterval(() => {
      cpu = cpuSeconds(child.pid ?? -1) ?? cpu;
      // The socket's counter vanishes with SIPp: keep the last value read while it ran.
      drops = udpDrops({ pid: child.pid ?? -1 }) ?? drops;
    }, 200);
    const killer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs + 5_000);
    child.on('error', (error) => {
      clearInterval(sampler);
      clearTimeout(killer);
      reject(error);
    });
    child.on('exit', (code) => {
      clearInterval(sampler);
      clearTimeout(killer);
      const wall = (performance.now() - started) / 1000;
      resolve({
        code,
        successful: lastColumn(output, 'Successful call'),
        failed: lastColumn(output, 'Failed call'),
        rate: lastColumnFloat(output, 'Call Rate'),
        sippCpu: wall > 0 ? cpu / wall : 0,
        ...messageCounters(output),
        drops,
        output,
      });
    });
  });
}

/** The cumulative (last) column of a SIPp statistics row, e.g. `Successful call | 10 | 500`. */
function lastColumn(output: string, row: string): number {
  const lines = output.split('\n').filter((l) => l.includes(row));
  const cells = lines.at(-1)?.split('|') ?? [];
  return Number.parseInt(cells.at(-1)?.trim() ?? '0', 10) || 0;
}

function lastColumnFloat(output: string, row: string): number {
  const lines = output.split('\n').filter((l) => l.includes(row));
  const cells = lines.at(-1)?.split('|') ?? [];
  return Number.parseFloat(cells.at(-1)?.trim() ?? '0') || 0;
}

/**
 * Retransmissions of the requests SIPp sent and timeouts of the answers it
 * awaited, from its last scenario screen:
 *   `REGISTER ---------->         2000      13        0` (Messages, Retrans, Timeout)
 *   `     200 <----------  E-RTD1 1990      0         10        0` (… Timeout, Unexpected)
 */
export function messageCounters(output: string): { retransmissions: number; timeouts: number } {
  const screen = output.slice(output.lastIndexOf('Scenario Screen'));
  let retransmissions = 0;
  let timeouts = 0;
  for (const line of screen.split('\n')) {
    const sent = /^\s*\S+ -{3,}>\s+(\d+)\s+(\d+)\s+(\d+)/.exec(line);
    if (sent) retransmissions += Number(sent[2]);
    const received = /^\s*\S+ <-{3,}\s+(?:\S*RTD\S*\s+)?(\d+)\s+(\d+)\s+(\d+)/.exec(line);
    if (received) timeouts += Number(received[3]);
  }
  return { retransmissions, timeouts };
}
