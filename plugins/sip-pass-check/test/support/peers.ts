import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/** This package's SIPp scenarios. */
export const SCENARIOS = path.resolve(__dirname, '../../scenarios');
/** The SIP plugin's scenarios (`options.xml`: an OPTIONS UAC expecting 200). */
export const SIP_SCENARIOS = path.join(path.dirname(require.resolve('@switchyard/plugin-sip/package.json')), 'scenarios');

/** A SIPp process running in the background, stopped by pid. */
export interface RunningPeer {
  readonly pid: number;
  output(): string;
  /** SIGKILL by pid and wait for the exit; a no-op once it exited. */
  kill(): Promise<void>;
  /** Resolves with the exit code once it exits by itself (bounded by `timeoutMs`: then killed, and rejects). */
  done(timeoutMs: number): Promise<number | null>;
}

function start(args: string[], cwd: string): RunningPeer {
  const child: ChildProcess = spawn('sipp', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => resolve(code));
    child.on('error', (error) => {
      out += String(error);
      resolve(null);
    });
  });
  if (child.pid === undefined) throw new Error(`sipp did not start: ${out}`);
  const pid = child.pid;
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    pid,
    output: () => out,
    kill: async () => {
      if (alive()) process.kill(pid, 'SIGKILL');
      await exited;
    },
    done: async (timeoutMs) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          if (alive()) process.kill(pid, 'SIGKILL');
          reject(new Error(`sipp ${args.join(' ')} did not finish in ${timeoutMs} ms\n${out}`));
        }, timeoutMs);
      });
      try {
        return await Promise.race([exited, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/**
 * SIPp as the service device: a UAS on 127.0.0.1:`port` (UDP) answering
 * every OPTIONS with 200 (`scenarios/uas-options.xml`). It runs until
 * killed, and never longer than `maxSeconds`.
 */
export function startDeviceUas(port: number, dir: string, maxSeconds = 60): RunningPeer {
  return start(
    [
      '-sf', path.join(SCENARIOS, 'uas-options.xml'),
      '-i', '127.0.0.1',
      '-p', String(port),
      '-nostdin',
      '-timeout', `${maxSeconds}s`,
      '-trace_err',
      '-error_file', path.join(dir, `uas-${port}.errors.log`),
    ],
    dir,
  );
}

/** SIPp as a UAC: `calls` OPTIONS at `rate`/s to 127.0.0.1:`port`, each expecting 200 (bounded in count and time). */
export function startOptionsUac(port: number, dir: string, opts: { calls: number; rate: number; maxSeconds: number }): RunningPeer {
  return start(
    [
      '-sf', path.join(SIP_SCENARIOS, 'options.xml'),
      '-m', String(opts.calls),
      '-r', String(opts.rate),
      '-l', '1',
      '-i', '127.0.0.1',
      '-p', '0',
      '-nostdin',
      '-timeout', `${opts.maxSeconds}s`,
      '-timeout_error',
      '-recv_timeout', '4000',
      '-trace_err',
      '-error_file', path.join(dir, `uac-${port}.errors.log`),
      `127.0.0.1:${port}`,
    ],
    dir,
  );
}
