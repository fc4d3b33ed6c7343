import fs from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { discardPreforked, forkNode, nodesFor, preforkNodes, takePreforked } from '../src/supervisor/node-prefork';
import { tempDir } from '../src/testing/cleanup';

/** A stand-in node entry: it waits for messages, as a node waits for `init`, and answers each. */
function entry(): string {
  const file = path.join(tempDir('switchyard-prefork-'), 'entry.js');
  fs.writeFileSync(file, "process.on('message', (m) => process.send({ echo: m }));\nprocess.on('disconnect', () => process.exit(0));\n");
  return file;
}

/** Pids of the processes running `file` (from /proc: a preforked node is reached by nothing else). */
function running(file: string): number[] {
  const pids: number[] = [];
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(file)) pids.push(Number(pid));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** Resolves once no process runs `file` (a killed one may take a moment to be reaped). */
async function noneRunning(file: string): Promise<void> {
  for (let i = 0; i < 200 && running(file).length > 0; i++) await new Promise((r) => setTimeout(r, 10));
  expect(running(file)).toEqual([]);
}

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((resolve) => child.once('exit', () => resolve()));

const taken: ChildProcess[] = [];
afterEach(async () => {
  discardPreforked();
  for (const child of taken.splice(0)) {
    child.kill('SIGKILL');
    await exited(child);
  }
});

describe('preforked nodes (forked as the CLI starts, taken when the supervisor spawns)', () => {
  it('counts the nodes a command line runs on this host: up two, node one, none for other commands or for help', () => {
    const argv = (...args: string[]) => ['node', 'switchyard', ...args];
    expect(nodesFor(argv('up', '--config', 'x.json'))).toBe(2);
    expect(nodesFor(argv('--verbose', 'up'))).toBe(2);
    expect(nodesFor(argv('node', '--id', 'sip-a'))).toBe(1);
    expect(nodesFor(argv('status'))).toBe(0);
    expect(nodesFor(argv('validate', 'up'))).toBe(0);
    expect(nodesFor(argv('up', '--help'))).toBe(0);
    expect(nodesFor(argv('help', 'up'))).toBe(0);
    expect(nodesFor(argv())).toBe(0);
  });

  it('hands out each live preforked node once, connected and answering, then none', async () => {
    const file = entry();
    preforkNodes(2, file);
    const first = takePreforked(file)!;
    const second = takePreforked(file)!;
    taken.push(first, second);
    expect(first.pid).not.toBe(second.pid);
    expect(takePreforked(file)).toBeUndefined();
    const answer = new Promise((resolve) => first.once('message', resolve));
    first.send({ t: 'init' });
    expect(await answer).toEqual({ echo: { t: 'init' } });
  });

  it('skips a preforked node that died, and one of another entry point', async () => {
    const file = entry();
    const other = entry();
    preforkNodes(1, other);
    const [doomed] = preforkNodes(1, file);
    process.kill(doomed!.pid!, 'SIGKILL');
    await noneRunning(file);
    await exited(doomed!); // this process has seen it die (the exit event can come after /proc has forgotten it)
    preforkNodes(1, file); // a live one behind the dead one
    const live = takePreforked(file);
    expect(live?.pid).toBeDefined();
    expect(live!.pid).not.toBe(doomed!.pid);
    taken.push(live!);
    expect(takePreforked(file)).toBeUndefined(); // the other entry's is not handed out for this one
    const theOther = takePreforked(other);
    expect(theOther).toBeDefined();
    taken.push(theOther!);
  });

  it('kills the preforked nodes nobody took', async () => {
    const file = entry();
    preforkNodes(2, file);
    const mine = takePreforked(file)!;
    taken.push(mine);
    expect(running(file)).toHaveLength(2);
    // The one left is killed; then there is none to take, and the taken one runs on.
    discardPreforked();
    expect(takePreforked(file)).toBeUndefined();
    for (let i = 0; i < 200 && running(file).length > 1; i++) await new Promise((r) => setTimeout(r, 10));
    expect(running(file)).toEqual([mine.pid]);
  });

  it('forks a node whose young generation stays small (its RSS under load) and that can run a full collection', async () => {
    const file = path.join(tempDir('switchyard-prefork-'), 'young.js');
    // Much short-lived garbage, as a SIP load makes; then the young generation's size, and whether gc() is there.
    fs.writeFileSync(
      file,
      "const v8 = require('v8'); let keep = []; for (let i = 0; i < 2e6; i++) { keep.push({ i, s: 'x' + i }); if (keep.length > 50000) keep = []; }\n" +
        "const young = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;\n" +
        "process.send({ young, gc: typeof globalThis.gc }, () => process.exit(0));\n",
    );
    const child = forkNode(file);
    taken.push(child);
    const report = (await new Promise((resolve) => child.once('message', resolve))) as { young: number; gc: string };
    expect(report.gc).toBe('function');
    expect(report.young).toBeLessThanOrEqual(8 * 1024 * 1024); // 2 × 4 MiB semi-spaces; V8's default grows to 32 MiB
  });
});
