import dgram from 'node:dgram';
import net from 'node:net';
import { LoopbackChannels, ManualClock } from '@switchyard/sdk';
import { createTestNode, definePlugin, type TestNode } from '@switchyard/sdk';
import { freePort } from '@switchyard/sdk/testing';
import { afterEach, describe, expect, it } from 'vitest';
import sipPlugin, { SipEvent, SipTokens, type SipApi, type SipStatus } from '../src/index';

// On Linux the whole of 127.0.0.0/8 is local: these stand in for a virtual IP.
const VIP = '127.0.0.5';
const VIP_B = '127.0.0.6';
/** TEST-NET-3: not on this host. */
const ABSENT = '203.0.113.77';

/** A plugin that uses the SIP API as a VIP plugin would: resolved by token. */
function apiCatcher(): { plugin: ReturnType<typeof definePlugin>; api: () => SipApi } {
  let api: SipApi | undefined;
  const plugin = definePlugin({
    name: 'vip-under-test',
    version: '0.0.0',
    requires: { plugins: ['sip'] },
    apply(engine) {
      api = engine.services.resolve(SipTokens.Api);
    },
  });
  return { plugin, api: () => api! };
}

async function pair() {
  const clock = new ManualClock();
  const [chA, chB] = LoopbackChannels.pair({ nodeIds: ['node-a', 'node-b'] });
  const ports = { a: await freePort(), b: await freePort() };
  const make = (id: string, port: number, channels: LoopbackChannels) => {
    const catcher = apiCatcher();
    const node = createTestNode({
      nodeId: id,
      clock,
      channels,
      plugins: [[sipPlugin, { persistence: { enabled: false } }], catcher.plugin],
      nodeOptions: { sip: { port } },
    });
    return { node, sip: catcher.api };
  };
  const a = make('node-a', ports.a, chA);
  const b = make('node-b', ports.b, chB);
  await a.node.start();
  await b.node.start();
  await a.node.order('primary', 1);
  await b.node.order('backup', 1);
  return { a, b, ports };
}

interface Answer {
  text: string;
  from: string;
  port: number;
}

/** A UDP client on 127.0.0.1 that keeps each answer with its source address. */
class SourceProbe {
  readonly socket = dgram.createSocket('udp4');
  private readonly inbox: Answer[] = [];
  port = 0;
  private seq = 0;

  async open(): Promise<this> {
    this.socket.on('message', (m, rinfo) => this.inbox.push({ text: m.toString('utf8'), from: rinfo.address, port: rinfo.port }));
    await new Promise<void>((resolve) => this.socket.bind(0, '127.0.0.1', () => resolve()));
    this.port = this.socket.address().port;
    return this;
  }

  options(host: string, port: number): void {
    this.send(host, port, 'OPTIONS', 'ping', []);
  }

  register(host: string, port: number, user: string): void {
    this.send(host, port, 'REGISTER', user, [`Contact: <sip:${user}@127.0.0.1:${this.port}>`, 'Expires: 300']);
  }

