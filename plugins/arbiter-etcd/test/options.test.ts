import { freePort } from '@switchyard/sdk/testing';
import { SystemClock } from '@switchyard/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { ClusterView } from '../src/cluster-view';
import { EtcdElection, type EtcdElectionOptions } from '../src/index';
import { until } from './support/processes';

const base: EtcdElectionOptions = { endpoints: ['http://127.0.0.1:2379'], prefix: '/switchyard/demo/', nodeId: 'sip-a', leaseTtl: 2, clock: new SystemClock() };

function codeOf(run: () => unknown): { code?: string; message?: string } {
  try {
    run();
  } catch (error) {
    return error as { code?: string; message?: string };
  }
  return {};
}

describe('EtcdElection options', () => {
  it('refuses bad options with the key path and a coded error', () => {
    const cases: [Partial<EtcdElectionOptions>, string][] = [
      [{ leaseTtl: 1 }, 'Key "leaseTtl"'],
      [{ leaseTtl: 2.5 }, 'Key "leaseTtl"'],
      [{ prefix: '/switchyard/demo' }, 'Key "prefix"'],
      [{ endpoints: [] }, 'Key "endpoints"'],
      [{ endpoints: ['127.0.0.1:2379'] }, 'Key "endpoints.0"'],
      [{ nodeId: 'a/b' }, 'Key "nodeId"'],
      [{ keepaliveInterval: 1 }, 'Key "keepaliveInterval"'],
      [{ requestTimeout: 1000 }, 'Key "requestTimeout"'],
      [{ tls: { cert: '/x.pem' } }, 'Key "tls.cert"'],
    ];
    for (const [patch, path] of cases) {
      const error = codeOf(() => new EtcdElection({ ...base, ...patch }));
      expect(error.code, JSON.stringify(patch)).toBe('SWY_ERR_ETCD_OPTIONS_INVALID');
      expect(error.message).toContain(path);
    }
    expect(codeOf(() => new EtcdElection(base)).code).toBeUndefined();
  });

  it('start() refuses an unreadable TLS file with SWY_ERR_ETCD_TLS_FILE, naming it', async () => {
    const election = new EtcdElection({ ...base, tls: { ca: '/nonexistent/ca.pem' } });
    await expect(election.start()).rejects.toMatchObject({ code: 'SWY_ERR_ETCD_TLS_FILE', message: expect.stringContaining('/nonexistent/ca.pem') });
    await election.stop();
  });
});

describe('EtcdElection without etcd', () => {
  let election: EtcdElection | undefined;
  afterEach(async () => {
    await election?.stop();
  });

  it('start() resolves at once; calls say there is no lease, and connected stays false', async () => {
    election = new EtcdElection({ ...base, endpoints: [`http://127.0.0.1:${await freePort()}`] });
    await expect(election.campaign()).rejects.toMatchObject({ code: 'SWY_ERR_ETCD_NOT_RUNNING' });
    await election.start();
    await expect(election.campaign()).rejects.toMatchObject({ code: 'SWY_ERR_ETCD_NO_LEASE' });
    await expect(election.publish({ up: true })).rejects.toMatchObject({ code: 'SWY_ERR_ETCD_NO_LEASE' });
    await expect(election.send('sip-b', 1)).rejects.toMatchObject({ code: 'SWY_ERR_ETCD_NO_LEASE' });
    expect(await election.resign()).toBe(false);
    await until(() => election!.connected === false && election!.leaseId === null, 1000, 'the failed grant');
    expect(election.leader).toBeNull();
    expect(election.leaseConfirmedAt).toBeNull();
  });
});

describe('ClusterView: an older reading never replaces a newer one', () => {
  it('the leader', () => {
    const view = new ClusterView('a');
    expect(view.applyLeader({ nodeId: 'b', term: 10 }, 10)).toBe(true);
    expect(view.applyLeader(null, 12)).toBe(true); // watch: deleted at 12
    expect(view.applyLeader({ nodeId: 'b', term: 10 }, 11)).toBe(false); // a re-read from before the delete
    expect(view.leader).toBeNull();
    expect(view.applyLeader({ nodeId: 'a', term: 13 }, 13)).toBe(true);
    expect(view.highestTerm).toBe(13);
    expect(view.applyLeader({ nodeId: 'a', term: 13 }, 14)).toBe(false); // same reading, newer: no change
  });

  it('the peers, and never this node itself', () => {
    const view = new ClusterView('a');
    expect(view.applyPeer('a', { me: true }, 5)).toBe(false);
    expect(view.applyPeer('b', { n: 1 }, 5)).toBe(true);
    expect(view.applyPeer('b', undefined, 7)).toBe(true); // deleted at 7
    expect(view.applyPeerSnapshot(new Map([['b', { n: 1 }], ['c', { n: 2 }]]), 6)).toBe(true);
    expect([...view.peers]).toEqual([['c', { n: 2 }]]);
    expect(view.applyPeerSnapshot(new Map(), 8)).toBe(true);
    expect(view.peers.size).toBe(0);
  });
});
