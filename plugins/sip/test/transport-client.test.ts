import net from 'node:net';
import { ManualClock, SystemClock, type Clock } from '@switchyard/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { SipClient, SipListener } from '../src/transport';
import { closeAll, startListener, udpPeer, until } from './transport-support';

afterEach(closeAll);

/** A client on a started listener; every inbound response goes to `handleResponse`, whose answers are recorded. */
async function clientOn(clock: Clock = new SystemClock()) {
  const handled: boolean[] = [];
  let client: SipClient | undefined;
  const rec = await startListener({
    clock,
    onMessage: (inbound) => {
      if (inbound.message.kind === 'response') handled.push(client!.handleResponse(inbound));
    },
  });
  client = new SipClient({ listener: rec.listener, clock });
  return { rec, client, handled };
}

/** A response to a raw request, written by hand the way a simple UAS would: Via/From/To/Call-ID/CSeq copied. */
function answer(raw: Buffer, status: string): Buffer {
  const lines = raw.toString('latin1').split('\r\n\r\n')[0]!.split('\r\n');
  const copied = lines.filter((l) => /^(Via|From|To|Call-ID|CSeq):/i.test(l)).map((l) => (/^To:/i.test(l) && !/tag=/.test(l) ? `${l};tag=uas` : l));
  return Buffer.from([`SIP/2.0 ${status}`, ...copied, 'Content-Length: 0', '', ''].join('\r\n'));
}

