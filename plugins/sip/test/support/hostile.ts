import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import { assertBuilt, clusterStatus, startUp, waitFor, waitForPair, type UpProcess } from '@switchyard/sdk/testing';
import { sipOf, writeSipPairConfig, type SipPairConfig } from '../../src/testing';

/** A UDP socket on a loopback address that records every datagram it receives. */
export class RawUdp {
  readonly inbox: { data: Buffer; from: string }[] = [];
  private waiters: (() => void)[] = [];
  private constructor(
    private readonly socket: dgram.Socket,
    readonly address: string,
    readonly port: number,
  ) {
    socket.on('message', (data, rinfo) => {
      this.inbox.push({ data, from: `${rinfo.address}:${rinfo.port}` });
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  static async open(address = '127.0.0.1'): Promise<RawUdp> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, address, () => resolve());
    });
    return new RawUdp(socket, address, socket.address().port);
  }

  send(port: number, data: Buffer | string): Promise<void> {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    return new Promise((resolve, reject) => this.socket.send(bytes, port, '127.0.0.1', (error) => (error ? reject(error) : resolve())));
  }

  /** Waits (bounded) for the datagram after the first `seen`, and returns it as text. */
  async next(seen: number, timeoutMs = 5_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (this.inbox.length <= seen) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no datagram #${seen + 1} at ${this.address}:${this.port} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.inbox[seen]!.data.toString('latin1');
  }

  /** Sends and waits for the answer. */
  async request(port: number, data: Buffer | string, timeoutMs = 5_000): Promise<string> {
    const seen = this.inbox.length;
    await this.send(port, data);
    return this.next(seen, timeoutMs);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

/** The status code of a SIP answer. */
export const statusOf = (answer: string): number => Number(/^SIP\/2\.0 (\d{3})/.exec(answer)?.[1] ?? 0);

/** Every Contact line of an answer. */
export const contactLines = (answer: string): string[] => answer.split('\r\n').filter((l) => /^(Contact|m):/i.test(l));

let counter = 0;

/** A request written by hand, as a hostile client would; `extra` lines go before Content-Length. */
export function rawRequest(opts: {
  method: string;
  uri: string;
  user: string;
  from: RawUdp | { address: string; port: number };
  via?: string;
  contacts?: string[];
  extra?: string[];
  transport?: 'UDP' | 'TCP';
}): string {
  counter += 1;
  const via = opts.via ?? `SIP/2.0/${opts.transport ?? 'UDP'} ${opts.from.address}:${opts.from.port};branch=z9hG4bK-h${counter}-${Date.now()};rport`;
  return [
    `${opts.method} ${opts.uri} SIP/2.0`,
    `Via: ${via}`,
    ...(opts.extra ?? []),
    'Max-Forwards: 70',
    `From: <sip:${opts.user}@127.0.0.1>;tag=h${counter}`,
    `To: <sip:${opts.user}@127.0.0.1>`,
    `Call-ID: hostile-${counter}-${Date.now()}@127.0.0.1`,
    `CSeq: ${counter} ${opts.method}`,
    ...(opts.contacts ?? []).map((c) => `Contact: ${c}`),
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

/** A running single-host pair (`switchyard up`) with the sip plugin, and its primary's SIP port. */
export interface RunningPair {
  pair: SipPairConfig;
  up: UpProcess;
  primary: { id: string; port: number; term: number };
  /** The primary's `sip` status section. */
  sip(): Promise<NonNullable<ReturnType<typeof sipOf>>>;
  /** Stops the pair (by pid) and removes its folder. */
  stop(): Promise<void>;
}

/** Starts a pair with the given sip options and waits until both nodes listen. */
export async function startRunningPair(sip: Record<string, unknown>): Promise<RunningPair> {
  assertBuilt();
  const pair = await writeSipPairConfig({ sip });
  const up = startUp(pair.file);
  const stop = async (): Promise<void> => {
    await up.stop();
    fs.rmSync(pair.dir, { recursive: true, force: true });
  };
  try {
    const formed = await waitForPair(pair.file);
    await waitFor(async () => ((await clusterStatus(pair.file)).nodes.every((n) => sipOf(n)?.listening) ? true : undefined), 10_000, 'listeners');
    const id = formed.primary.id as 'sip-a' | 'sip-b';
    return {
      pair,
      up,
      primary: { id, port: pair.ports[id], term: formed.primary.term },
      sip: async () => sipOf((await clusterStatus(pair.file)).nodes.find((n) => n.id === id))!,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A TCP client from `localAddress` (a loopback address) to 127.0.0.1:port; records what it gets and when it is closed. */
export async function tcpClient(
  port: number,
  localAddress = '127.0.0.1',
): Promise<{ socket: net.Socket; received: () => string; closed: () => boolean; whenClosed: Promise<void> }> {
  const socket = net.connect({ port, host: '127.0.0.1', localAddress });
  const chunks: Buffer[] = [];
  let closed = false;
  const whenClosed = new Promise<void>((resolve) =>
    socket.on('close', () => {
      closed = true;
      resolve();
    }),
  );
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  return { socket, received: () => Buffer.concat(chunks).toString('latin1'), closed: () => closed, whenClosed };
}
