import fs from 'node:fs';
import path from 'node:path';
import { LoopbackChannels, ManualClock, silentLogger } from '@switchyard/sdk';
import { createTestNode, type TestNode } from '@switchyard/sdk';
import { tempDir as sdkTempDir } from '@switchyard/sdk/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { GUARD_FILE, PassCheckEvent, sipPassCheckPlugin, type PassCheckStatus } from '../src/index';
import { GuardSync, type SharedGuardState } from '../src/guard-sync';
import { silenceTimeout, trafficSeen } from '../src/guard';
import { FakeSipNetwork } from './support/fake-sip';
import { RelinkableChannels } from './support/relinkable-channels';

const T = 6;
const OPTIONS = { serviceDevices: [{ uri: 'sip:gw@10.0.0.9', oosCheck: 1, oosForce: 1 }] };
// Tracked by the SDK harness: removed after this file, passed or failed.
const tempDir = () => sdkTempDir('sip-pass-check-');
const guardOf = (node: TestNode) => {
  const s = node.engine.report().sipPassCheck as PassCheckStatus;
  return { multiplier: s.multiplier, lastCause: s.lastCause };
};

const started: TestNode[] = [];
afterEach(async () => {
  for (const node of started.splice(0)) await node.stop();
});

describe('the guard state survives restarts', () => {
  it('of one node (from the peer over the HA link) and of both (from disk)', async () => {
    const clock = new ManualClock();
    const network = new FakeSipNetwork();
    const make = (id: 'node-a' | 'node-b', channels: RelinkableChannels | LoopbackChannels, dataDir: string) => {
      const node = createTestNode({ nodeId: id, clock, channels, dataDir, plugins: [network.plugin, [sipPassCheckPlugin, OPTIONS]] });
      started.push(node);
      return node;
    };
    const stop = async (node: TestNode) => {
      await node.stop();
      started.splice(started.indexOf(node), 1);
    };
    const dirs = { a: tempDir(), b: tempDir() };
    const [endB, endA] = RelinkableChannels.pair();
    const a = make('node-a', endA, dirs.a);
    const b = make('node-b', endB, dirs.b);
    await a.start();
    await b.start();

    // Two silent primaries in turn (the test plays the arbiter): the second is a double switchover.
    await a.order('primary', 1);
    await b.order('backup', 1);
    await clock.advance(T * 1000);
    expect(a.engine.status).toBe('unavailable');
    await a.order('backup', 2);
    await b.order('primary', 2);
    await clock.advance(T * 1000);
    expect(b.engine.status).toBe('unavailable');
    expect(b.eventIds()).toContain(PassCheckEvent.DoubleSwitchover);
    expect([guardOf(a), guardOf(b)]).toEqual([
      { multiplier: 2, lastCause: 'silence' },
      { multiplier: 2, lastCause: 'silence' },
    ]);

    // node-a restarts with an empty disk: it learns the guard from node-b.
    await stop(a);
    const a2 = make('node-a', endB.relink(), tempDir());
    await a2.start();
    await clock.advance(0);
    expect(guardOf(a2)).toEqual({ multiplier: 2, lastCause: 'silence' });

    // Both restart, the HA link down: each reads its own disk.
    await stop(a2);
    await stop(b);
    const [linkA, linkB] = LoopbackChannels.pair({ nodeIds: ['node-a', 'node-b'] });
    linkA.disconnect();
    const a3 = make('node-a', linkA, dirs.a);
    const b3 = make('node-b', linkB, dirs.b);
    await a3.start();
    await b3.start();
    expect([guardOf(a3), guardOf(b3)]).toEqual([
      { multiplier: 2, lastCause: 'silence' },
      { multiplier: 2, lastCause: 'silence' },
    ]);
    expect(JSON.parse(fs.readFileSync(path.join(dirs.b, 'sip-pass-check', GUARD_FILE), 'utf8'))).toMatchObject({ multiplier: 2, lastCause: 'silence' });

    // The restored state is in force: the next silent primary waits 2T, and it is a double switchover again.
    await b3.order('primary', 3);
    await clock.advance(2 * T * 1000 - 1);
    expect(b3.engine.status).toBe('running');
    await clock.advance(1);
    expect(b3.engine.status).toBe('unavailable');
    expect(guardOf(b3)).toEqual({ multiplier: 4, lastCause: 'silence' });
  });
});

