import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { parseMessage, type SipRequest } from '../src/message';
import { buildResponse, responseTarget } from '../src/transport';
import { literalFamily } from '../src/transport/udp-endpoint';
import { closeAll, rawOptions, sendDatagram, startListener, udpPeer, until } from './transport-support';

afterEach(closeAll);

describe('SipListener over UDP', () => {
  it('binds UDP and TCP on one port and delivers an OPTIONS with where it came from', async () => {
    const rec = await startListener();
    expect(rec.listener.listening).toBe(true);
    expect(rec.port).toBeGreaterThan(0);
    expect(rec.bounds).toEqual([{ address: '127.0.0.1', port: rec.port, recovered: false, failedAttempts: 0 }]);
    const peer = await udpPeer();
    const raw = rawOptions({ port: peer.port });
    await sendDatagram(peer.socket, rec.port, raw);
    const inbound = await until(() => rec.messages[0], 2_000, 'the OPTIONS');
    expect(inbound.message).toMatchObject({ kind: 'request', method: 'OPTIONS', uri: 'sip:probe@127.0.0.1' });
    expect(inbound.remote).toEqual({ address: '127.0.0.1', port: peer.port, transport: 'udp' });
    expect(inbound.raw.equals(raw)).toBe(true);
    expect(Math.abs(inbound.receivedAt - Date.now())).toBeLessThan(5_000);
  });

  it('answers from the port the request arrived on', async () => {
    const rec = await startListener();
    const peer = await udpPeer();
    await sendDatagram(peer.socket, rec.port, rawOptions({ port: peer.port }));
    const inbound = await until(() => rec.messages[0]);
    const response = buildResponse(inbound.message as SipRequest, 200, 'OK', { remote: inbound.remote });
    await rec.listener.send(response, responseTarget(response, inbound.remote));
    const reply = await until(() => peer.received[0], 2_000, 'the 200');
    expect(reply.rinfo.port).toBe(rec.port);
    const parsed = parseMessage(reply.data);
    expect(parsed.ok && parsed.message.kind === 'response' && parsed.message.status).toBe(200);
  });

  it('reports random bytes and an oversized datagram as parse errors and keeps serving', async () => {
    const rec = await startListener({ limits: { maxMessageBytes: 4096 } });
    const peer = await udpPeer();
    await sendDatagram(peer.socket, rec.port, Buffer.concat([Buffer.from([0xff, 0x00, 0x13]), randomBytes(500)]));
    await sendDatagram(peer.socket, rec.port, Buffer.alloc(65_000, 0x41));
    await until(() => rec.parseErrors.length >= 2, 2_000, 'two parse errors');
    expect(rec.parseErrors.map((e) => e.remote)).toEqual([
      { address: '127.0.0.1', port: peer.port, transport: 'udp' },
      { address: '127.0.0.1', port: peer.port, transport: 'udp' },
    ]);
    expect(rec.parseErrors[0]!.error.code).toMatch(/^SIP_PARSE_/);
    expect(rec.parseErrors[1]!.error.code).toBe('SIP_PARSE_TOO_LARGE');
    expect(rec.messages).toHaveLength(0);

    await sendDatagram(peer.socket, rec.port, rawOptions({ port: peer.port }));
    await until(() => rec.messages[0], 2_000, 'the OPTIONS after the garbage');
    expect(rec.listener.listening).toBe(true);
  });
});

describe('UDP sends', () => {
  it('sends the answers of one event-loop turn after that turn, in order, and still sends them when the listener stops within the turn', async () => {
    const rec = await startListener();
    const peer = await udpPeer();
    for (let i = 0; i < 3; i++) await sendDatagram(peer.socket, rec.port, rawOptions({ port: peer.port, callId: `turn-${i}` }));
    await until(() => rec.messages.length >= 3, 2_000, 'three OPTIONS');
    const sent: Promise<void>[] = [];
    for (const inbound of rec.messages) {
      const response = buildResponse(inbound.message as SipRequest, 200, 'OK', { remote: inbound.remote });
      sent.push(rec.listener.send(response, responseTarget(response, inbound.remote)));
    }
    // Nothing has left yet: the datagrams wait for the end of this turn.
    const settled = await Promise.race([Promise.all(sent).then(() => 'sent'), Promise.resolve('waiting')]);
    expect(settled).toBe('waiting');
    const stopped = rec.listener.stop();
    await Promise.all(sent);
    await stopped;
    const replies = await until(() => peer.received.length >= 3 && peer.received, 2_000, 'three 200s');
    const callIds = replies.map((r) => {
      const parsed = parseMessage(r.data);
      return parsed.ok ? parsed.message.headers.find((h) => h.name.toLowerCase() === 'call-id')?.value : undefined;
    });
    expect(callIds).toEqual(['turn-0', 'turn-1', 'turn-2']);
  });

  it('resolves a host name (localhost) before it sends, and refuses a send once stopped', async () => {
    const rec = await startListener();
    const peer = await udpPeer();
    await sendDatagram(peer.socket, rec.port, rawOptions({ port: peer.port }));
    const inbound = await until(() => rec.messages[0]);
    const response = buildResponse(inbound.message as SipRequest, 200, 'OK', { remote: inbound.remote });
    await rec.listener.send(response, { address: 'localhost', port: peer.port, transport: 'udp' });
    await until(() => peer.received[0], 2_000, 'the 200 sent to localhost');
    await rec.listener.stop();
    await expect(rec.listener.send(response, responseTarget(response, inbound.remote))).rejects.toThrow(/not/i);
  });
});

describe('literalFamily (the send path skips dns.lookup for IP literals)', () => {
  it('tells IPv4 and IPv6 literals from names', () => {
    expect(['127.0.0.1', '192.0.2.10', '::1', 'fe80::1%eth0', '2001:db8::5060', 'localhost', 'sip.example.com', '', '10.0.0.1a'].map(literalFamily)).toEqual([
      4, 4, 6, 6, 6, 0, 0, 0, 0,
    ]);
  });
});
