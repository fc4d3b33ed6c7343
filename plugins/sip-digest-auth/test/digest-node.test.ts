import { definePlugin, LoopbackChannels, ManualClock } from '@switchyard/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { DigestEvent, SipDigestTokens, type CredentialStore } from '../src/index';
import { REALM, USERS, digestNode, runCleanup } from './support/digest-node';
import { challengeParams, digestAuthorization, headersOf, request, requestUri, statusOf, type UdpClient } from './support/udp-client';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(() => runCleanup(cleanup));

/** Sends a request without credentials and returns the challenges (values of the auth header) and the answer. */
async function challenged(client: UdpClient, port: number, spec: Partial<Parameters<typeof request>[0]> & { user: string }, header = 'WWW-Authenticate') {
  const answer = await client.ask(port, request({ client, port, ...spec }));
  return { answer, challenges: headersOf(answer, header).map(challengeParams) };
}

/** One REGISTER with credentials answering `nonce`. */
function authorizedRegister(
  client: UdpClient,
  port: number,
  o: { user: string; password: string; nonce: string; nc: number; algorithm?: 'MD5' | 'SHA-256'; aorUser?: string; callId?: string; cseq?: number; branch?: string; cnonce?: string },
) {
  const bare = request({ client, port, user: o.user, aorUser: o.aorUser, callId: o.callId, cseq: o.cseq, branch: o.branch });
  const auth = digestAuthorization({ algorithm: o.algorithm ?? 'SHA-256', user: o.user, realm: REALM, password: o.password, method: 'REGISTER', uri: requestUri(bare), nonce: o.nonce, nc: o.nc, cnonce: o.cnonce });
  return request({ client, port, user: o.user, aorUser: o.aorUser, callId: o.callId, cseq: o.cseq, branch: o.branch, headers: [auth] });
}

const fieldsOf = (h: { node: { events: { id: string; fields: Record<string, unknown> }[] } }, id: string) => h.node.events.filter((e) => e.id === id).map((e) => e.fields);