describe('SipClient', () => {
  it('sends a well-formed request from the listener port and resolves with the 200 and an rtt', async () => {
    const { rec, client, handled } = await clientOn();
    const uas = await udpPeer();
    uas.socket.on('message', (data, rinfo) => uas.socket.send(answer(data, '200 OK'), rinfo.port, rinfo.address));
    const result = await client.request({ method: 'OPTIONS', uri: `sip:probe@127.0.0.1:${uas.port}`, target: { host: '127.0.0.1', port: uas.port }, timeout: 2 });

    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.response.status).toBe(200);
    expect(result.rtt).toBeGreaterThanOrEqual(0);
    expect(result.rtt).toBeLessThan(2_000);
    expect(handled).toEqual([true]);
    expect(client.pendingCount).toBe(0);

    const { data, rinfo } = uas.received[0]!;
    expect(rinfo.port).toBe(rec.port);
    const text = data.toString('latin1');
    expect(text).toMatch(new RegExp(`^OPTIONS sip:probe@127\\.0\\.0\\.1:${uas.port} SIP/2\\.0\\r\\n`));
    expect(text).toMatch(new RegExp(`\\r\\nVia: SIP/2\\.0/UDP 127\\.0\\.0\\.1:${rec.port};branch=z9hG4bK[0-9a-f]+;rport\\r\\n`));
    expect(text).toMatch(/\r\nMax-Forwards: 70\r\n/);
    expect(text).toMatch(/\r\nFrom: <sip:[^>]+>;tag=[0-9a-f]+\r\n/);
    expect(text).toMatch(new RegExp(`\\r\\nTo: <sip:probe@127\\.0\\.0\\.1:${uas.port}>\\r\\n`));
    expect(text).toMatch(/\r\nCall-ID: \S+\r\n/);
    expect(text).toMatch(/\r\nCSeq: 1 OPTIONS\r\n/);
    expect(text).toMatch(/\r\nContent-Length: 0\r\n\r\n$/);
  });

  it('uses a fresh branch and Call-ID for every request', async () => {
    const { client } = await clientOn();
    const uas = await udpPeer();
    uas.socket.on('message', (data, rinfo) => uas.socket.send(answer(data, '200 OK'), rinfo.port, rinfo.address));
    const target = { host: '127.0.0.1', port: uas.port };
    await client.request({ method: 'OPTIONS', uri: 'sip:a@127.0.0.1', target, timeout: 2 });
    await client.request({ method: 'OPTIONS', uri: 'sip:a@127.0.0.1', target, timeout: 2 });
    const field = (i: number, re: RegExp) => uas.received[i]!.data.toString('latin1').match(re)?.[1];
    expect(field(0, /branch=(\w+)/)).not.toBe(field(1, /branch=(\w+)/));
    expect(field(0, /Call-ID: (\S+)/)).not.toBe(field(1, /Call-ID: (\S+)/));
  });

  it('ignores a 100 Trying and resolves with the final response after it', async () => {
    const { client, handled } = await clientOn();
    const uas = await udpPeer();
    uas.socket.on('message', (data, rinfo) => {
      uas.socket.send(answer(data, '100 Trying'), rinfo.port, rinfo.address);
      setTimeout(() => uas.socket.send(answer(data, '486 Busy Here'), rinfo.port, rinfo.address), 30);
    });
    const result = await client.request({ method: 'OPTIONS', uri: 'sip:a@127.0.0.1', target: { host: '127.0.0.1', port: uas.port }, timeout: 2 });
    expect(result.ok && result.response.status).toBe(486);
    expect(handled).toEqual([true, true]);
  });

  it('times out after the given seconds against silence, and a late response is not taken (virtual time)', async () => {
    const clock = new ManualClock();
    const { client, handled } = await clientOn(clock);
    const silent = await udpPeer();
    let settled: unknown;
    const pending = client.request({ method: 'OPTIONS', uri: 'sip:a@127.0.0.1', target: { host: '127.0.0.1', port: silent.port }, timeout: 3 });
    void pending.then((r) => (settled = r));
    const sent = await until(() => silent.received[0], 2_000, 'the request');

    await clock.advance(2_999);
    expect(settled).toBeUndefined();
    await clock.advance(1);
    expect(settled).toEqual({ ok: false, reason: 'timeout', detail: expect.stringMatching(/within 3 s/) });
    expect(client.pendingCount).toBe(0);

    silent.socket.send(answer(sent.data, '200 OK'), sent.rinfo.port, sent.rinfo.address);
    await until(() => handled.length === 1, 2_000, 'the late response');
    expect(handled).toEqual([false]);
  });

  it('sends over TCP and gets the answer on the same connection, reused for the next request', async () => {
    const { client } = await clientOn();
    let connections = 0;
    const server = net.createServer((socket) => {
      connections++;
      socket.on('data', (chunk: Buffer) => socket.write(answer(chunk, '200 OK')));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const target = { host: '127.0.0.1', port, transport: 'tcp' as const };
      const first = await client.request({ method: 'OPTIONS', uri: 'sip:a@127.0.0.1;transport=tcp', target, timeout: 2 });
      const second = await client.request({ method: 'OPTIONS', uri: 'sip:a@127.0.0.1;transport=tcp', target, timeout: 2 });
      expect([first.ok && first.response.status, second.ok && second.response.status]).toEqual([200, 200]);
      expect(connections).toBe(1);
    } finally {
      await closeAll();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('reports send-failed when the target refuses the connection', async () => {
    const { client } = await clientOn();
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const result = await client.request({ method: 'OPTIONS', uri: 'sip:a@127.0.0.1', target: { host: '127.0.0.1', port, transport: 'tcp' }, timeout: 2 });
    expect(result).toEqual({ ok: false, reason: 'send-failed', detail: expect.stringMatching(/ECONNREFUSED/) });
    expect(client.pendingCount).toBe(0);
  });

  it('reports not-listening before the listener is bound, and refuses headers it writes itself', async () => {
    const listener = new SipListener({
      host: '127.0.0.1',
      port: 0,
      clock: new SystemClock(),
      bindRetryInterval: 1,
      onMessage: () => undefined,
      onParseError: () => undefined,
      onBindFailed: () => undefined,
      onBound: () => undefined,
    });
    const idle = new SipClient({ listener, clock: new SystemClock() });
    const target = { host: '127.0.0.1', port: 5060 };
    expect(await idle.request({ method: 'OPTIONS', uri: 'sip:a@127.0.0.1', target, timeout: 1 })).toMatchObject({ ok: false, reason: 'not-listening' });

    const { client } = await clientOn();
    await expect(
      client.request({ method: 'OPTIONS', uri: 'sip:a@127.0.0.1', target, timeout: 1, headers: [{ name: 'call-id', value: 'mine' }] }),
    ).rejects.toMatchObject({ code: 'SWY_ERR_SIP_REQUEST_INVALID', message: expect.stringMatching(/Call-ID/) });
    // header injection is refused by the serialiser, not reported as a network failure
    await expect(
      client.request({ method: 'OPTIONS', uri: 'sip:a@127.0.0.1', target, timeout: 1, headers: [{ name: 'Subject', value: 'x\r\nVia: evil' }] }),
    ).rejects.toMatchObject({ code: 'SWY_ERR_SIP_MESSAGE_INVALID' });
    expect(client.pendingCount).toBe(0);
  });
});
