import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const SCENARIOS = path.resolve(__dirname, '../../scenarios');

export interface PeerResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a real SIP peer (sipp, sipsak) to completion, bounded by `timeoutMs`; killed by pid on timeout. */
export function runPeer(command: string, args: string[], opts: { cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<PeerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timeoutMs = opts.timeoutMs ?? 30_000;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface SippRun extends PeerResult {
  /** Folder with SIPp's trace files (message log, errors). */
  dir: string;
  /** SIPp's message trace, when `-trace_msg` was given. */
  messages(): string;
}

/**
 * SIPp as a UAC against 127.0.0.1:`port` over UDP: `calls` calls of `scenario`
 * at `rate` calls/s, bounded in count and time.
 */
export async function runSipp(
  scenario: string,
  port: number,
  opts: {
    calls: number;
    rate?: number;
    dir: string;
    traceMessages?: boolean;
    /** User name prefix (`[user]` in the scenarios); default `user`. */
    user?: string;
    /** Seconds (`[expires]` in register.xml); default 3600. */
    expires?: number;
    extra?: string[];
    timeoutMs?: number;
  },
): Promise<SippRun> {
  const args = [
    '-key', 'user', opts.user ?? 'user',
    '-key', 'expires', String(opts.expires ?? 3600),
    '-sf', path.join(SCENARIOS, scenario),
    '-m', String(opts.calls),
    '-r', String(opts.rate ?? 500),
    '-l', String(Math.min(opts.calls, 200)),
    '-i', '127.0.0.1',
    '-p', '0',
    '-nostdin', // never read the terminal
    '-timeout', `${Math.ceil((opts.timeoutMs ?? 30_000) / 1000)}s`,
    '-timeout_error',
    '-recv_timeout', '4000',
    '-trace_err',
    '-error_file', path.join(opts.dir, `${opts.user ?? 'user'}-${scenario}.errors.log`),
    ...(opts.traceMessages ? ['-trace_msg', '-message_file', path.join(opts.dir, `${opts.user ?? 'user'}-${scenario}.messages.log`)] : []),
    ...(opts.extra ?? []),
    `127.0.0.1:${port}`,
  ];
  const result = await runPeer('sipp', args, { cwd: opts.dir, timeoutMs: (opts.timeoutMs ?? 30_000) + 10_000 });
  return {
    ...result,
    dir: opts.dir,
    messages: () => {
      const file = path.join(opts.dir, `${opts.user ?? 'user'}-${scenario}.messages.log`);
      return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    },
  };
}

/** One OPTIONS with sipsak; returns the status code of the answer (0 when none). */
export async function sipsakOptions(port: number): Promise<{ status: number; output: string }> {
  const r = await runPeer('sipsak', ['-vv', '-H', '127.0.0.1', '-s', `sip:ping@127.0.0.1:${port}`], { timeoutMs: 15_000 });
  const output = r.stdout + r.stderr;
  const match = /SIP\/2\.0 (\d{3})/.exec(output.split(/received|reply/i).slice(1).join('\n') || output);
  return { status: match ? Number(match[1]) : 0, output };
}
