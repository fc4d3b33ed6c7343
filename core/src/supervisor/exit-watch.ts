import fs from 'node:fs';
import { constants as osConstants } from 'node:os';
import type { Clock, TimerHandle } from '../clock';

/**
 * Seeing a node die before the kernel reports it (Linux).
 *
 * After `kill -9` (or a crash, or the OOM killer) the kernel frees the
 * process's memory before it closes its files and tells the parent: for a
 * node with a 100–150 MB heap that is 10–25 ms on a 2-core machine, during
 * which the dead process holds its role. But the kernel marks the process
 * exiting (PF_EXITING in `/proc/<pid>/stat`'s flags; its main thread may
 * already be a zombie) within about a millisecond of the signal, and a
 * process so marked never runs user code again: it reads no socket and
 * answers nothing. The watch reads that word every `intervalMs` and says so
 * at once, so the agent can give the role away 10–20 ms sooner.
 */

/** PF_EXITING of include/linux/sched.h: set as the task enters do_exit(), never cleared. */
const PF_EXITING = 0x4;

export interface ProcStat {
  /** One letter: R running, S sleeping, D disk, Z zombie, X dead, T stopped, … */
  state: string;
  flags: number;
  /** The wait status the parent will get (field 52; 0 where the kernel does not give it). */
  exitCode: number;
}

/** Parses `/proc/<pid>/stat`; null for text that is not one. The command name (field 2) may hold spaces and parentheses. */
export function parseProcStat(text: string): ProcStat | null {
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  const fields = text.slice(close + 2).trimEnd().split(' ');
  // Fields from the 3rd on: state is [0], flags (9th) is [6], exit_code (52nd) is [49].
  const state = fields[0];
  const flags = Number(fields[6]);
  if (!state || state.length !== 1 || !Number.isInteger(flags)) return null;
  const exitCode = fields.length > 49 ? Number(fields[49]) : 0;
  return { state, flags, exitCode: Number.isInteger(exitCode) ? exitCode : 0 };
}

/** Whether a process in this state can never run user code again. */
export function isExiting(stat: ProcStat): boolean {
  return (stat.flags & PF_EXITING) !== 0 || stat.state === 'Z' || stat.state === 'X' || stat.state === 'x';
}

/** A wait status as a reason, like the exit event's: `signal SIGKILL`, `exit code 3`; `exiting` when the kernel gave none yet. */
export function describeWaitStatus(status: number): string {
  const signal = status & 0x7f;
  if (signal !== 0) {
    const name = Object.entries(osConstants.signals).find(([, n]) => n === signal)?.[0];
    return `signal ${name ?? signal}`;
  }
  if (status === 0) return 'exiting';
  return `exit code ${(status >> 8) & 0xff}`;
}

/** Reads one process's stat: null once it is gone (reaped) or unreadable. */
export type StatReader = (pid: number) => { read(): ProcStat | null; close(): void } | null;

/** The real reader: the file stays open and is read again from offset 0 (no open/close per look). */
export const procStatReader: StatReader = (pid) => {
  let fd: number;
  try {
    fd = fs.openSync(`/proc/${pid}/stat`, 'r');
  } catch {
    return null; // not Linux, or no such process
  }
  const buffer = Buffer.alloc(1024);
  return {
    read: () => {
      try {
        const n = fs.readSync(fd, buffer, 0, buffer.length, 0);
        return parseProcStat(buffer.toString('latin1', 0, n));
      } catch {
        return null; // reaped: the kernel answers ESRCH
      }
    },
    close: () => fs.closeSync(fd),
  };
};

interface Watched {
  pid: number;
  reader: NonNullable<ReturnType<StatReader>>;
  onExiting: (reason: string) => void;
}

/** Polls the watched processes' kernel state; reports each one's exit once, as soon as it starts. */
export class ExitWatch {
  private readonly watched = new Map<number, Watched>();
  private timer: TimerHandle | null = null;

  constructor(
    private readonly clock: Clock,
    /** 0: watch nothing (the exit event alone tells). */
    private readonly intervalMs: number,
    private readonly reader: StatReader = procStatReader,
  ) {}

  /** Starts watching `pid`; false when this system cannot (no /proc) or the interval is 0. */
  watch(pid: number, onExiting: (reason: string) => void): boolean {
    if (this.intervalMs <= 0) return false;
    this.unwatch(pid);
    const reader = this.reader(pid);
    if (!reader) return false;
    this.watched.set(pid, { pid, reader, onExiting });
    this.timer ??= this.clock.setInterval(() => this.look(), this.intervalMs);
    return true;
  }

  /** Stops watching `pid` (it exited, or its exit was reported). */
  unwatch(pid: number): void {
    const entry = this.watched.get(pid);
    if (!entry) return;
    this.watched.delete(pid);
    entry.reader.close();
    if (this.watched.size === 0) {
      this.timer?.cancel();
      this.timer = null;
    }
  }

  stop(): void {
    for (const pid of [...this.watched.keys()]) this.unwatch(pid);
  }

  private look(): void {
    for (const entry of [...this.watched.values()]) {
      const stat = entry.reader.read();
      // Unreadable means reaped: the exit event reports it (with its reason) in this same turn.
      if (stat === null || !isExiting(stat)) continue;
      this.unwatch(entry.pid);
      entry.onExiting(describeWaitStatus(stat.exitCode));
    }
  }
}
