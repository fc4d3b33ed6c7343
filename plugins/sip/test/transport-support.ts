import dgram from 'node:dgram';
import net from 'node:net';
import { SystemClock } from '@switchyard/sdk';
import type { SipParseError } from '../src/message';
import { SipListener, type InboundMessage, type RemoteAddress, type SipBindFailure, type SipBound, type SipListenerOptions } from '../src/transport';

/** A listener on 127.0.0.1 recording everything it reports. */
export interface RecordingListener {
  listener: SipListener;
  port: number;
  messages: InboundMessage[];
  parseErrors: { remote: RemoteAddress; error: SipParseError }[];
  bindFailures: SipBindFailure[];
  bounds: SipBound[];
}

type Overrides = Partial<Omit<SipListenerOptions, 'onMessage' | 'onParseError' | 'onBindFailed' | 'onBound'>> & {
  onMessage?(inbound: InboundMessage, rec: RecordingListener): void;
  onParseError?(info: { remote: RemoteAddress; error: SipParseError }, rec: RecordingListener): void;
};

/** Every listener made here, so `closeAll()` can stop them after each test. */
const opened: { close(): Promise<void> | void }[] = [];

/** Closes every listener and socket the support helpers opened. */
export async function closeAll(): Promise<void> {
  await Promise.all(opened.splice(0).map((s) => s.close()));
}

/** A started listener on 127.0.0.1 (a free port unless `port` is given). */
export async function startListener(overrides: Overrides = {}): Promise<RecordingListener> {
  const { onMessage, onParseError, ...rest } = overrides;
  const rec = { messages: [], parseErrors: [], bindFailures: [], bounds: [] } as unknown as RecordingListener;
  rec.listener = new SipListener({
    host: '127.0.0.1',
    port: 0,
    clock: new SystemClock(),
    bindRetryInterval: 0.1,
    ...rest,
    onMessage: (inbound) => {
      rec.messages.push(inbound);
      onMessage?.(inbound, rec);
    },
    onParseError: (info) => {
      rec.parseErrors.push(info);
      onParseError?.(info, rec);
    },
    onBindFailed: (info) => rec.bindFailures.push(info),
    onBound: (info) => rec.bounds.push(info),
  });
  opened.push({ close: () => rec.listener.stop() });
  await rec.listener.start();
  rec.port = rec.listener.localAddress.port;
  return rec;
}

/** Resolves once `check` returns a value other than undefined/false; fails after `ms`. */
export async function until<T>(check: () => T | undefined | false, ms = 3_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A SIP OPTIONS written by hand, as a peer would send it. */
export function rawOptions(opts: { branch?: string; callId?: string; port?: number; transport?: 'UDP' | 'TCP'; viaHost?: string } = {}): Buffer {
  const branch = opts.branch ?? 'z9hG4bKtest1';
  return Buffer.from(
    [
      'OPTIONS sip:probe@127.0.0.1 SIP/2.0',
      `Via: SIP/2.0/${opts.transport ?? 'UDP'} ${opts.viaHost ?? '127.0.0.1'}:${opts.port ?? 5099};branch=${branch};rport`,
      'Max-Forwards: 70',
      'From: <sip:tester@127.0.0.1>;tag=abc123',
      'To: <sip:probe@127.0.0.1>',
      `Call-ID: ${opts.callId ?? 'call-1@127.0.0.1'}`,
      'CSeq: 1 OPTIONS',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  );
}

/** A UDP socket on 127.0.0.1 that records what it receives; closed by `closeAll()`. */
export async function udpPeer(): Promise<{ socket: dgram.Socket; port: number; received: { data: Buffer; rinfo: dgram.RemoteInfo }[] }> {
  const socket = dgram.createSocket('udp4');
  const received: { data: Buffer; rinfo: dgram.RemoteInfo }[] = [];
  socket.on('message', (data, rinfo) => received.push({ data, rinfo }));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  opened.push({ close: () => new Promise<void>((resolve) => socket.close(() => resolve())) });
  return { socket, port: socket.address().port, received };
}

/** Sends one datagram to 127.0.0.1:port from `socket`. */
export function sendDatagram(socket: dgram.Socket, port: number, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => socket.send(data, port, '127.0.0.1', (error) => (error ? reject(error) : resolve())));
}

/** A TCP client connected to 127.0.0.1:port (from `localAddress`, another loopback address, when given), recording what it receives and whether the server closed it. */
export async function tcpPeer(port: number, localAddress?: string): Promise<{ socket: net.Socket; received: () => string; closed: () => boolean }> {
  const socket = net.connect({ port, host: '127.0.0.1', ...(localAddress ? { localAddress } : {}) });
  const chunks: Buffer[] = [];
  let closed = false;
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', () => undefined);
  socket.on('close', () => (closed = true));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  opened.push({ close: () => void socket.destroy() });
  return { socket, received: () => Buffer.concat(chunks).toString('latin1'), closed: () => closed };
}

/** Holds a port on 127.0.0.1 as another process would; `release()` frees it. */
export async function holdPort(transport: 'udp' | 'tcp', port = 0): Promise<{ port: number; release(): Promise<void> }> {
  if (transport === 'udp') {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, '127.0.0.1', () => resolve());
    });
    let released = false;
    const release = (): Promise<void> => (released ? Promise.resolve() : ((released = true), new Promise<void>((r) => socket.close(() => r()))));
    opened.push({ close: release });
    return { port: socket.address().port, release };
  }
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  let released = false;
  const release = (): Promise<void> => (released ? Promise.resolve() : ((released = true), new Promise<void>((r) => server.close(() => r()))));
  opened.push({ close: release });
  return { port: (server.address() as net.AddressInfo).port, release };
}
