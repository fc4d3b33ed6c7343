import fs from 'node:fs';
import { freePort, hasTool, tempDir } from '@switchyard/sdk/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { Elections, freshPrefix } from './support/elections';
import { startEtcd, type TestEtcd } from './support/etcd';
import { until } from './support/processes';
import { makeTestPki } from './support/tls';

describe.skipIf(!hasTool('etcd'))('EtcdElection endpoints', () => {
  let etcd: TestEtcd | undefined;
  let dir: string | undefined;
  const elections = new Elections();

  afterEach(async () => {
    await elections.stopAll();
    await etcd?.dispose();
    etcd = undefined;
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it.skipIf(!hasTool('openssl'))('speaks TLS with a client certificate (tls.ca/cert/key); without the certificate it never connects', async () => {
    dir = tempDir('switchyard-etcd-pki-');
    const pki = makeTestPki(dir);
    etcd = await startEtcd({ tls: pki });
    const prefix = freshPrefix();
    const { election } = await elections.started({
      endpoints: [etcd.endpoint],
      prefix,
      nodeId: 'a',
      tls: { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey },
    });
    expect((await election.campaign()).won).toBe(true);
    expect(election.connected).toBe(true);

    const { election: anonymous } = elections.create({ endpoints: [etcd.endpoint], prefix, nodeId: 'b', tls: { ca: pki.ca } });
    await anonymous.start();
    const until2s = Date.now() + 2000;
    while (Date.now() < until2s) {
      expect(anonymous.leaseId).toBeNull();
      expect(anonymous.connected).toBe(false);
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  it('with several endpoints, a dead one costs nothing: the election runs on the live one', async () => {
    etcd = await startEtcd();
    const dead = `http://127.0.0.1:${await freePort()}`;
    const prefix = freshPrefix();
    const { election: a } = await elections.started({ endpoints: [dead, etcd.endpoint], prefix, nodeId: 'a' });
    const { election: b } = await elections.started({ endpoints: [etcd.endpoint, dead], prefix, nodeId: 'b' });
    expect((await a.campaign()).won).toBe(true);
    await a.publish({ n: 1 });
    await until(() => b.leader?.nodeId === 'a' && b.peers.has('a'), 2000, 'b to see a');
    // Keepalives keep landing, and each call finds the live endpoint.
    const confirmed = a.leaseConfirmedAt!;
    await until(() => a.leaseConfirmedAt! > confirmed + 500, 2000, 'keepalives confirmed');
    for (let i = 0; i < 10; i++) expect((await b.campaign()).won).toBe(false);
    expect(a.connected && b.connected).toBe(true);
  });

  it('with one endpoint of three dead, `connected` never drops: a keepalive that lands on it is sent again to a live one', async () => {
    etcd = await startEtcd();
    const deadA = `http://127.0.0.1:${await freePort()}`;
    const deadB = `http://127.0.0.1:${await freePort()}`;
    const prefix = freshPrefix();
    // Two dead of three make a dead pick likely on every keepalive (three a second at a 2 s TTL).
    const a = await elections.started({ endpoints: [deadA, etcd.endpoint, deadB], prefix, nodeId: 'a' });
    const startedAt = a.election.leaseConfirmedAt!;
    a.connectedSeen.length = 0;
    // 15 keepalives (5 s at a 2 s TTL): each picks its endpoint at random.
    await until(() => a.election.leaseConfirmedAt! > startedAt + 5000, 8000, '5 s of keepalives');
    expect(a.connectedSeen.filter((c) => !c).length, 'times `connected` went false').toBe(0);
    expect(a.election.connected).toBe(true);
  });
});
