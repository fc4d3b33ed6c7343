import { describe, expect, it } from 'vitest';
import { FrameDecoder, encodeFrame, type Frame } from '../src/halink/frame';
import { ClientHandshake, ServerHandshake, type HandshakeIdentity } from '../src/halink/handshake';
import { FrameOpener, FrameSealer, type SessionKeys } from '../src/halink/session';
import { codeOf } from './support/errors';

const SECRET = 'a-shared-secret-of-some-length';
const server: HandshakeIdentity = { nodeId: 'node-b', cluster: 'c1', peerId: 'node-a', secret: SECRET };
const client: HandshakeIdentity = { nodeId: 'node-a', cluster: 'c1', peerId: 'node-b', secret: SECRET };

/** One complete handshake; the keys each side ends up with. */
function handshake(): { client: SessionKeys; server: SessionKeys } {
  const s = new ServerHandshake(server);
  const c = new ClientHandshake(client);
  c.confirm(s.accept(c.answer(s.hello())));
  return { client: c.sessionKeys(), server: s.sessionKeys() };
}

/** A decoder on the receiving side of an established connection. */
function receiver(key: Buffer): FrameDecoder {
  const decoder = new FrameDecoder({ maxFrameBytes: 64 * 1024 });
  decoder.useOpener(new FrameOpener(key));
  return decoder;
}

const hb: Frame = { t: 'hb', role: 'primary', status: 'running', term: 4 };
const change: Frame = { t: 'msg', channel: 'sip.contacts', seq: 1, data: { aor: 'sip:alice@example.com' } };

describe('HA-link sealed frames', () => {
  it('carries frames both ways once the handshake is done', () => {
    const keys = handshake();
    const up = new FrameSealer(keys.client.send);
    const down = new FrameSealer(keys.server.send);
    const atServer = receiver(keys.server.receive);
    const atClient = receiver(keys.client.receive);
    const bytes = Buffer.concat([...up.seal(encodeFrame(hb)), ...up.seal(encodeFrame(change))]);
    expect(atServer.push(bytes)).toEqual([hb, change]);
    expect(atClient.push(Buffer.concat(down.seal(encodeFrame(hb))))).toEqual([hb]);
  });

  it('refuses a frame with any single byte changed, wherever it is', () => {
    const keys = handshake();
    const sealed = Buffer.concat(new FrameSealer(keys.client.send).seal(encodeFrame(change)));
    for (let at = 0; at < sealed.length; at++) {
      const altered = Buffer.from(sealed);
      altered[at] = altered[at]! ^ 0x01;
      const code = codeOf(() => receiver(keys.server.receive).push(altered));
      // A changed length prefix may also make the frame too long or leave it incomplete (nothing decoded).
      expect(['SWY_ERR_HALINK_AUTH', 'SWY_ERR_HALINK_FRAME_TOO_LARGE', undefined], `byte ${at}`).toContain(code);
      if (at >= 4) expect(code, `byte ${at}`).toBe('SWY_ERR_HALINK_AUTH');
    }
  });

  it('refuses a replayed, reordered or dropped frame', () => {
    const keys = handshake();
    const sealer = new FrameSealer(keys.client.send);
    const [first, second, third] = [hb, change, hb].map((f) => Buffer.concat(sealer.seal(encodeFrame(f))));

    const replay = receiver(keys.server.receive);
    expect(replay.push(first!)).toEqual([hb]);
    expect(codeOf(() => replay.push(first!))).toBe('SWY_ERR_HALINK_AUTH');

    expect(codeOf(() => receiver(keys.server.receive).push(second!))).toBe('SWY_ERR_HALINK_AUTH'); // #1 dropped
    const reordered = receiver(keys.server.receive);
    expect(reordered.push(first!)).toEqual([hb]);
    expect(codeOf(() => reordered.push(third!))).toBe('SWY_ERR_HALINK_AUTH'); // #2 skipped
  });

  it('refuses a frame of another connection, of the other direction, or unsealed', () => {
    const keys = handshake();
    const earlier = handshake(); // same secret and nodes, other nonces
    const frame = encodeFrame(change);
    expect(codeOf(() => receiver(keys.server.receive).push(Buffer.concat(new FrameSealer(earlier.client.send).seal(frame))))).toBe(
      'SWY_ERR_HALINK_AUTH',
    );
    // Reflected: what the server sent, fed back to it.
    expect(codeOf(() => receiver(keys.server.receive).push(Buffer.concat(new FrameSealer(keys.server.send).seal(frame))))).toBe(
      'SWY_ERR_HALINK_AUTH',
    );
    expect(codeOf(() => receiver(keys.server.receive).push(frame))).toBe('SWY_ERR_HALINK_AUTH');
    expect(codeOf(() => receiver(keys.server.receive).push(encodeFrame({ t: 'x' })))).toBe('SWY_ERR_HALINK_AUTH'); // shorter than a tag
  });

  it('derives different keys per connection and per direction', () => {
    const one = handshake();
    const two = handshake();
    expect(one.client.send.equals(one.server.receive)).toBe(true);
    expect(one.server.send.equals(one.client.receive)).toBe(true);
    expect(one.client.send.equals(one.client.receive)).toBe(false);
    expect(one.client.send.equals(two.client.send)).toBe(false);
  });
});