describe('GuardSync: last writer wins, by version then node id', () => {
  // Their queued writes finish before the folders are removed (else a late write makes a folder again).
  const syncs: GuardSync[] = [];
  afterEach(async () => {
    await Promise.all(syncs.splice(0).map((sync) => sync.flush()));
  });
  const make = (nodeId: string, channels: LoopbackChannels, dir = tempDir()) => {
    const errors: string[] = [];
    const sync = new GuardSync({
      nodeId,
      channels,
      dir,
      logger: silentLogger,
      onChange: () => undefined,
      onFileError: (file, error) => errors.push(`${path.basename(file)}: ${String(error)}`),
    });
    syncs.push(sync);
    return { sync, dir, errors };
  };
  const plain = (s: SharedGuardState) => ({ ...s });

  it('sends every change; a peer that missed several gets the latest (snapshot); concurrent changes converge', async () => {
    const [ca, cb] = LoopbackChannels.pair({ nodeIds: ['node-a', 'node-b'] });
    const a = make('node-a', ca);
    const b = make('node-b', cb);
    await Promise.resolve(); // channels catch up once opened
    a.sync.step(silenceTimeout);
    expect(plain(b.sync.state)).toEqual({ multiplier: 1, lastCause: 'silence', version: 1, by: 'node-a' });

    ca.disconnect();
    a.sync.step(silenceTimeout);
    a.sync.step(silenceTimeout);
    expect(b.sync.state.version).toBe(1);
    ca.connect();
    expect(plain(b.sync.state)).toEqual({ multiplier: 4, lastCause: 'silence', version: 3, by: 'node-a' });

    // both change at once while apart: the same version, node-b's wins on both sides
    ca.disconnect();
    a.sync.step(trafficSeen);
    b.sync.step(trafficSeen);
    b.sync.step(silenceTimeout);
    a.sync.step(silenceTimeout);
    expect([a.sync.state.version, b.sync.state.version]).toEqual([5, 5]);
    ca.connect();
    expect(plain(a.sync.state)).toEqual(plain(b.sync.state));
    expect(a.sync.state.by).toBe('node-b');

    await Promise.all([a.sync.flush(), b.sync.flush()]);
    for (const { dir } of [a, b]) {
      expect(JSON.parse(fs.readFileSync(path.join(dir, GUARD_FILE), 'utf8'))).toEqual(plain(b.sync.state));
      expect(fs.readdirSync(dir)).toEqual([GUARD_FILE]); // no temp file left behind
    }
  });

  it('a state file that is not one is reported and ignored; a newer state from the peer beats an older file', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, GUARD_FILE), '{"multiplier": 3');
    const [ca] = LoopbackChannels.pair();
    const broken = make('node-a', ca, dir);
    await broken.sync.load();
    expect(broken.errors).toEqual([expect.stringMatching(/^guard\.json: Error: not a guard state/)]);
    expect(broken.sync.atRest).toBe(true);

    const [c1, c2] = LoopbackChannels.pair({ nodeIds: ['node-a', 'node-b'] });
    const old = tempDir();
    fs.writeFileSync(path.join(old, GUARD_FILE), JSON.stringify({ multiplier: 4, lastCause: 'silence', version: 2, by: 'node-a' }));
    const peer = make('node-b', c2);
    await Promise.resolve();
    peer.sync.step(silenceTimeout); // v1
    peer.sync.step(trafficSeen); // v2
    peer.sync.step(silenceTimeout); // v3
    const restarted = make('node-a', c1, old);
    await Promise.resolve();
    await restarted.sync.load();
    expect(plain(restarted.sync.state)).toEqual({ multiplier: 1, lastCause: 'silence', version: 3, by: 'node-b' });
  });
});
