import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { ManualClock } from '@switchyard/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { parseMessage, type SipRequest } from '../src/message';
import { buildResponse, parsePartialForError, responseTarget } from '../src/transport';
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

  it('closes inbound connections beyond the cap and serves the ones it keeps', async () => {
    const rec = await startListener({ maxTcpConnections: 1 });
    const first = await tcpPeer(rec.port);
    const second = await tcpPeer(rec.port);
    await until(() => second.closed(), 2_000, 'the connection over the cap to be closed');
    first.socket.write(rawOptions({ transport: 'TCP' }));
    await until(() => rec.messages[0]);
    expect(first.closed()).toBe(false);
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
