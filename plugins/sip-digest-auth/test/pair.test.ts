import fs from 'node:fs';
import path from 'node:path';
import { sipOf, writeSipPairConfig } from '@switchyard/plugin-sip/testing';
import { assertBuilt, clusterStatus, hasTool, readNodeLog, runCli, startUp, waitFor, waitForPair, type UpProcess } from '@switchyard/sdk/testing';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DIGEST_STATUS_KEY, DigestEvent, type DigestStatus } from '../src/index';
import { REALM, USERS, defaultCredentials } from './support/digest-node';
import { runPeer } from './support/peers';
import { UdpClient, challengeParams, digestAuthorization, headersOf, request, requestUri, statusOf } from './support/udp-client';

/**
 * Real processes (`switchyard up`: supervisor, two nodes, the real HA link
 * and SIP listeners) with the plugin loaded by name from the config, sipsak
 * as the phone, and a switchover between a challenge and its answer.
 */
describe.skipIf(!hasTool('sipsak'))('sip-digest-auth in a real pair', () => {
  let up: UpProcess | undefined;
  let dir: string | undefined;
  let client: UdpClient | undefined;
  beforeAll(() => {
    assertBuilt();
    const built = path.resolve(__dirname, '../dist/index.js');
    if (!fs.existsSync(built)) throw new Error(`${built} is missing: run \`npm run build\` (npm test does it) first`);
  });
  afterEach(async () => {
    await client?.close();
    client = undefined;
    const code = await up?.stop();
    up = undefined;
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    dir = undefined;
    expect(code).toBe(0);
  });

  it('registers sipsak on the primary, refuses a wrong password with 00-04270 in the node log, and honours a nonce across a switchover', { timeout: 90_000 }, async () => {
    const pair = await writeSipPairConfig({ plugins: {} });
    dir = pair.dir;
    const credentials = path.join(pair.dir, 'users.ha1');
    fs.writeFileSync(credentials, defaultCredentials(), { mode: 0o600 });
    // the plugin options, added to the config the SIP helper wrote
    const config = JSON.parse(fs.readFileSync(pair.file, 'utf8')) as { plugins: Record<string, unknown> };
    config.plugins['sip-digest-auth'] = { realm: REALM, credentials, algorithms: ['MD5', 'SHA-256'], secret: 'one-secret-for-both-nodes-of-the-pair' };
    fs.writeFileSync(pair.file, JSON.stringify(config, null, 2));

    up = startUp(pair.file);
    const first = await waitForPair(pair.file);
    const port = (id: string) => pair.ports[id as 'sip-a' | 'sip-b'];
    expect(first.primary[DIGEST_STATUS_KEY as keyof typeof first.primary] as unknown as DigestStatus).toMatchObject({
      realm: REALM,
      store: { kind: 'file', file: credentials, credentials: 3 },
      sharedSecret: true,
    });

    const ok = await runPeer('sipsak', ['-U', '-vv', '-i', '-s', `sip:bob@127.0.0.1:${port(first.primary.id)}`, '-u', 'bob', '-a', USERS.bob, '-H', '127.0.0.1', '-x', '300']);
    expect(ok.output).toContain('All usrloc tests completed successful');
    const wrong = await runPeer('sipsak', ['-U', '-vv', '-i', '-s', `sip:bob@127.0.0.1:${port(first.primary.id)}`, '-u', 'bob', '-a', 'guess', '-H', '127.0.0.1', '-x', '300']);
    expect(wrong.output).toMatch(/SIP\/2\.0 403 Forbidden/);
    const refused = await waitFor(
      () => readNodeLog(pair.runtimeDir, first.primary.id).find((l) => l.eventId === DigestEvent.AuthFailed),
      10_000,
      'the 00-04270 line in the primary log',
    );
    expect(refused.message).toContain('(wrong-password) for user bob');
    expect(JSON.stringify(readNodeLog(pair.runtimeDir, first.primary.id))).not.toContain('guess');
    // the binding sipsak made is on both nodes
    await waitFor(async () => ((await clusterStatus(pair.file)).nodes.every((n) => sipOf(n)?.bindings === 1) ? true : undefined), 10_000, 'the binding on both nodes');

    // a challenge from the primary, answered to the new primary after a switchover
    client = await new UdpClient().open();
    const challenge = await client.ask(port(first.primary.id), request({ client, port: port(first.primary.id), user: 'alice' }));
    expect(statusOf(challenge)).toBe(401);
    const nonce = headersOf(challenge, 'WWW-Authenticate').map(challengeParams)[0]!.nonce!;
    const switched = await runCli(['switchover', '--config', pair.file, '--reason', 'digest test']);
    expect(switched.code, switched.stderr).toBe(0);
    const second = await waitForPair(pair.file, first.primary.term + 1);
    expect(second.primary.id).toBe(first.backup.id);
    const target = port(second.primary.id);
    const bare = request({ client, port: target, user: 'alice' });
    const auth = digestAuthorization({ algorithm: 'SHA-256', user: 'alice', realm: REALM, password: USERS.alice, method: 'REGISTER', uri: requestUri(bare), nonce, nc: 1 });
    const answer = await client.ask(target, request({ client, port: target, user: 'alice', headers: [auth] }));
    expect(statusOf(answer)).toBe(200);
  });
});
