import fs from 'node:fs';
import path from 'node:path';
import { ConfigInvalidError, loadConfig, type ConfigIssue } from '@switchyard/sdk';
import { linkNodeModules, tempDir } from '@switchyard/sdk/testing';
import { afterEach, describe, expect, it } from 'vitest';

// `arbiter: { kind: 'etcd' }` as an operator writes it: a config file in its own folder, loaded and
// validated by core, which finds @switchyard/plugin-arbiter-etcd from the kind alone.

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A pair on two hosts with an etcd arbiter; `arbiter` and `haLink` are merged into the defaults. */
function twoHosts(arbiter: Record<string, unknown> = {}, haLink: Record<string, unknown> = {}, options: { replaceArbiter?: boolean } = {}) {
  return {
    cluster: 'demo',
    nodes: [
      { id: 'sip-a', host: '192.0.2.1', haPort: 7461, priority: 100 },
      { id: 'sip-b', host: '192.0.2.2', haPort: 7461, priority: 50 },
    ],
    arbiter: options.replaceArbiter ? arbiter : { kind: 'etcd', endpoints: ['http://192.0.2.254:2379'], ...arbiter },
    haLink: { secret: 'two-hosts-shared-secret', ...haLink },
    // Each agent serves the management API on its host's address: TLS is required there (the files are not read by validation).
    management: { port: 7460, tls: { cert: 'management.crt', key: 'management.key' } },
  };
}

function load(config: object) {
  const dir = tempDir('swy-etcd-config-');
  dirs.push(dir);
  linkNodeModules(dir);
  fs.writeFileSync(path.join(dir, 'switchyard.config.json'), JSON.stringify(config, null, 2));
  return loadConfig({ cwd: dir });
}

async function issues(config: object): Promise<readonly ConfigIssue[]> {
  const error = await load(config).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigInvalidError);
  return (error as ConfigInvalidError).issues;
}

/** The one issue at `path` (its message), failing with every issue found when there is none. */
async function issueAt(config: object, at: string): Promise<string> {
  const found = await issues(config);
  const issue = found.find((i) => i.path === at);
  expect(issue, JSON.stringify(found, null, 2)).toBeDefined();
  return issue!.message;
}

describe('arbiter kind etcd in a config on two hosts', () => {
  it('is accepted with the defaults filled in', async () => {
    const validated = await load(twoHosts());
    expect(validated.multiHost).toBe(true);
    expect(validated.arbiter).toMatchObject({ kind: 'etcd', plugin: 'arbiter-etcd' });
    expect(validated.config.arbiter).toEqual({
      kind: 'etcd',
      endpoints: ['http://192.0.2.254:2379'],
      leaseTtl: 2,
      requestTimeout: 0.5,
      failsafeMargin: 0.5,
      grantWindow: 0.5,
      nodeTimeout: 1,
      onEtcdLoss: 'failsafe',
    });
  });

  it('refuses leaseTtl 1 at arbiter.leaseTtl, with etcd\'s 2 s minimum', async () => {
    expect(await issueAt(twoHosts({ leaseTtl: 1 }), 'arbiter.leaseTtl')).toBe(
      "arbiter.leaseTtl must be at least 2: etcd 3.4's smallest lease TTL at its default election timeout is 2 s, and it silently raises shorter ones (got 1)",
    );
  });

  it.each<[string, Record<string, unknown>, Record<string, unknown>, string, string[]]>([
    [
      'failsafeMargin leaving less than two keepalives of lease',
      { failsafeMargin: 1.5 },
      {},
      'arbiter.failsafeMargin',
      ['arbiter.failsafeMargin (1.5 s)', 'leaseTtl − failsafeMargin (0.5 s)', 'two keepalive intervals (0.667 s)'],
    ],
    ['failsafeMargin under 0.1 s', { failsafeMargin: 0.05 }, {}, 'arbiter.failsafeMargin', ['arbiter.failsafeMargin (0.05 s) must be at least 0.1 s']],
    ['keepaliveInterval over leaseTtl / 3', { keepaliveInterval: 1 }, {}, 'arbiter.keepaliveInterval', ['arbiter.keepaliveInterval (1 s)', 'at most leaseTtl / 3 (0.667 s)']],
    ['requestTimeout of half the lease TTL', { requestTimeout: 1 }, {}, 'arbiter.requestTimeout', ['arbiter.requestTimeout (1 s) must be under half the lease TTL (1 s)']],
    [
      'nodeTimeout under 3 HA-link heartbeats',
      { nodeTimeout: 0.5 },
      { heartbeatInterval: 0.2 },
      'arbiter.nodeTimeout',
      ['arbiter.nodeTimeout (0.5 s)', 'at least 3 × haLink.heartbeatInterval (0.6 s)'],
    ],
    [
      'grantWindow under 2 HA-link heartbeats',
      { grantWindow: 0.3 },
      { heartbeatInterval: 0.2 },
      'arbiter.grantWindow',
      ['arbiter.grantWindow (0.3 s)', 'at least 2 × haLink.heartbeatInterval (0.4 s)'],
    ],
    [
      'an HA link that notices a lost peer only after the failsafe deadline',
      { leaseTtl: 3, failsafeMargin: 0.5 },
      { heartbeatInterval: 0.5, missedHeartbeats: 5 },
      'haLink.missedHeartbeats',
      ['haLink.heartbeatInterval × haLink.missedHeartbeats (2.5 s)', 'shorter than arbiter.leaseTtl − arbiter.failsafeMargin (2.5 s)'],
    ],
  ])('refuses %s at its key path, with the numbers', async (_rule, arbiter, haLink, at, fragments) => {
    const message = await issueAt(twoHosts(arbiter, haLink), at);
    for (const fragment of fragments) expect(message).toContain(fragment);
  });

  it('refuses an unknown key under arbiter with a did-you-mean', async () => {
    expect(await issueAt(twoHosts({ leaseTTL: 3 }), 'arbiter.leaseTTL')).toBe('unknown key "leaseTTL"; did you mean "leaseTtl"?');
  });

  it('refuses a missing endpoints list, saying what to put there', async () => {
    const message = await issueAt(twoHosts({ kind: 'etcd' }, {}, { replaceArbiter: true }), 'arbiter.endpoints');
    expect(message).toContain('etcd client URLs');
    expect(message).toContain('http://192.0.2.254:2379');
  });

  it('refuses the embedded arbiter on two hosts at arbiter.kind, saying to use etcd', async () => {
    const found = await issues(twoHosts({ kind: 'embedded' }, {}, { replaceArbiter: true }));
    expect(found.map((i) => i.path)).toEqual(['arbiter.kind']);
    expect(found[0]!.message).toContain('the nodes run on different hosts (192.0.2.1, 192.0.2.2)');
    expect(found[0]!.message).toContain('use arbiter: { kind: "etcd", endpoints: [...] }');
  });
});
