import path from 'node:path';
import { Backoff, SystemClock } from '@switchyard/sdk';
import { ChildMonitor, LineReader } from '@switchyard/sdk/network';
import { tempDir, waitFor } from '@switchyard/sdk/testing';
import { afterEach, describe, expect, it } from 'vitest';

const FAKE = path.join(__dirname, 'fake-ip-monitor.js');
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const monitors: ChildMonitor[] = [];
afterEach(async () => {
  for (const m of monitors.splice(0)) await m.stop();
});

function monitor(mode: string, maxLineBytes = 1024) {
  const lines: string[] = [];
  const errors: string[] = [];
  let restarts = 0;
  const m = new ChildMonitor({
    argv: [process.execPath, FAKE, mode],
    clock: new SystemClock(),
    backoff: new Backoff(20, 100, 0),
    maxLineBytes,
    onLine: (line) => lines.push(line),
    onRestart: () => restarts++,
    onError: (message) => errors.push(message),
  });
  monitors.push(m);
  return { m, lines, errors, restarts: () => restarts };
}

describe('ChildMonitor: the long-running `ip monitor` child', () => {
  it('restarts a child that dies, with the reason and its last stderr line, and says it restarted', async () => {
    const h = monitor('exit');
    h.m.start();
    await waitFor(() => (h.lines.filter((l) => l.startsWith('start ')).length >= 3 ? true : undefined), 10_000, 'three starts');
    const pids = new Set(h.lines.filter((l) => l.startsWith('start ')));
    expect(pids.size).toBeGreaterThanOrEqual(3);
    expect(h.errors[0]).toMatch(/exited \(code 3\): Cannot talk to rtnetlink/);
    expect(h.restarts()).toBeGreaterThanOrEqual(2);
    expect(h.lines).toContain('3: va    inet 198.51.100.77/24 scope global va');
  });

  it('cuts a line longer than the bound and goes on with the next; stop() kills the child by pid', async () => {
    const h = monitor('long-line');
    h.m.start();
    await waitFor(() => (h.lines.includes('after') ? true : undefined), 10_000, 'the line after the long one');
    expect(h.lines.map((l) => l.length)).toEqual([expect.any(Number), 1024, 5]);
    const pid = h.m.pid!;
    expect(alive(pid)).toBe(true);
    await h.m.stop();
    expect(alive(pid)).toBe(false);
    expect(h.errors).toEqual([]); // a stop is not a death
  });

  it('a program that cannot be started is retried, with the reason', async () => {
    const errors: string[] = [];
    const m = new ChildMonitor({
      argv: [path.join(tempDir('swy-nic-'), 'no-such-ip')],
      clock: new SystemClock(),
      backoff: new Backoff(10, 20, 0),
      onLine: () => undefined,
      onError: (message) => errors.push(message),
    });
    monitors.push(m);
    m.start();
    await waitFor(() => (errors.length >= 2 ? true : undefined), 5_000, 'two failed starts');
    expect(errors[0]).toMatch(/could not be started: spawn .*ENOENT/);
  });
});

describe('LineReader', () => {
  it('joins chunks into lines, drops CR, keeps at most maxLineBytes of a line', () => {
    const lines: string[] = [];
    const r = new LineReader((l) => lines.push(l), 4);
    r.push('ab');
    r.push('c\r\nde');
    r.push('fghij\nk');
    r.push('l\n');
    r.push('tail');
    r.end();
    expect(lines).toEqual(['abc', 'defg', 'kl', 'tail']);
  });
});
