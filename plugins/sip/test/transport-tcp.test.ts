import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { ManualClock } from '@switchyard/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { parseMessage, type SipRequest } from '../src/message';
import { buildResponse, parsePartialForError, responseTarget, type TcpRefusal } from '../src/transport';
import { closeAll, rawOptions, startListener, tcpPeer, until } from './transport-support';

afterEach(closeAll);

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 20));

describe('SipListener over TCP', () => {
  it('delivers an OPTIONS with the connection it came on', async () => {
    const rec = await startListener();
    const peer = await tcpPeer(rec.port);
    peer.socket.write(rawOptions({ transport: 'TCP' }));
    const inbound = await until(() => rec.messages[0], 2_000, 'the OPTIONS');
    expect(inbound.message).toMatchObject({ kind: 'request', method: 'OPTIONS' });
    expect(inbound.remote).toMatchObject({ address: '127.0.0.1', port: peer.socket.localPort, transport: 'tcp' });
    expect(inbound.remote.connectionId).toEqual(expect.any(String));
  });

  it('splits two messages in one write and joins one message split across writes', async () => {
    const rec = await startListener();
    const peer = await tcpPeer(rec.port);
    peer.socket.write(Buffer.concat([rawOptions({ callId: 'one', transport: 'TCP' }), rawOptions({ callId: 'two', transport: 'TCP' })]));
    await until(() => rec.messages.length >= 2, 2_000, 'two messages');
    const third = rawOptions({ callId: 'three', transport: 'TCP' });
    const cuts = [0, 7, 60, third.length - 3, third.length];
    for (let i = 0; i + 1 < cuts.length; i++) {
      peer.socket.write(third.subarray(cuts[i], cuts[i + 1]));
      await tick();
    }
    await until(() => rec.messages.length >= 3, 2_000, 'the split message');
    const callIds = rec.messages.map((m) => m.message.headers.find((h) => h.name === 'Call-ID')?.value);
    expect(callIds).toEqual(['one', 'two', 'three']);
    expect(new Set(rec.messages.map((m) => m.remote.connectionId)).size).toBe(1);
    expect(rec.parseErrors).toEqual([]);
  });

  it('answers over the connection the request came on', async () => {
    const rec = await startListener();
    const peer = await tcpPeer(rec.port);
    peer.socket.write(rawOptions({ transport: 'TCP' }));
    const inbound = await until(() => rec.messages[0]);
    const response = buildResponse(inbound.message as SipRequest, 200, 'OK', { remote: inbound.remote });
    await rec.listener.send(response, responseTarget(response, inbound.remote));
    await until(() => peer.received().startsWith('SIP/2.0 200 OK\r\n'), 2_000, 'the 200 on the same connection');
  });

  it('closes a connection after random bytes or an oversized stream and keeps serving', async () => {
    const rec = await startListener({ limits: { maxMessageBytes: 4096 } });
    const garbage = await tcpPeer(rec.port);
    garbage.socket.write(randomBytes(8192));
    await until(() => garbage.closed(), 2_000, 'the garbage connection to be closed');
    const oversized = await tcpPeer(rec.port);
    oversized.socket.write('OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nVia: ' + 'a'.repeat(10_000));
    await until(() => oversized.closed(), 2_000, 'the oversized connection to be closed');
    expect(rec.parseErrors.length).toBeGreaterThanOrEqual(2);
    expect(rec.parseErrors.every((e) => e.remote.transport === 'tcp' && /^SIP_PARSE_/.test(e.error.code))).toBe(true);
    expect(rec.parseErrors.at(-1)!.error.code).toBe('SIP_PARSE_TOO_LARGE');

    const good = await tcpPeer(rec.port);
    good.socket.write(rawOptions({ transport: 'TCP' }));
    await until(() => rec.messages[0], 2_000, 'the OPTIONS after the garbage');
    expect(good.closed()).toBe(false);
  });

  it('lets the error handler answer 400 before a broken connection is closed', async () => {
    const rec = await startListener({
      onParseError: ({ remote, error }, self) => {
        const request = parsePartialForError(error.partial);
        if (!request) return;
        const response = buildResponse(request, 400, 'Bad Request', { remote });
        void self.listener.send(response, responseTarget(response, remote));
      },
    });
    const peer = await tcpPeer(rec.port);
    const head = rawOptions({ transport: 'TCP' }).toString('latin1').replace('Content-Length: 0', 'Content-Length: abc');
    peer.socket.write(head);
    await until(() => peer.closed(), 2_000, 'the connection to be closed');
    expect(rec.parseErrors).toHaveLength(1);
    expect(peer.received()).toMatch(/^SIP\/2\.0 400 Bad Request\r\n/);
    expect(peer.received()).toMatch(/\r\nCall-ID: call-1@127\.0\.0\.1\r\n/);
  });

  it('closes a connection idle for the timeout (virtual time)', async () => {
    const clock = new ManualClock();
    const rec = await startListener({ clock, tcpIdleTimeout: 60 });
    const peer = await tcpPeer(rec.port);
    await until(() => clock.pending > 0, 2_000, 'the idle timer');
    await clock.advance(30_000);
    peer.socket.write(rawOptions({ transport: 'TCP' })); // traffic restarts the idle period
    await until(() => rec.messages[0]);
    await clock.advance(59_000);
    await tick();
    expect(peer.closed()).toBe(false);
    await clock.advance(1_000);
    await until(() => peer.closed(), 2_000, 'the idle connection to be closed');
  });

  it('at the total cap a new client is still served: a silent connection makes room, one that sent a message is kept', async () => {
    const refusals: TcpRefusal[] = [];
    const rec = await startListener({ maxTcpConnections: 2, onTcpRefused: (info) => refusals.push(info) });
    const active = await tcpPeer(rec.port);
    active.socket.write(rawOptions({ callId: 'active', transport: 'TCP' }));
    await until(() => rec.messages[0], 2_000, 'the active client’s OPTIONS');
    const silent = await tcpPeer(rec.port);
    await until(() => rec.listener.tcpConnections === 2, 2_000, 'both connections accepted');
    const newcomer = await tcpPeer(rec.port);
    newcomer.socket.write(rawOptions({ callId: 'newcomer', transport: 'TCP' }));
    await until(() => rec.messages[1], 2_000, 'the new client’s OPTIONS');
    await until(() => silent.closed(), 2_000, 'the silent connection to make room');
    expect(active.closed()).toBe(false);
    expect(newcomer.closed()).toBe(false);
    expect(refusals).toEqual([expect.objectContaining({ kind: 'cut', reason: expect.stringMatching(/tcp\.maxConnections/) })]);
  });

  it('refuses connections over the per-source cap, and still serves another source address', async () => {
    const refusals: TcpRefusal[] = [];
    const rec = await startListener({ maxTcpConnectionsPerSource: 2, onTcpRefused: (info) => refusals.push(info) });
    const held = [await tcpPeer(rec.port), await tcpPeer(rec.port)];
    await until(() => rec.listener.tcpConnections === 2, 2_000, 'two connections accepted');
    const third = await tcpPeer(rec.port);
    await until(() => third.closed(), 2_000, 'the third connection from 127.0.0.1 to be closed');
    expect(refusals).toEqual([
      expect.objectContaining({ kind: 'refused', remote: expect.objectContaining({ address: '127.0.0.1' }), reason: expect.stringMatching(/maxConnectionsPerSource/) }),
    ]);
    const other = await tcpPeer(rec.port, '127.0.0.2');
    other.socket.write(rawOptions({ transport: 'TCP' }));
    const inbound = await until(() => rec.messages[0], 2_000, 'the OPTIONS from 127.0.0.2');
    expect(inbound.remote.address).toBe('127.0.0.2');
    expect(held.map((p) => p.closed())).toEqual([false, false]);
  });

  it('cuts a slow sender whose message is not complete within the message deadline (virtual time)', async () => {
    const clock = new ManualClock();
    const refusals: TcpRefusal[] = [];
    const rec = await startListener({ clock, tcpMessageTimeout: 10, tcpIdleTimeout: 60, onTcpRefused: (info) => refusals.push(info) });
    const slow = await tcpPeer(rec.port);
    const message = rawOptions({ transport: 'TCP' });
    slow.socket.write(message.subarray(0, 1));
    await until(() => clock.pending > 1, 2_000, 'the message deadline to be armed');
    // a byte every 2 s keeps the connection from being idle, not from the deadline
    for (let i = 1; i < 5; i++) {
      await clock.advance(2_000);
      slow.socket.write(message.subarray(i, i + 1));
      await tick();
    }
    expect(slow.closed()).toBe(false);
    await clock.advance(2_000);
    await until(() => slow.closed(), 2_000, 'the slow sender to be cut');
    expect(rec.messages).toEqual([]);
    expect(refusals).toEqual([expect.objectContaining({ kind: 'cut', reason: expect.stringMatching(/tcp\.messageTimeout is 10 s/) })]);

    // a client that completes its messages in time keeps its connection past the deadline
    const prompt = await tcpPeer(rec.port);
    prompt.socket.write(message.subarray(0, 20));
    await tick();
    await clock.advance(9_000);
    prompt.socket.write(message.subarray(20));
    await until(() => rec.messages[0], 2_000, 'the prompt client’s OPTIONS');
    await clock.advance(5_000);
    await tick();
    expect(prompt.closed()).toBe(false);
  });

  it('opens a connection to send when none is open, and receives the answer on it', async () => {
    const rec = await startListener();
    const seen: string[] = [];
    const server = net.createServer((socket) => {
      socket.on('data', (chunk: Buffer) => {
        seen.push(chunk.toString('latin1'));
        socket.write(rawOptions({ callId: 'back', transport: 'TCP' }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const request = rawOptions({ transport: 'TCP' });
      const parsed = parseMessage(request);
      if (!parsed.ok) throw new Error(parsed.error.message);
      await rec.listener.send(parsed.message, { address: '127.0.0.1', port, transport: 'tcp' });
      await until(() => seen.length > 0, 2_000, 'the server to receive');
      const inbound = await until(() => rec.messages[0], 2_000, 'the message back');
      expect(inbound.remote).toMatchObject({ address: '127.0.0.1', port, transport: 'tcp' });
      // a second send reuses the connection
      await rec.listener.send(parsed.message, { address: '127.0.0.1', port, transport: 'tcp' });
      await until(() => rec.messages.length >= 2);
      expect(rec.messages[1]!.remote.connectionId).toBe(inbound.remote.connectionId);
    } finally {
      await rec.listener.stop();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
