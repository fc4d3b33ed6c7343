import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import readline from 'node:readline';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock, SystemClock } from '../src/clock';
import { describeWaitStatus, ExitWatch, isExiting, parseProcStat, type ProcStat, type StatReader } from '../src/supervisor/exit-watch';
import { isAlive } from '../src/testing/processes';

/** A /proc/<pid>/stat line as Linux 6 writes it (52 fields), with the fields the watch reads set. */
function statLine(comm: string, state: string, flags: number, exitCode: number): string {
  const rest = Array.from({ length: 48 }, (_, i) => String(i + 10));
  rest[4] = String(flags); // field 9
  rest[47] = String(exitCode); // field 52
  return `4242 (${comm}) ${state} 1 4242 4242 0 -1 ${rest.slice(4).join(' ')}\n`;
}

describe('parseProcStat', () => {
  it('reads state, flags and exit code also when the command name holds spaces and parentheses', () => {
    const line = statLine('node) R (x', 'Z', 0x40840c, 9);
    expect(parseProcStat(line)).toEqual({ state: 'Z', flags: 0x40840c, exitCode: 9 });
    expect(parseProcStat(statLine('node', 'S', 0x400100, 0))).toEqual({ state: 'S', flags: 0x400100, exitCode: 0 });
  });

  it('refuses text that is not a stat line', () => {
    expect(parseProcStat('')).toBeNull();
    expect(parseProcStat('4242 node S 1')).toBeNull();
    expect(parseProcStat('4242 (node) sleeping x')).toBeNull();
  });

  it('reads this process’s own stat: running, not exiting', () => {
    const stat = parseProcStat(fs.readFileSync('/proc/self/stat', 'latin1'));
    expect(stat).not.toBeNull();
    expect(isExiting(stat!)).toBe(false);
  });
});

describe('isExiting and describeWaitStatus', () => {
  const stat = (state: string, flags: number): ProcStat => ({ state, flags, exitCode: 0 });
  it('counts PF_EXITING, a zombie and a dead task as exiting, nothing else', () => {
    expect(isExiting(stat('R', 0x40040c))).toBe(true);
    expect(isExiting(stat('Z', 0))).toBe(true);
    expect(isExiting(stat('X', 0))).toBe(true);
    for (const state of ['R', 'S', 'D', 'T', 't']) expect(isExiting(stat(state, 0x400100))).toBe(false);
  });
  it('words a wait status like the exit event does', () => {
    expect(describeWaitStatus(9)).toBe('signal SIGKILL');
    expect(describeWaitStatus(6 | 0x80)).toBe('signal SIGABRT');
    expect(describeWaitStatus(3 << 8)).toBe('exit code 3');
    expect(describeWaitStatus(0)).toBe('exiting');
  });
});

describe('ExitWatch', () => {
  /** Processes whose stat the fake reader serves; a missing pid reads as reaped. */
  function fakeProcesses() {
    const stats = new Map<number, ProcStat>();
    const open = new Set<number>();
    const reader: StatReader = (pid) => {
      if (!stats.has(pid)) return null;
      open.add(pid);
      return { read: () => stats.get(pid) ?? null, close: () => open.delete(pid) };
    };
    return { stats, open, reader };
  }

  it('reports a process once, at the first look after it starts exiting, and stops looking when nothing is watched', async () => {
    const clock = new ManualClock();
    const { stats, open, reader } = fakeProcesses();
    stats.set(10, { state: 'S', flags: 0x400100, exitCode: 0 });
    stats.set(11, { state: 'S', flags: 0x400100, exitCode: 0 });
    const watch = new ExitWatch(clock, 2, reader);
    const seen: string[] = [];
    expect(watch.watch(10, (reason) => seen.push(`10 ${reason}`))).toBe(true);
    expect(watch.watch(11, (reason) => seen.push(`11 ${reason}`))).toBe(true);
    expect(clock.pending).toBe(1); // one timer for all

    await clock.advance(10);
    expect(seen).toEqual([]);
    stats.set(10, { state: 'R', flags: 0x40040c, exitCode: 9 });
    await clock.advance(1);
    expect(seen).toEqual([]); // not looked yet
    await clock.advance(1);
    expect(seen).toEqual(['10 signal SIGKILL']);
    await clock.advance(20);
    expect(seen).toEqual(['10 signal SIGKILL']);
    expect(open).toEqual(new Set([11]));

    watch.unwatch(11);
    expect(open.size).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it('watches nothing with an interval of 0, or where the process cannot be read', () => {
    const clock = new ManualClock();
    const { stats, reader } = fakeProcesses();
    stats.set(10, { state: 'S', flags: 0, exitCode: 0 });
    expect(new ExitWatch(clock, 0, reader).watch(10, () => undefined)).toBe(false);
    expect(new ExitWatch(clock, 2, reader).watch(99, () => undefined)).toBe(false);
    expect(clock.pending).toBe(0);
  });

  it('says nothing of a process reaped between two looks (its exit event tells)', async () => {
    const clock = new ManualClock();
    const { stats, reader } = fakeProcesses();
    stats.set(10, { state: 'S', flags: 0, exitCode: 0 });
    const watch = new ExitWatch(clock, 2, reader);
    const seen: string[] = [];
    watch.watch(10, (reason) => seen.push(reason));
    stats.delete(10);
    await clock.advance(10);
    expect(seen).toEqual([]);
    watch.stop();
    expect(clock.pending).toBe(0);
  });
});

describe.runIf(process.platform === 'linux')('ExitWatch on the real kernel', () => {
  const started: ChildProcess[] = [];
  afterEach(() => {
    for (const child of started.splice(0)) {
      if (child.pid && isAlive(child.pid)) {
        process.kill(child.pid, 'SIGCONT');
        process.kill(child.pid, 'SIGKILL');
      }
    }
  });

  it('sees a killed process exiting before anyone has heard of its exit', async () => {
    // A keeper spawns the victim and is then stopped: it cannot reap it, so the victim stays a zombie and
    // no exit is reported to anyone. The watch (not the victim's parent) must still see it exit, with the signal.
    const keeper = spawn(process.execPath, [
      '-e',
      `const c = require('node:child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
       console.log(c.pid); setInterval(() => {}, 1000);`,
    ], { stdio: ['ignore', 'pipe', 'inherit'] });
    started.push(keeper);
    const [line] = (await readline.createInterface({ input: keeper.stdout! })[Symbol.asyncIterator]().next()).value!.split('\n');
    const victim = Number(line);
    expect(victim).toBeGreaterThan(0);
    const watch = new ExitWatch(new SystemClock(), 2);
    const seen: string[] = [];
    expect(watch.watch(victim, (reason) => seen.push(reason))).toBe(true);
    try {
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(seen).toEqual([]); // alive and sleeping: nothing to say

      process.kill(keeper.pid!, 'SIGSTOP');
      process.kill(victim, 'SIGKILL');
      await vi.waitFor(() => expect(seen).toEqual(['signal SIGKILL']), { timeout: 5_000, interval: 5 });
      // Still not reaped: what the watch saw is the kernel's state, not an exit report.
      expect(parseProcStat(fs.readFileSync(`/proc/${victim}/stat`, 'latin1'))?.state).toBe('Z');
    } finally {
      watch.stop();
    }
  });
});
