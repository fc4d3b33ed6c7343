import { spawn } from 'node:child_process';

export interface PeerResult {
  code: number | null;
  output: string;
}

/** Runs a real SIP peer (sipsak, sipp) to completion, bounded by `timeoutMs`: killed by its pid on timeout. */
export function runPeer(command: string, args: string[], opts: { cwd?: string; timeoutMs?: number } = {}): Promise<PeerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timeoutMs = opts.timeoutMs ?? 20_000;
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} did not finish in ${timeoutMs} ms\n${output}`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
