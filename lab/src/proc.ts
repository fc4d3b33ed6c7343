import fs from 'node:fs';

/**
 * A pid alone may be reused by an unrelated process once its owner died, so
 * the lab remembers each pid with its start time (field 22 of
 * /proc/<pid>/stat) and only signals a pid whose start time still matches.
 */

/** The start time of a live process, or undefined when it is gone or a zombie. */
export function processStartTime(pid: number): string | undefined {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: fields after it start past the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (fields[0] === 'Z' || fields[0] === 'X') return undefined;
  return fields[19];
}

/** Whether `pid` is alive and still the process that started at `startTime`. */
export function isSameProcess(pid: number, startTime: string): boolean {
  return processStartTime(pid) === startTime;
}

/** Sends `signal` to the process group `pid` leads, or to `pid` alone when it leads none; never throws. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
    return;
  } catch {
    // not a group leader (or already gone)
  }
  try {
    process.kill(pid, signal);
  } catch {
    // gone
  }
}

/** Resolves true once none of `pids` is alive (zombies count as gone), false at the deadline. */
export async function waitGone(pids: readonly number[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (pids.every((pid) => processStartTime(pid) === undefined)) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
}