describe('sip-digest-auth on a node with the real sip plugin (loopback UDP, virtual time)', () => {
  it('challenges a REGISTER with SHA-256 then MD5 (RFC 8760 order) and registers with a SHA-256 answer computed by the client', async () => {
    const h = await digestNode(cleanup);
    const { answer, challenges } = await challenged(h.client, h.port, { user: 'alice' });
    expect(statusOf(answer)).toBe(401);
    expect(challenges.map((c) => c.algorithm)).toEqual(['SHA-256', 'MD5']);
    expect(challenges[0]).toMatchObject({ realm: REALM, qop: 'auth' });
    expect(challenges[0]!.stale).toBeUndefined();
    expect(challenges[0]!.nonce).toBe(challenges[1]!.nonce);

    const ok = await h.client.ask(h.port, authorizedRegister(h.client, h.port, { user: 'alice', password: USERS.alice, nonce: challenges[0]!.nonce!, nc: 1 }));
    expect(statusOf(ok)).toBe(200);
    expect(ok).toContain(`Contact: <sip:alice@127.0.0.1:${h.client.port}>`);
    expect((h.node.engine.report().sip as { bindings: number }).bindings).toBe(1);
  });

  it('answers a wrong password 403, never registers, and logs 00-04270 without the digest, the HA1 or the password', async () => {
    const h = await digestNode(cleanup);
    const { challenges } = await challenged(h.client, h.port, { user: 'alice' });
    const wrong = authorizedRegister(h.client, h.port, { user: 'alice', password: 'not-the-password', nonce: challenges[0]!.nonce!, nc: 1 });
    const answer = await h.client.ask(h.port, wrong);
    expect(statusOf(answer)).toBe(403);
    expect((h.node.engine.report().sip as { bindings: number }).bindings).toBe(0);
    const [event] = fieldsOf(h, DigestEvent.AuthFailed);
    expect(event).toMatchObject({ reason: 'wrong-password', user: 'alice', realm: REALM, method: 'REGISTER', remote: `127.0.0.1:${h.client.port}/udp` });
    const logged = JSON.stringify(h.node.events);
    const response = /response="([0-9a-f]+)"/.exec(wrong)![1]!;
    expect(logged).not.toContain(response);
    expect(logged).not.toContain('not-the-password');
  });

  it('an unknown user gets 403 after the challenge (same answer as a wrong password) and an MD5-only user registers with MD5', async () => {
    const h = await digestNode(cleanup);
    const { challenges } = await challenged(h.client, h.port, { user: 'mallory' });
    const unknown = await h.client.ask(h.port, authorizedRegister(h.client, h.port, { user: 'mallory', password: 'x', nonce: challenges[0]!.nonce!, nc: 1 }));
    expect(statusOf(unknown)).toBe(403);
    expect(fieldsOf(h, DigestEvent.AuthFailed)).toEqual([expect.objectContaining({ reason: 'unknown-user', user: 'mallory' })]);
    // bob has no SHA-256 line: his SHA-256 answer is refused, his MD5 answer accepted
    const sha = await h.client.ask(h.port, authorizedRegister(h.client, h.port, { user: 'bob', password: USERS.bob, nonce: challenges[0]!.nonce!, nc: 1 }));
    expect(statusOf(sha)).toBe(403);
    const md5 = await h.client.ask(h.port, authorizedRegister(h.client, h.port, { user: 'bob', password: USERS.bob, nonce: challenges[0]!.nonce!, nc: 2, algorithm: 'MD5' }));
    expect(statusOf(md5)).toBe(200);
  });

  it('refuses a replayed nonce-count (401 stale, 00-04271) but accepts a higher one and a retransmission of the same request', async () => {
    const h = await digestNode(cleanup);
    const { challenges } = await challenged(h.client, h.port, { user: 'alice' });
    const nonce = challenges[0]!.nonce!;
    const first = authorizedRegister(h.client, h.port, { user: 'alice', password: USERS.alice, nonce, nc: 1, callId: 'replay@test', cseq: 10, branch: 'z9hG4bK-r1' });
    expect(statusOf(await h.client.ask(h.port, first))).toBe(200);
    // a UDP retransmission (same Call-ID, CSeq and branch) is not challenged: it reaches the registrar,
    // which answers a repeated CSeq 500 (RFC 3261 §10.3 step 7)
    expect(statusOf(await h.client.ask(h.port, first))).toBe(500);
    expect(fieldsOf(h, DigestEvent.ReplayRefused)).toEqual([]);

    // the same nc in another request (what an eavesdropper replaying with a new CSeq sends)
    const replay = authorizedRegister(h.client, h.port, { user: 'alice', password: USERS.alice, nonce, nc: 1, callId: 'replay@test', cseq: 11, branch: 'z9hG4bK-r2' });
    const refused = await h.client.ask(h.port, replay);
    expect(statusOf(refused)).toBe(401);
    expect(headersOf(refused, 'WWW-Authenticate').map(challengeParams)[0]).toMatchObject({ stale: 'true' });
    expect(fieldsOf(h, DigestEvent.ReplayRefused)).toEqual([expect.objectContaining({ user: 'alice', nc: '00000001' })]);

    const next = authorizedRegister(h.client, h.port, { user: 'alice', password: USERS.alice, nonce, nc: 2, callId: 'replay@test', cseq: 12 });
    expect(statusOf(await h.client.ask(h.port, next))).toBe(200);
  });

  it('an expired nonce with the right password gets 401 stale=true and a fresh nonce that works; with a wrong password no stale', async () => {
    const h = await digestNode(cleanup, { digest: { nonceLifetime: 60 } });
    const { challenges } = await challenged(h.client, h.port, { user: 'alice' });
    const nonce = challenges[0]!.nonce!;
    await h.clock.advance(60_001);
    const stale = await h.client.ask(h.port, authorizedRegister(h.client, h.port, { user: 'alice', password: USERS.alice, nonce, nc: 1 }));
    expect(statusOf(stale)).toBe(401);
    const renewed = headersOf(stale, 'WWW-Authenticate').map(challengeParams);
    expect(renewed[0]).toMatchObject({ stale: 'true' });
    expect(renewed[0]!.nonce).not.toBe(nonce);
    const wrong = await h.client.ask(h.port, authorizedRegister(h.client, h.port, { user: 'alice', password: 'guess', nonce, nc: 2 }));
    expect(statusOf(wrong)).toBe(401);
    expect(headersOf(wrong, 'WWW-Authenticate').map(challengeParams)[0]!.stale).toBeUndefined();
    const ok = await h.client.ask(h.port, authorizedRegister(h.client, h.port, { user: 'alice', password: USERS.alice, nonce: renewed[0]!.nonce!, nc: 1 }));
    expect(statusOf(ok)).toBe(200);
  });

  it('a forged or tampered nonce is never accepted', async () => {
    const h = await digestNode(cleanup);
    const { challenges } = await challenged(h.client, h.port, { user: 'alice' });
    const nonce = challenges[0]!.nonce!;
    const tampered = nonce.slice(0, 5) + (nonce[5] === 'A' ? 'B' : 'A') + nonce.slice(6);
    for (const bad of [tampered, 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'x']) {
      const answer = await h.client.ask(h.port, authorizedRegister(h.client, h.port, { user: 'alice', password: USERS.alice, nonce: bad, nc: 1 }));
      expect(statusOf(answer), bad).toBe(401);
    }
    expect((h.node.engine.report().sip as { bindings: number }).bindings).toBe(0);
  });

  it('refuses alice registering bob\'s AOR (403 not-authorized) unless sameUserOnly is false', async () => {
    const h = await digestNode(cleanup);
    const { challenges } = await challenged(h.client, h.port, { user: 'alice', aorUser: 'bob' });
    const answer = await h.client.ask(h.port, authorizedRegister(h.client, h.port, { user: 'alice', aorUser: 'bob', password: USERS.alice, nonce: challenges[0]!.nonce!, nc: 1 }));
    expect(statusOf(answer)).toBe(403);
    expect(fieldsOf(h, DigestEvent.AuthFailed)).toEqual([expect.objectContaining({ reason: 'not-authorized', user: 'alice' })]);

    const open = await digestNode(cleanup, { digest: { sameUserOnly: false } });
    const c2 = await challenged(open.client, open.port, { user: 'alice', aorUser: 'bob' });
    const ok = await open.client.ask(open.port, authorizedRegister(open.client, open.port, { user: 'alice', aorUser: 'bob', password: USERS.alice, nonce: c2.challenges[0]!.nonce!, nc: 1 }));
    expect(statusOf(ok)).toBe(200);
  });

  it('leaves OPTIONS alone by default; with methods INVITE it answers 407 Proxy-Authenticate and accepts Proxy-Authorization', async () => {
    const h = await digestNode(cleanup, { digest: { methods: ['REGISTER', 'INVITE'], algorithms: ['MD5'] } });
    const options = request({ client: h.client, port: h.port, user: 'ping', method: 'OPTIONS' });
    expect(statusOf(await h.client.ask(h.port, options))).toBe(200);

    const invite = request({ client: h.client, port: h.port, user: 'alice', method: 'INVITE' });
    const challenge = await h.client.ask(h.port, invite);
    expect(statusOf(challenge)).toBe(407);
    expect(headersOf(challenge, 'WWW-Authenticate')).toEqual([]);
    const [params] = headersOf(challenge, 'Proxy-Authenticate').map(challengeParams);
    expect(params).toMatchObject({ algorithm: 'MD5', realm: REALM });
    const auth = digestAuthorization({ header: 'Proxy-Authorization', algorithm: 'MD5', user: 'alice', realm: REALM, password: USERS.alice, method: 'INVITE', uri: requestUri(invite), nonce: params!.nonce!, nc: 1 });
    // authorised: the registrar answers as it would (alice has no binding: 404)
    const answer = await h.client.ask(h.port, request({ client: h.client, port: h.port, user: 'alice', method: 'INVITE', headers: [auth] }));
    expect(statusOf(answer)).toBe(404);
  });

  it('rate-limits 00-04270 under a guessing flood, then reports how many were suppressed', async () => {
    const h = await digestNode(cleanup);
    const { challenges } = await challenged(h.client, h.port, { user: 'alice' });
    for (let i = 1; i <= 25; i++) {
      const answer = await h.client.ask(h.port, authorizedRegister(h.client, h.port, { user: 'alice', password: `guess-${i}`, nonce: challenges[0]!.nonce!, nc: i }));
      expect(statusOf(answer)).toBe(403);
    }
    expect(fieldsOf(h, DigestEvent.AuthFailed)).toHaveLength(10);
    await h.clock.advance(1_000);
    await h.client.ask(h.port, authorizedRegister(h.client, h.port, { user: 'alice', password: 'guess-26', nonce: challenges[0]!.nonce!, nc: 26 }));
    expect(fieldsOf(h, DigestEvent.AuthFailed).at(-1)).toMatchObject({ suppressed: 15 });
  });

  it('escapes a hostile user name before it reaches the log event', async () => {
    const h = await digestNode(cleanup);
    const { challenges } = await challenged(h.client, h.port, { user: 'alice' });
    const bare = request({ client: h.client, port: h.port, user: 'alice' });
    const auth = digestAuthorization({ algorithm: 'SHA-256', user: 'eve\u001b[2J\\', realm: REALM, password: 'x', method: 'REGISTER', uri: requestUri(bare), nonce: challenges[0]!.nonce!, nc: 1 });
    expect(statusOf(await h.client.ask(h.port, request({ client: h.client, port: h.port, user: 'alice', headers: [auth.replace('eve\u001b[2J\\', 'eve\u001b[2J\\\\')] })))).toBe(403);
    const [event] = fieldsOf(h, DigestEvent.AuthFailed);
    expect(event!.user).toMatch(/^eve\\x1b\[2J/); // ESC made visible, so the log line cannot drive a terminal
    expect(String(event!.user)).not.toMatch(/[\u0000-\u001f]/);
  });

  it('answers unusable credentials 400 (missing qop, a Digest uri that is not the Request-URI)', async () => {
    const h = await digestNode(cleanup);
    const { challenges } = await challenged(h.client, h.port, { user: 'alice' });
    const good = authorizedRegister(h.client, h.port, { user: 'alice', password: USERS.alice, nonce: challenges[0]!.nonce!, nc: 1 });
    expect(statusOf(await h.client.ask(h.port, good.replace(', qop=auth', '')))).toBe(400);
    expect(statusOf(await h.client.ask(h.port, good.replace(/uri="[^"]+"/, 'uri="sip:elsewhere.example"')))).toBe(400);
  });
});

describe('sip-digest-auth across the pair', () => {
  it('with a shared secret, a nonce from the old primary verifies on the new one after a switchover; without it, 401 stale=true and no password prompt', async () => {
    for (const shared of [true, false]) {
      const clock = new ManualClock();
      const [chA, chB] = LoopbackChannels.pair({ nodeIds: ['node-a', 'node-b'] });
      const digest = shared ? { secret: 'a-shared-secret-of-at-least-32-characters' } : {};
      const a = await digestNode(cleanup, { clock, channels: chA, nodeId: 'node-a', digest });
      const b = await digestNode(cleanup, { clock, channels: chB, nodeId: 'node-b', digest, role: 'backup' });
      const { challenges } = await challenged(a.client, a.port, { user: 'alice' });
      const nonce = challenges[0]!.nonce!;
      await clock.advance(1_000);
      await a.node.order('backup', 2);
      await b.node.order('primary', 2);
      const answer = await b.client.ask(b.port, authorizedRegister(b.client, b.port, { user: 'alice', password: USERS.alice, nonce, nc: 1 }));
      if (shared) {
        expect(statusOf(answer), 'shared secret').toBe(200);
      } else {
        expect(statusOf(answer), 'per-node keys').toBe(401);
        expect(headersOf(answer, 'WWW-Authenticate').map(challengeParams)[0]).toMatchObject({ stale: 'true' });
      }
      await runCleanup(cleanup);
    }
  });
});

describe('a third-party credential store', () => {
  const ha1 = (user: string, password: string) => require('node:crypto').createHash('sha256').update(`${user}:${REALM}:${password}`).digest('hex') as string;

  it('is used when a plugin registers SipDigestTokens.CredentialStore and `credentials` is unset', async () => {
    const asked: string[] = [];
    const store: CredentialStore = {
      async lookup(user, realm, algorithm) {
        asked.push(`${user}/${realm}/${algorithm}`);
        return user === 'carol' && algorithm === 'SHA-256' ? ha1('carol', 'from-ldap') : undefined;
      },
    };
    const provider = definePlugin({
      name: 'test-ldap-store',
      version: '1.0.0',
      provides: [SipDigestTokens.CredentialStore],
      apply(engine) {
        engine.services.register(SipDigestTokens.CredentialStore, store);
      },
    });
    const h = await digestNode(cleanup, { withFile: false, extraPlugins: [provider] });
    expect(h.node.engine.report().sipDigestAuth).toMatchObject({ store: { kind: 'service' } });
    const { challenges } = await challenged(h.client, h.port, { user: 'carol' });
    const ok = await h.client.ask(h.port, authorizedRegister(h.client, h.port, { user: 'carol', password: 'from-ldap', nonce: challenges[0]!.nonce!, nc: 1 }));
    expect(statusOf(ok)).toBe(200);
    expect(asked).toEqual([`carol/${REALM}/SHA-256`]);
  });

  it('a store that throws gets 500 with Retry-After and 00-04275, not a registration', async () => {
    const provider = definePlugin({
      name: 'test-broken-store',
      version: '1.0.0',
      apply(engine) {
        engine.services.register(SipDigestTokens.CredentialStore, { lookup: () => Promise.reject(new Error('ldap down')) });
      },
    });
    const h = await digestNode(cleanup, { withFile: false, extraPlugins: [provider] });
    const { challenges } = await challenged(h.client, h.port, { user: 'carol' });
    const answer = await h.client.ask(h.port, authorizedRegister(h.client, h.port, { user: 'carol', password: 'x', nonce: challenges[0]!.nonce!, nc: 1 }));
    expect(statusOf(answer)).toBe(500);
    expect(headersOf(answer, 'Retry-After')).toEqual(['5']);
    expect(fieldsOf(h, DigestEvent.StoreFailed)).toEqual([expect.objectContaining({ error: 'ldap down', code: 'SWY_ERR_DIGEST_LOOKUP' })]);
  });

  it('no store, or two, fails the node start with SWY_ERR_DIGEST_STORE', async () => {
    await expect(digestNode(cleanup, { withFile: false })).rejects.toMatchObject({ cause: expect.objectContaining({ code: 'SWY_ERR_DIGEST_STORE' }) });
    await runCleanup(cleanup);
    const provider = definePlugin({
      name: 'test-store',
      version: '1.0.0',
      apply(engine) {
        engine.services.register(SipDigestTokens.CredentialStore, { lookup: () => undefined });
      },
    });
    await expect(digestNode(cleanup, { extraPlugins: [provider] })).rejects.toMatchObject({ cause: expect.objectContaining({ code: 'SWY_ERR_DIGEST_STORE' }) });
  });
});
