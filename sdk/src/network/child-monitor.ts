import { spawn, type ChildProcess } from 'node:child_process';
import { Backoff, type Clock, type TimerHandle } from '@switchyard/core';
import { LineReader } from './line-reader';

export interface ChildMonitorOptions {
  /** The program and its arguments, e.g. `['ip', '-json', 'monitor', 'link', 'address']`; run without a shell. */
  argv: readonly string[];
  clock: Clock;
  /** Called for every line the child prints on stdout (cut at `maxLineBytes`). */
  onLine(line: string): void;
  /** Called when the child started again after it died (changes may have been missed meanwhile). */
  onRestart?(): void;
  /** Called when the child died or could not start, with why; it is restarted after a backoff. */
  onError?(message: string): void;
  /** Restart delays (ms); default 100 ms doubling up to 5 s. */
  backoff?: Backoff;
  maxLineBytes?: number;
  /** A child that ran this long (ms) counts as healthy: the backoff starts over. Default 5000. */
  healthyAfterMs?: number;
}

/**
 * A long-running child whose output lines are events (`ip monitor`): started
 * with an argument array, never a shell; restarted with a backoff when it
 * dies; killed by pid on {@link stop}.
 */
export class ChildMonitor {
  private child: ChildProcess | undefined;
  private restartTimer: TimerHandle | undefined;
  private stopped = true;
  private startedAt = 0;
  private starts = 0;
  private readonly backoff: Backoff;

  constructor(private readonly options: ChildMonitorOptions) {
    this.backoff = options.backoff ?? new Backoff(100, 5000);
  }

  /** Pid of the running child, if any. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.spawnChild();
  }

  /** Kills the child (SIGTERM, then SIGKILL after `graceMs`) and waits for it to exit. */
  async stop(graceMs = 1000): Promise<void> {
    this.stopped = true;
    this.restartTimer?.cancel();
    this.restartTimer = undefined;
    const child = this.child;
    this.child = undefined;
    if (!child || child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    kill(child.pid, 'SIGTERM');
    // Real time, not the injected clock: this waits for a real process.
    const late = setTimeout(() => kill(child.pid!, 'SIGKILL'), graceMs);
    await exited;
    clearTimeout(late);
  }

  private spawnChild(): void {
    const [file, ...args] = this.options.argv;
    if (file === undefined) throw new TypeError('ChildMonitor: argv is empty');
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.startedAt = this.options.clock.monotonic();
    const isRestart = this.starts++ > 0;
    const lines = new LineReader((line) => this.options.onLine(line), this.options.maxLineBytes);
    let lastError = '';
    const errors = new LineReader((line) => {
      if (line.trim() !== '') lastError = line.trim();
    }, 1024);
    child.stdout!.on('data', (chunk: Buffer) => lines.push(chunk));
    child.stderr!.on('data', (chunk: Buffer) => errors.push(chunk));
    child.once('spawn', () => {
      if (isRestart) this.options.onRestart?.();
    });
    let spawnError: Error | undefined;
    child.once('error', (error) => {
      spawnError = error;
    });
    child.once('close', (code, signal) => {
      lines.end();
      if (this.child !== child) return;
      this.child = undefined;
      if (this.stopped) return;
      const why = spawnError
        ? `${file} could not be started: ${spawnError.message}`
        : `${[file, ...args].join(' ')} exited (${signal ?? `code ${String(code)}`})${lastError ? `: ${lastError}` : ''}`;
      this.options.onError?.(why);
      if (this.options.clock.monotonic() - this.startedAt >= (this.options.healthyAfterMs ?? 5000)) this.backoff.reset();
      this.restartTimer = this.options.clock.setTimeout(() => {
        this.restartTimer = undefined;
        if (!this.stopped) this.spawnChild();
      }, this.backoff.next());
    });
  }
}

function kill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    /* already gone */
  }
}
