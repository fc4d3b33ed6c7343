import net from 'node:net';
import { afterEach } from 'vitest';
import { SystemClock } from '../src/clock';
import type { NodeState } from '../src/engine/types';
import { FrameDecoder, encodeFrame, type Frame } from '../src/halink/frame';
import { ClientHandshake, type HandshakeIdentity } from '../src/halink/handshake';
import { HaLink, type HaLinkOptions } from '../src/halink/link';
import { FrameOpener, FrameSealer } from '../src/halink/session';

/** One recorded log event. */
export interface RecordedEvent {
  id: string;
  fields: Record<string, unknown>;
}

export class EventLog {
  readonly events: RecordedEvent[] = [];
  readonly emit = (id: string, fields: Record<string, unknown>): void => {
    this.events.push({ id, fields });
  };
  of(id: string): Record<string, unknown>[] {
    return this.events.filter((e) => e.id === id).map((e) => e.fields);
  }
}

const cleanups: Array<() => Promise<void> | void> = [];

/** Runs after the current test, last registered first. */
export function onCleanup(fn: () => Promise<void> | void): void {
  cleanups.push(fn);
}

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** A port that was free a moment ago (the OS picks it). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export const TEST_SECRET = 'correct horse battery staple';

export interface TestNode {
  link: HaLink;
  log: EventLog;
  state: NodeState;
  options: HaLinkOptions;
}

/** Fast timings, so failure detection takes a fraction of a second. */
export function testNode(
  nodeId: string,
  listenPort: number,
  peer: { id: string; port: number },
  overrides: Partial<HaLinkOptions> = {},
): TestNode {
  const log = new EventLog();
  const state: NodeState = { nodeId, role: 'backup', status: 'starting', term: 0 };
  const options: HaLinkOptions = {
    nodeId,
    cluster: 'test-cluster',
    listen: { host: '127.0.0.1', port: listenPort },
    peer: { id: peer.id, host: '127.0.0.1', port: peer.port },
    secret: TEST_SECRET,
    heartbeatInterval: 0.05,
    missedHeartbeats: 3,
    maxFrameBytes: 64 * 1024,
    handshakeTimeout: 0.3,
    clock: new SystemClock(),
    emit: log.emit,
    localState: () => state,
    ...overrides,
  };
  const link = new HaLink(options);
  onCleanup(() => link.stop());
  return { link, log, state, options };
}

/**
 * node-a (dials) and node-b (accepts), not started. `aOverrides.peer.port`
 * lets node-a dial through a proxy.
 */
export async function testPair(
  aOverrides: Partial<HaLinkOptions> = {},
  bOverrides: Partial<HaLinkOptions> = {},
): Promise<{ a: TestNode; b: TestNode; portA: number; portB: number }> {
  const [portA, portB] = [await freePort(), await freePort()];
  const a = testNode('node-a', portA, { id: 'node-b', port: portB }, aOverrides);
  const b = testNode('node-b', portB, { id: 'node-a', port: portA }, bOverrides);
  return { a, b, portA, portB };
}

/** A raw TCP client, destroyed after the test; `from` binds its source address (a 127.0.0.0/8 address stands in for another host). */
export async function rawClient(port: number, options: { host?: string; from?: string } = {}): Promise<net.Socket> {
  const socket = net.connect({ host: options.host ?? '127.0.0.1', port, ...(options.from ? { localAddress: options.from } : {}) });
  socket.on('error', () => undefined);
  socket.resume(); // flowing, so the server's close is seen even if the test reads nothing
  onCleanup(() => void socket.destroy());
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return socket;
}

export function waitForClose(socket: net.Socket): Promise<void> {
  if (socket.destroyed) return Promise.resolve();
  return new Promise((resolve) => socket.once('close', () => resolve()));
}

/**
 * A TCP relay between the dialer and its peer, so tests can cut the wire
 * (both sides see the close) or black-hole it (bytes vanish, nothing closes).
 */
export class TcpProxy {
  readonly port: number;
  private readonly server: net.Server;
  private readonly pairs = new Set<[net.Socket, net.Socket]>();
  private blackhole = false;

  private constructor(server: net.Server, port: number) {
    this.server = server;
    this.port = port;
  }

  static async start(targetPort: number): Promise<TcpProxy> {
    let proxy: TcpProxy | undefined;
    const server = net.createServer((client) => proxy?.relay(client, targetPort));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new TcpProxy(server, (server.address() as net.AddressInfo).port);
    onCleanup(() => proxy.close());
    return proxy;
  }

  /** Destroys every relayed connection (new ones are still accepted). */
  cut(): void {
    for (const [client, upstream] of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.pairs.clear();
  }

  /** While on, bytes in both directions are silently discarded. */
  setBlackhole(on: boolean): void {
    this.blackhole = on;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private relay(client: net.Socket, targetPort: number): void {
    const upstream = net.connect({ host: '127.0.0.1', port: targetPort });
    const pair: [net.Socket, net.Socket] = [client, upstream];
    this.pairs.add(pair);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      this.pairs.delete(pair);
    };
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      from.on('data', (chunk) => {
        if (!this.blackhole) to.write(chunk);
      });
      from.on('error', end);
      from.on('close', end);
    }
  }
}

/** A hand-driven peer after its handshake. */
export interface HandshakenClient {
  socket: net.Socket;
  /** Frames received after the handshake, opened (MAC and sequence checked). */
  frames: Frame[];
  /** The bytes of `frame` sealed as the next frame of this connection (not sent): tests may alter, reorder or replay them. */
  seal(frame: Frame): Buffer;
  /** Seals and sends `frame`, as the real peer would. */
  send(frame: Frame): void;
}

/**
 * A hand-driven peer: completes the real handshake as `identity.nodeId`,
 * then does only what the test makes it do. Frames it receives are collected.
 */
export async function handshakenClient(
  port: number,
  identity: HandshakeIdentity,
  options: { host?: string; from?: string } = {},
): Promise<HandshakenClient> {
  const socket = await rawClient(port, options);
  const decoder = new FrameDecoder({ maxFrameBytes: 1024 * 1024 });
  const handshake = new ClientHandshake(identity);
  const frames: Frame[] = [];
  let sealer: FrameSealer | undefined;
  await new Promise<void>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      try {
        readFrames(chunk);
      } catch (error) {
        socket.destroy(error as Error); // a frame that does not open: this peer hangs up, as the real one would
      }
    });
    const readFrames = (chunk: Buffer): void => {
      decoder.feed(chunk);
      for (let frame = decoder.next(); frame; frame = decoder.next()) {
        if (sealer) frames.push(frame);
        else if (!handshake.answered) socket.write(encodeFrame(handshake.answer(frame)));
        else {
          handshake.confirm(frame);
          const keys = handshake.sessionKeys();
          sealer = new FrameSealer(keys.send);
          decoder.useOpener(new FrameOpener(keys.receive));
          resolve();
        }
      }
    };
    socket.once('close', () => reject(new Error('closed during the handshake')));
  });
  const seal = (frame: Frame): Buffer => Buffer.concat(sealer!.seal(encodeFrame(frame)));
  return { socket, frames, seal, send: (frame) => void socket.write(seal(frame)) };
}