  private send(host: string, port: number, method: string, user: string, extra: string[]): void {
    this.seq += 1;
    const text = [
      `${method} sip:${user}@${host}:${port} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${this.port};branch=z9hG4bK-x${this.seq};rport`,
      `From: <sip:${user}@127.0.0.1>;tag=x${this.seq}`,
      `To: <sip:${user}@127.0.0.1>`,
      `Call-ID: extra-${this.seq}@test`,
      `CSeq: ${this.seq} ${method}`,
      ...extra,
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
    this.socket.send(Buffer.from(text), port, host);
  }

  /** The next answer, or undefined when none comes within `ms` (real time: sockets). */
  async next(ms = 2_000): Promise<Answer | undefined> {
    const deadline = Date.now() + ms;
    while (this.inbox.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    return this.inbox.shift();
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

/** One OPTIONS over TCP to host:port; the answer's status, or 0 when none comes. */
async function tcpOptions(host: string, port: number): Promise<{ status: number; from: string | undefined }> {
  const socket = net.connect({ host, port });
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const local = socket.address() as net.AddressInfo;
  socket.write(
    [
      `OPTIONS sip:ping@${host}:${port} SIP/2.0`,
      `Via: SIP/2.0/TCP 127.0.0.1:${local.port};branch=z9hG4bK-tcp${local.port}`,
      'From: <sip:probe@127.0.0.1>;tag=t1',
      `To: <sip:ping@${host}>`,
      `Call-ID: extra-tcp-${local.port}@test`,
      'CSeq: 1 OPTIONS',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  );
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
  const deadline = Date.now() + 2_000;
  while (!text.includes('\r\n\r\n') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  const from = socket.remoteAddress;
  socket.destroy();
  return { status: Number(/^SIP\/2\.0 (\d{3})/.exec(text)?.[1] ?? 0), from };
}

const statusOf = (answer: Answer | undefined) => Number(/^SIP\/2\.0 (\d{3})/.exec(answer?.text ?? '')?.[1] ?? 0);
const sipStatus = (node: TestNode) => node.engine.report().sip as SipStatus;

async function failure(promise: Promise<unknown>): Promise<{ code?: string; message: string; cause?: { code?: string } }> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error as { code?: string; message: string; cause?: { code?: string } },
  );
}

describe('SipApi.listenOn / stopListening (extra addresses, e.g. a VIP)', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });
  const setUp = async () => {
    const p = await pair();
    const probe = await new SourceProbe().open();
    cleanup.push(
      () => p.a.node.stop(),
      () => p.b.node.stop(),
      () => probe.close(),
    );
    return { ...p, probe };
  };

  it('answers a request sent to the extra address from that address (UDP and TCP), through the same registrar, and shows it in status', async () => {
    const { a, b, ports, probe } = await setUp();
    await a.sip().listenOn(VIP);
    await a.sip().listenOn(VIP); // idempotent
    await a.sip().listenOn('127.0.0.1'); // the node's own address: nothing to open

    probe.options(VIP, ports.a);
    const answer = await probe.next();
    expect(statusOf(answer)).toBe(200);
    expect(answer).toMatchObject({ from: VIP, port: ports.a });

    expect(await tcpOptions(VIP, ports.a)).toEqual({ status: 200, from: VIP });

    // the node's own address still answers from itself
    probe.options('127.0.0.1', ports.a);
    expect(await probe.next()).toMatchObject({ from: '127.0.0.1', port: ports.a });

    // a REGISTER through the extra address lands in the node's one registrar, replicated as any other
    probe.register(VIP, ports.a, 'alice');
    expect(await probe.next()).toMatchObject({ from: VIP, text: expect.stringMatching(/^SIP\/2\.0 200 /) });
    await a.node.advance(0.1);
    expect(sipStatus(a.node).bindings).toBe(1);
    expect(sipStatus(b.node).bindings).toBe(1);

    expect(sipStatus(a.node).extraHosts).toEqual([VIP]);
    expect(a.sip().status().extraHosts).toEqual([VIP]);
  });

  it('goes through the role gate: a backup answers 503 from the extra address, and so does a primary that became backup', async () => {
    const { a, b, ports, probe } = await setUp();
    await b.sip().listenOn(VIP_B);
    probe.options(VIP_B, ports.b);
    const fromBackup = await probe.next();
    expect(statusOf(fromBackup)).toBe(503);
    expect(fromBackup?.text).toMatch(/Retry-After: \d+/);
    expect(fromBackup).toMatchObject({ from: VIP_B, port: ports.b });

    await a.sip().listenOn(VIP);
    await a.node.order('backup', 2);
    probe.options(VIP, ports.a);
    expect(await probe.next()).toMatchObject({ from: VIP, text: expect.stringMatching(/^SIP\/2\.0 503 /) });
  });

  it('stopListening closes the address (no answer, port free), is idempotent, leaves the main address serving, and can be undone', async () => {
    const { a, ports, probe } = await setUp();
    await a.sip().listenOn(VIP);
    await a.sip().stopListening(VIP);
    await a.sip().stopListening(VIP);
    await a.sip().stopListening('127.0.0.1'); // never the node's own listener

    probe.options(VIP, ports.a);
    expect(await probe.next(300)).toBeUndefined();
    expect(sipStatus(a.node).extraHosts).toEqual([]);
    probe.options('127.0.0.1', ports.a);
    expect(statusOf(await probe.next())).toBe(200);

    await a.sip().listenOn(VIP);
    probe.options(VIP, ports.a);
    expect(await probe.next()).toMatchObject({ from: VIP });
  });

  it('a stopListening that comes before the bind wins: that listenOn rejects, a new one binds', async () => {
    const { a, ports, probe } = await setUp();
    const opening = a.sip().listenOn(VIP);
    const closing = a.sip().stopListening(VIP);
    expect((await failure(opening)).message).toBe(`Listening on ${VIP}:${ports.a} was stopped before it was bound.`);
    await closing;
    expect(sipStatus(a.node).extraHosts).toEqual([]);
    await a.sip().listenOn(VIP);
    probe.options(VIP, ports.a);
    expect(await probe.next()).toMatchObject({ from: VIP });
  });

  it('refuses an address that is not on this host with SWY_ERR_SIP_NOT_LISTENING (EADDRNOTAVAIL), and the node keeps serving on its own', async () => {
    const { a, ports, probe } = await setUp();
    const error = await failure(a.sip().listenOn(ABSENT));
    expect(error.code).toBe('SWY_ERR_SIP_NOT_LISTENING');
    expect(error.message).toMatch(new RegExp(`^Cannot listen on ${ABSENT.replace(/\./g, '\\.')}:${ports.a}/(udp|tcp) \\(EADDRNOTAVAIL\\): the address is not on this host`));
    expect(error.cause?.code).toBe('EADDRNOTAVAIL');

    expect(sipStatus(a.node)).toMatchObject({ listening: true, extraHosts: [] });
    expect(a.node.eventIds()).not.toContain(SipEvent.ListenerBindFailed);
    expect(a.node.switchoverRequests).toEqual([]);
    expect(a.node.engine.report()).toMatchObject({ role: 'primary', status: 'running' });
    probe.options('127.0.0.1', ports.a);
    expect(statusOf(await probe.next())).toBe(200);

    // not cached: a later call tries again (still absent here)
    expect((await failure(a.sip().listenOn(ABSENT))).code).toBe('SWY_ERR_SIP_NOT_LISTENING');
  });

  it('refuses what is not an address (a prefix length, a name, a wildcard) with SWY_ERR_SIP_OPTIONS', async () => {
    const { a } = await setUp();
    const withPrefix = await failure(a.sip().listenOn('198.51.100.100/24'));
    expect(withPrefix).toMatchObject({ code: 'SWY_ERR_SIP_OPTIONS', message: expect.stringContaining('without its prefix length') });
    expect((await failure(a.sip().listenOn('vip.example'))).code).toBe('SWY_ERR_SIP_OPTIONS');
    expect((await failure(a.sip().listenOn('0.0.0.0'))).code).toBe('SWY_ERR_SIP_OPTIONS');
  });

  it('closes extra addresses when the plugin stops, and refuses new ones after', async () => {
    const { a, ports } = await setUp();
    await a.sip().listenOn(VIP);
    await a.node.stop();
    // the port on the extra address is free again: we can take it ourselves
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(ports.a, VIP, () => resolve());
    });
    await new Promise<void>((resolve) => socket.close(() => resolve()));
    expect((await failure(a.sip().listenOn(VIP))).code).toBe('SWY_ERR_SIP_NOT_LISTENING');
  });
});
