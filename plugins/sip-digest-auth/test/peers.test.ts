import fs from 'node:fs';
import path from 'node:path';
import { freePort, hasTool } from '@switchyard/sdk/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { DigestEvent } from '../src/index';
import { USERS, digestNode, runCleanup } from './support/digest-node';
import { runPeer } from './support/peers';

const SCENARIO = path.resolve(__dirname, '../scenarios/register-digest.xml');

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(() => runCleanup(cleanup));

const bindings = (h: Awaited<ReturnType<typeof digestNode>>) => (h.node.engine.report().sip as { bindings: number }).bindings;

// sipsak answers only the first challenge and knows only MD5: MD5 comes first here (see the README on old phones).
const OLD_PHONES = { algorithms: ['MD5', 'SHA-256'] };

describe.skipIf(!hasTool('sipsak'))('sipsak registers with digest MD5 (real peer, loopback)', () => {
  it('registers with the right password: challenged, then 200 and a binding', async () => {
    const h = await digestNode(cleanup, { digest: OLD_PHONES });
    const run = await runPeer('sipsak', ['-U', '-vv', '-i', '-s', `sip:bob@127.0.0.1:${h.port}`, '-u', 'bob', '-a', USERS.bob, '-H', '127.0.0.1', '-x', '300']);
    expect(run.output).toContain('authorizing'); // sipsak's note that it answers a challenge
    expect(run.output).toContain('All usrloc tests completed successful');
    expect(run.code, run.output).toBe(0);
    expect(bindings(h)).toBe(1);
  });

  it('registers over TCP the same way (the challenge does not depend on the transport)', async () => {
    const h = await digestNode(cleanup, { digest: OLD_PHONES });
    const run = await runPeer('sipsak', ['-U', '-vv', '-i', '-E', 'tcp', '-s', `sip:bob@127.0.0.1:${h.port}`, '-u', 'bob', '-a', USERS.bob, '-H', '127.0.0.1', '-x', '300']);
    expect(run.output).toContain('authorizing');
    expect(run.output).toContain('All usrloc tests completed successful');
    expect(bindings(h)).toBe(1);
  });

  it('is refused with a wrong password: challenged, then 403, no binding, and 00-04270 names the user', async () => {
    const h = await digestNode(cleanup, { digest: OLD_PHONES });
    const run = await runPeer('sipsak', ['-U', '-vv', '-i', '-s', `sip:bob@127.0.0.1:${h.port}`, '-u', 'bob', '-a', 'not-bobs-password', '-H', '127.0.0.1', '-x', '300']);
    expect(run.output).toContain('authorizing');
    expect(run.output).toMatch(/SIP\/2\.0 403 Forbidden/);
    expect(run.code).not.toBe(0);
    expect(bindings(h)).toBe(0);
    expect(h.node.events.filter((e) => e.id === DigestEvent.AuthFailed).map((e) => e.fields)).toEqual([
      expect.objectContaining({ reason: 'wrong-password', user: 'bob', method: 'REGISTER' }),
    ]);
  });
});

describe.skipIf(!hasTool('sipp'))('SIPp registers with [authentication] (MD5, real peer, loopback)', () => {
  /** SIPp with the scenario, its password replaced by `password` (the file's own is bob's right one). */
  const sipp = async (h: Awaited<ReturnType<typeof digestNode>>, user: string, password: string) => {
    const scenario = path.join(h.dir, 'register-digest.xml');
    fs.writeFileSync(scenario, fs.readFileSync(SCENARIO, 'utf8').replace('password=builder]', `password=${password}]`));
    return runPeer(
      'sipp',
      [
        '-sf', scenario,
        '-key', 'user', user,
        '-key', 'expires', '300',
        '-m', '1',
        '-i', '127.0.0.1',
        '-p', String(await freePort()),
        '-nostdin',
        '-timeout', '15s',
        '-timeout_error',
        '-recv_timeout', '4000',
        '-trace_msg', '-message_file', path.join(h.dir, `sipp-${user}.messages.log`),
        `127.0.0.1:${h.port}`,
      ],
      { cwd: h.dir, timeoutMs: 25_000 },
    );
  };

  it('registers with the right password: 401 then 200, and the node holds the binding', async () => {
    const h = await digestNode(cleanup, { digest: OLD_PHONES });
    const run = await sipp(h, 'bob', USERS.bob);
    const trace = fs.readFileSync(path.join(h.dir, 'sipp-bob.messages.log'), 'utf8');
    expect(trace).toMatch(/SIP\/2\.0 401 Unauthorized/);
    expect(trace).toMatch(/Authorization: Digest username="bob"/);
    expect(run.code, run.output + trace).toBe(0);
    expect(bindings(h)).toBe(1);
  });

  it('fails with a wrong password: the second REGISTER gets 403 and nothing is registered', async () => {
    const h = await digestNode(cleanup, { digest: OLD_PHONES });
    const run = await sipp(h, 'bob', 'wrong');
    const trace = fs.readFileSync(path.join(h.dir, 'sipp-bob.messages.log'), 'utf8');
    expect(trace).toMatch(/SIP\/2\.0 403 Forbidden/);
    expect(run.code).not.toBe(0);
    expect(bindings(h)).toBe(0);
  });
});
