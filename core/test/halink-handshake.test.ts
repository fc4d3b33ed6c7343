import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../src/errors';
import { ClientHandshake, ServerHandshake, type HandshakeIdentity } from '../src/halink/handshake';
import { codeOf } from './support/errors';

const SECRET = 'a-shared-secret-of-some-length';
const server: HandshakeIdentity = { nodeId: 'node-b', cluster: 'c1', peerId: 'node-a', secret: SECRET };
const client: HandshakeIdentity = { nodeId: 'node-a', cluster: 'c1', peerId: 'node-b', secret: SECRET };


describe('HA-link handshake', () => {
  it('authenticates both sides without sending the secret', () => {
    const s = new ServerHandshake(server);
    const c = new ClientHandshake(client);
    const hello = s.hello();
    expect(hello).toMatchObject({ t: 'hello', nodeId: 'node-b', cluster: 'c1' });
    expect(hello.nonce).toMatch(/^[0-9a-f]{64}$/);
    const auth = c.answer(hello);
    const welcome = s.accept(auth);
    expect(() => c.confirm(welcome)).not.toThrow();
    expect(JSON.stringify([hello, auth, welcome])).not.toContain(SECRET);
  });

  it('rejects a client with another secret, and a server with another secret', () => {
    const s = new ServerHandshake(server);
    const auth = new ClientHandshake({ ...client, secret: 'another-secret-entirely' }).answer(s.hello());
    expect(codeOf(() => s.accept(auth))).toBe('SWY_ERR_HALINK_AUTH');

    const c = new ClientHandshake(client);
    const impostor = new ServerHandshake({ ...server, secret: 'another-secret-entirely' });
    const welcome = impostor.accept(new ClientHandshake({ ...client, secret: 'another-secret-entirely' }).answer(impostor.hello()));
    c.answer(impostor.hello());
    expect(codeOf(() => c.confirm(welcome))).toBe('SWY_ERR_HALINK_AUTH');
  });

  it('binds the nonces: a recorded auth does not open a new session', () => {
    const first = new ServerHandshake(server);
    const auth = new ClientHandshake(client).answer(first.hello());
    expect(codeOf(() => new ServerHandshake(server).accept(auth))).toBe('SWY_ERR_HALINK_AUTH');
  });

  it('rejects a peer that is not the configured one or in another cluster', () => {
    const s = new ServerHandshake(server);
    const stranger = new ClientHandshake({ ...client, nodeId: 'node-z' }).answer(s.hello());
    expect(codeOf(() => s.accept(stranger))).toBe('SWY_ERR_HALINK_AUTH');
    expect(codeOf(() => new ClientHandshake({ ...client, cluster: 'c2' }).answer(new ServerHandshake(server).hello()))).toBe(
      'SWY_ERR_HALINK_AUTH',
    );
    expect(codeOf(() => new ClientHandshake({ ...client, peerId: 'node-q' }).answer(s.hello()))).toBe('SWY_ERR_HALINK_AUTH');
  });

  it('treats any other frame during the handshake as a protocol error', () => {
    expect(codeOf(() => new ServerHandshake(server).accept({ t: 'hb', role: 'primary' }))).toBe('SWY_ERR_HALINK_PROTOCOL');
    expect(codeOf(() => new ClientHandshake(client).answer({ t: 'welcome', mac: '00' }))).toBe('SWY_ERR_HALINK_PROTOCOL');
    const s = new ServerHandshake(server);
    const auth = new ClientHandshake(client).answer(s.hello());
    expect(codeOf(() => s.accept({ ...auth, mac: 'zz' }))).toBe('SWY_ERR_HALINK_AUTH');
    expect(codeOf(() => s.accept({ ...auth, nonce: 'short' }))).toBe('SWY_ERR_HALINK_PROTOCOL');
  });
});
