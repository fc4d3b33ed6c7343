import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const SCRIPT = path.resolve(__dirname, 'election-process.cjs');

/** One JSON line the election process wrote. */
export type ProcessEvent = { event: string } & Record<string, unknown>;

/** A running election-process.cjs (see there), with its events as they arrive. */
export interface ElectionProcess {
  child: ChildProcess;
  events: ProcessEvent[];
  output(): string;
  /** Resolves with the exit code, or the signal that ended it. */
  exited: Promise<number | string | null>;
  /** SIGKILL (a crash) and wait for the exit. */
  kill(): Promise<void>;
}

export function spawnElectionProcess(config: Record<string, unknown>): ElectionProcess {
  const child = spawn(process.execPath, [SCRIPT, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const events: ProcessEvent[] = [];
  let out = '';
  let partial = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    partial += d.toString();
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line.trim() !== '') events.push(JSON.parse(line) as ProcessEvent);
  });
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  return {
    child,
    events,
    output: () => out,
    exited,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Polls `condition` every 10 ms until it holds; throws after `timeoutMs` naming `what`. */
export async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
