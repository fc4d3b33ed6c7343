import { afterEach, describe, expect, it } from 'vitest';
import { parseDigestCredentials } from '../src/index';
import { REALM, USERS, digestNode, runCleanup } from './support/digest-node';
import { challengeParams, digestAuthorization, headersOf, request, requestUri, statusOf } from './support/udp-client';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(() => runCleanup(cleanup));

/** A small deterministic PRNG (mulberry32), so a failing input can be replayed. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = ['Digest', 'digest', 'Basic', ' ', ',', '=', '"', '\\', 'username', 'realm', `"${REALM}"`, 'nonce', 'uri', 'response', 'qop', 'auth', 'nc', '00000001', 'cnonce', 'algorithm', 'MD5', 'SHA-256', 'sha-256', 'opaque', 'x'.repeat(300), '\t', 'ñ', '%00'];

describe('hostile Authorization headers', () => {
  it('the parser never throws and refuses a repeated parameter or an unterminated quote', () => {
    const random = prng(11);
    for (let i = 0; i < 5_000; i++) {
      const n = Math.floor(random() * 12);
      const text = Array.from({ length: n }, () => PIECES[Math.floor(random() * PIECES.length)]!).join('');
      expect(() => parseDigestCredentials(text), JSON.stringify(text)).not.toThrow();
    }
    expect(parseDigestCredentials('Digest realm="a", realm="b"')).toBeUndefined();
    expect(parseDigestCredentials('Digest realm="a')).toBeUndefined();
    expect(parseDigestCredentials('Digest realm="a\\"b", nc=00000001')?.params.get('realm')).toBe('a"b');
  });

  it('a node fed 300 malformed or forged credentials answers each with 400, 401 or 403, registers nothing, and still registers a real user', async () => {
    const h = await digestNode(cleanup);
    const random = prng(7);
    const challenge = await h.client.ask(h.port, request({ client: h.client, port: h.port, user: 'alice' }));
    const nonce = headersOf(challenge, 'WWW-Authenticate').map(challengeParams)[0]!.nonce!;
    const seen = new Set<number>();
    for (let i = 0; i < 300; i++) {
      const n = 1 + Math.floor(random() * 14);
      let value = Array.from({ length: n }, () => PIECES[Math.floor(random() * PIECES.length)]!).join('');
      if (i % 3 === 0) value = `Digest username="alice", realm="${REALM}", nonce="${nonce}", uri="${value.replace(/"/g, '')}", response="${'0'.repeat(64)}", qop=auth, nc=00000001, cnonce="c"`;
      const answer = await h.client.ask(h.port, request({ client: h.client, port: h.port, user: 'alice', headers: [`Authorization: ${value.replace(/[\r\n]/g, '')}`] }));
      seen.add(statusOf(answer));
    }
    expect([...seen].every((s) => [400, 401, 403].includes(s)), [...seen].join(',')).toBe(true);
    expect((h.node.engine.report().sip as { bindings: number }).bindings).toBe(0);

    // credentials for another realm beside ours: ours are used
    const bare = request({ client: h.client, port: h.port, user: 'alice' });
    const ours = digestAuthorization({ algorithm: 'SHA-256', user: 'alice', realm: REALM, password: USERS.alice, method: 'REGISTER', uri: requestUri(bare), nonce, nc: 1 });
    const other = 'Authorization: Digest username="alice", realm="elsewhere", nonce="n", uri="sip:x", response="00", qop=auth, nc=00000001, cnonce="c"';
    const ok = await h.client.ask(h.port, request({ client: h.client, port: h.port, user: 'alice', headers: [other, ours] }));
    expect(statusOf(ok)).toBe(200);
  });
});
