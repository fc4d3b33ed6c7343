import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { PublicProber } from './public-prober';
import { sleep } from './scenarios/context';

/** The raw UDP handle class Node's dgram and cluster use; the agent binds it without ever reading from it. */
interface UdpHandle {
  bind(address: string, port: number, flags: number): number;
  close(): void;
}

export interface HandoverFigures {
  /** Longest time between consecutive 200s around each handover, ms. */
  gaps: number[];
  /** Requests sent around each handover that got no answer. */
  lost: number[];
}

const CHILD = path.join(__dirname, 'public-socket-child.js');

/**
 * The prototype behind the choice of issue 17 ("bind on promote, or pass a
 * bound socket from the agent?"), measured with the same 1-ms UDP probe:
 * two stand-in nodes hand one public UDP address back and forth.
 *
 * - `bind`: as the SIP plugin does it: both are told at once; the old one
 *   closes its socket, the new one binds the port (retrying every 2 ms).
 *   What arrives between the close and the bind is refused by the kernel.
 * - `passed`: this process (the agent) binds the address once and never
 *   reads it; the old holder closes its copy and says so, and only then is
 *   the handle sent to the new one (never two readers). Meanwhile datagrams
 *   wait in the socket's buffer.
 */
export async function measureHandover(mode: 'bind' | 'passed', port: number, rounds: number): Promise<HandoverFigures> {
  const kids = [0, 1].map(() => fork(CHILD, [], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] }));
  let handle: UdpHandle | null = null;
  const prober = new PublicProber(port);
  const events: number[] = [];
  try {
    await Promise.all(kids.map((k) => reply(k, 'ready')));
    if (mode === 'passed') {
      const { UDP } = (process as unknown as { binding(name: string): { UDP: new () => UdpHandle } }).binding('udp_wrap');
      handle = new UDP();
      const error = handle.bind('127.0.0.1', port, 0);
      if (error !== 0) throw new Error(`the agent could not bind 127.0.0.1:${port} (uv error ${error})`);
    }
    const take = (k: ChildProcess) => {
      const taken = reply(k, 'taken');
      if (handle) k.send({ t: 'take-passed' }, handle as never);
      else k.send({ t: 'take-bind', port });
      return taken;
    };
    await take(kids[0]!);
    await prober.start();
    let holder = 0;
    for (let i = 0; i < rounds; i++) {
      await sleep(300);
      const from = kids[holder]!;
      const to = kids[1 - holder]!;
      events.push(performance.now());
      if (handle) {
        const released = reply(from, 'released');
        from.send({ t: 'release' });
        await released;
      } else from.send({ t: 'release' });
      await take(to);
      holder = 1 - holder;
    }
    await sleep(400);
  } finally {
    prober.stop();
    for (const k of kids) k.kill('SIGKILL');
    handle?.close();
  }
  return {
    gaps: events.map((t0) => Math.round(prober.longestGap(t0 - 100, t0 + 200) * 10) / 10),
    lost: events.map((t0) => prober.lost(t0 - 100, t0 + 200)),
  };
}

function reply(child: ChildProcess, t: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`stand-in node did not answer "${t}" in 5 s`)), 5_000);
    const onMessage = (m: { t?: string }) => {
      if (m?.t !== t) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve();
    };
    child.on('message', onMessage);
  });
}
