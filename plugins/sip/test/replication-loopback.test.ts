import { CoreEvent, LoopbackChannels, ManualClock, type Logger } from '@switchyard/sdk';
import { describe, expect, it } from 'vitest';
import { BindingReplicator, ContactStore, type BindingChange, type ChangeOrigin, type ReplicationMode } from '../src/store';
import { BINDINGS_CHANNEL, REPLICATION_VERSION_ERROR, isReplicationMessage, termOf } from '../src/store/replication-protocol';
import { BULK_BINDINGS } from '../src/store/replication-options';
import { binding } from './store-fixtures';

const EVENTS = { syncFallback: '00-04222', inSync: '00-04220', outOfSync: '00-04221', staleRefused: '00-04223' };
type Node = 'a' | 'b';

interface PairOptions {
  mode?: ReplicationMode;
  syncTimeout?: number;
  onTimeout?: 'async' | 'reject';
  retain?: number;
  maxFrameBytes?: number;
  /** Content of a's store before replication starts (as loaded from its journal). */
  preload?: number;
  /** b starts with a's preloaded content too (its own journal): the same, or with one binding refreshed differently. */
  backupPreload?: 'same' | 'one-differs';
  /** a's role at start (b is backup). */
  aRole?: 'primary' | 'backup';
  /** Each node's term at start (default 1). */
  terms?: Partial<Record<Node, number>>;
  /** Open the channels on a live link (b's catch-up then completes inside channel(), before its handlers exist). */
  openWhileConnected?: boolean;
  /** How the replicators batch a turn's changes (default: no batching). */
  defer?: (flush: () => void) => void;
}

/** Two nodes over a loopback HA link: a primary, b backup. */
function setup(options: PairOptions = {}) {
  const clock = new ManualClock();
  const events: Array<{ node: string; id: string; fields: Record<string, unknown> }> = [];
  const [ca, cb] = LoopbackChannels.pair({ nodeIds: ['a', 'b'], emit: (id, fields, node) => events.push({ node, id, fields }) });
  // By default the channels open while the cable is out, as on a real link,
  // where the catch-up answer arrives after channel() returned.
  if (!options.openWhileConnected) ca.disconnect();
  const roles: Record<Node, 'primary' | 'backup'> = { a: options.aRole ?? 'primary', b: 'backup' };
  const terms: Record<Node, number> = { a: 1, b: 1, ...options.terms };
  const warnings: string[] = [];
  const logger = { warn: (m: string) => warnings.push(m) } as unknown as Logger;
  const make = (node: Node, channels: LoopbackChannels) => {
    const store = new ContactStore(clock);
    const preloaded = (i: number) => binding(clock.now(), { aor: `sip:pre${i}@example.com`, contact: `sip:pre${i}@192.0.2.1` });
    if (node === 'a' && options.preload) store.replaceAll(Array.from({ length: options.preload }, (_, i) => preloaded(i)), 'local');
    if (node === 'b' && options.preload && options.backupPreload) {
      const differ = options.backupPreload === 'one-differs' ? 7 : -1;
      store.replaceAll(Array.from({ length: options.preload }, (_, i) => (i === differ ? { ...preloaded(i), cseq: 99 } : preloaded(i))), 'local');
    }
    const seen: Array<[BindingChange, ChangeOrigin]> = [];
    store.onChange((change, origin) => seen.push([change, origin]));
    const replicator = new BindingReplicator({
      channels,
      store,
      clock,
      mode: options.mode ?? 'async',
      syncTimeout: options.syncTimeout ?? 0.5,
      ...(options.onTimeout === undefined ? {} : { onTimeout: options.onTimeout }),
      role: () => roles[node],
      term: () => terms[node],
      node,
      emit: (id, fields) => events.push({ node, id, fields }),
      onBulkWork: (reason) => events.push({ node, id: 'bulk-work', fields: { reason } }),
      events: EVENTS,
      connected: () => channels.connected,
      logger,
      // A message per change, sent at once (the batching of a turn's changes has its own test).
      defer: options.defer ?? ((flush) => flush()),
      ...(options.retain === undefined ? {} : { retain: options.retain }),
      ...(options.maxFrameBytes === undefined ? {} : { maxFrameBytes: options.maxFrameBytes }),
    });
    return { store, replicator, seen };
  };
  const a = make('a', ca);
  const b = make('b', cb);
  ca.connect(); // no-op when still connected
  const now = () => clock.now();
  const upsert = (node: { store: ContactStore }, i: number, over = {}) =>
    node.store.upsert(binding(now(), { aor: `sip:u${i}@example.com`, contact: `sip:u${i}@192.0.2.${i % 250}`, cseq: i, ...over }))!;
  const of = (node: string, id: string) => events.filter((e) => e.node === node && e.id === id);
  return { clock, ca, cb, a, b, roles, terms, events, of, upsert, warnings };
}

const contents = (store: ContactStore) =>
  store
    .all()
    .map((b) => `${b.aor} ${b.contact} ${b.cseq} ${b.expiresAt}`)
    .sort();

describe('BindingReplicator over a loopback HA link', () => {
  it('applies the primary’s changes on the backup, in order, and never sends them back', async () => {
    const { clock, a, b, upsert, ca } = setup();
    for (let i = 0; i < 5; i++) upsert(a, i);
    a.store.upsert(binding(clock.now(), { aor: 'sip:u1@example.com', contact: 'sip:u1@192.0.2.1', cseq: 10 }));
    a.store.remove('sip:u2@example.com', 'sip:u2@192.0.2.2');
    a.store.clearAor('sip:u3@example.com');
    expect(contents(b.store)).toEqual(contents(a.store));
    const local = a.seen.map(([c]) => c);
    expect(b.seen.filter(([c]) => c.op !== 'upsert' || c.binding.aor.startsWith('sip:u')).map(([c]) => c)).toEqual(local);
    expect(b.seen.every(([, origin]) => origin === 'replica')).toBe(true);
    // no echo: a applied nothing from b, and b sent only acks / requests
    expect(a.seen.every(([, origin]) => origin === 'local')).toBe(true);
    expect(a.replicator.status().lastAppliedSeq).toBe(0);
    // A change the primary's store applies as a replica (e.g. its journal load) is not sent either.
    const sent = a.replicator.status().lastSentSeq;
    a.store.apply({ op: 'upsert', binding: binding(clock.now(), { aor: 'sip:loaded@example.com' }) }, 'replica');
    expect(a.replicator.status().lastSentSeq).toBe(sent);
    expect(b.store.bindings('sip:loaded@example.com')).toEqual([]);
    await clock.advance(50); // the backup's batched ack
    expect(a.replicator.status()).toMatchObject({ role: 'primary', inSync: true, lag: 0 });
    expect(b.replicator.status()).toMatchObject({ role: 'backup', inSync: true, lag: 0 });
    expect(ca.connected).toBe(true);
  });

  it('sends a fresh backup the primary’s whole content, not only the changes since the link came up', () => {
    const { a, b, of } = setup({ preload: 40 });
    expect(b.store.count).toBe(40);
    expect(contents(b.store)).toEqual(contents(a.store));
    expect(of('b', EVENTS.inSync)).toHaveLength(1);
  });

  it('does not send its whole content to a backup that starts with the same bindings (its journal), and does to one whose copy differs', () => {
    const same = setup({ preload: 300, backupPreload: 'same', maxFrameBytes: 8192 });
    expect(contents(same.b.store)).toEqual(contents(same.a.store));
    expect(same.b.replicator.status().inSync).toBe(true);
    // short messages only (one a resync asked: b asks at start and again when caught up), not the ~40 KB of bindings
    expect(same.a.replicator.status().lastSentSeq).toBeLessThanOrEqual(2);

    const differs = setup({ preload: 300, backupPreload: 'one-differs', maxFrameBytes: 8192 });
    expect(differs.b.store.get('sip:pre7@example.com', 'sip:pre7@192.0.2.1')?.cseq).toBe(1);
    expect(contents(differs.b.store)).toEqual(contents(differs.a.store));
    expect(differs.b.replicator.status().inSync).toBe(true);
    expect(differs.a.replicator.status().lastSentSeq).toBeGreaterThan(4); // the whole content, in frame-sized parts
  });

  it('a backup needing the base says its digest in its channel snapshot, and a primary holding the same content answers `same`, not the bindings', () => {
    interface Internals {
      snapshot(): Record<string, unknown>;
      onSnapshot(data: unknown, seq: number): void;
    }
    const { a, b, ca } = setup({ preload: 300, backupPreload: 'same', maxFrameBytes: 8192 });
    ca.disconnect();
    // What b's channel sends a peer that missed its stream (a restarted primary): b, fresh, has no base yet.
    const fresh = setup({ preload: 300, backupPreload: 'same', maxFrameBytes: 8192 });
    fresh.ca.disconnect();
    (fresh.b.replicator as unknown as { haveBase: boolean }).haveBase = false;
    const snapshot = (fresh.b.replicator as unknown as Internals).snapshot();
    expect(snapshot).toMatchObject({ bindings: null, needsBase: true, digest: fresh.b.store.digest() });
    // a, primary with the same content, receives it: one short `base … same` message, not ~40 KB in parts.
    const before = a.replicator.status().lastSentSeq;
    (a.replicator as unknown as Internals).onSnapshot({ ...snapshot, from: 'b-stream' }, 1);
    expect(a.replicator.status().lastSentSeq).toBe(before + 1);
    // With a digest that differs (or none), the whole content goes out, in frame-sized parts.
    (a.replicator as unknown as Internals).onSnapshot({ ...snapshot, from: 'b-stream', digest: 'other' }, 1);
    expect(a.replicator.status().lastSentSeq).toBeGreaterThan(before + 4);
    ca.connect();
    expect(contents(b.store)).toEqual(contents(a.store));
  });

  it('reports bulk work (for the node to release memory) when a base of BULK_BINDINGS or more is sent and adopted, not for a small one', () => {
    const small = setup({ preload: 40 });
    expect(small.b.store.count).toBe(40);
    expect(small.events.filter((e) => e.id === 'bulk-work')).toEqual([]);
    const large = setup({ preload: BULK_BINDINGS });
    expect(large.b.store.count).toBe(BULK_BINDINGS);
    expect(large.events.filter((e) => e.id === 'bulk-work')).toEqual([
      { node: 'a', id: 'bulk-work', fields: { reason: `sent its ${BULK_BINDINGS} bindings to the peer` } },
      { node: 'b', id: 'bulk-work', fields: { reason: `took the primary's ${BULK_BINDINGS} bindings` } },
    ]);
  });

  it('still gets the content and reports in sync when its channel opens on a live link', async () => {
    const { a, b, of } = setup({ preload: 5, openWhileConnected: true });
    await Promise.resolve(); // the channel's catch-up runs once channel() has returned
    expect(contents(b.store)).toEqual(contents(a.store));
    expect(b.replicator.status().inSync).toBe(true);
    expect(a.replicator.status().inSync).toBe(true);
    expect(of('b', EVENTS.inSync)).toHaveLength(1);
  });

  it('catches up after a disconnect by resuming, and reports in sync again', async () => {
    const { clock, a, b, ca, upsert, of, events } = setup();
    upsert(a, 1);
    await clock.advance(50);
    ca.disconnect();
    upsert(a, 2);
    upsert(a, 3);
    expect(b.store.count).toBe(1);
    expect(b.replicator.status().inSync).toBe(false); // not connected
    expect(a.replicator.status()).toMatchObject({ inSync: false, lag: 2 });
    ca.connect();
    expect(contents(b.store)).toEqual(contents(a.store));
    expect(events.filter((e) => e.node === 'b' && e.id === CoreEvent.HaLinkCatchUp).at(-1)?.fields).toMatchObject({ mode: 'resume', count: 2 });
    await clock.advance(50);
    expect(b.replicator.status().inSync).toBe(true);
    expect(a.replicator.status()).toMatchObject({ inSync: true, lag: 0 });
    expect(of('b', EVENTS.outOfSync)).toHaveLength(0);
  });

  it('after a gap longer than the primary retains, catches up from a snapshot', async () => {
    const { clock, a, b, ca, upsert, events } = setup({ retain: 5 });
    upsert(a, 0);
    ca.disconnect();
    for (let i = 1; i <= 20; i++) upsert(a, i);
    a.store.clearAor('sip:u0@example.com');
    ca.connect();
    expect(events.filter((e) => e.node === 'b' && e.id === CoreEvent.HaLinkCatchUp).at(-1)?.fields).toMatchObject({ mode: 'snapshot' });
    expect(contents(b.store)).toEqual(contents(a.store));
    expect(b.store.get('sip:u0@example.com', 'sip:u0@192.0.2.0')).toBeUndefined();
    await clock.advance(50);
    expect(a.replicator.status()).toMatchObject({ inSync: true, lag: 0 });
    expect(b.replicator.status().inSync).toBe(true);
  });

  it('sends content too large for one frame in parts, and the backup ends up equal', () => {
    const { a, b, ca, upsert } = setup({ retain: 1, maxFrameBytes: 8192 });
    ca.disconnect();
    for (let i = 0; i < 200; i++) upsert(a, i); // ~50 KB of bindings
    ca.connect();
    expect(b.store.count).toBe(200);
    expect(contents(b.store)).toEqual(contents(a.store));
    expect(b.replicator.status().inSync).toBe(true);
  });

  it('sends a base a part a turn (a large store never blocks the loop); changes made meanwhile follow its last part, and the backup ends equal', async () => {
    const turns: Array<() => void> = [];
    const { clock, a, b, upsert } = setup({ preload: 200, maxFrameBytes: 8192, defer: (flush) => void turns.push(flush) });
    // The link came up: b asked, a sent part 0 at once; each later part waits for a turn of its own.
    expect(b.store.count).toBeGreaterThan(0);
    expect(b.store.count).toBeLessThanOrEqual(50); // a 4 KiB part holds about 40 of these bindings
    expect(b.replicator.status().inSync).toBe(false);
    // Changes meanwhile, to bindings already sent (pre0, pre1) and not yet (pre198, pre199), and a new one.
    a.store.upsert(binding(clock.now(), { aor: 'sip:pre0@example.com', contact: 'sip:pre0@192.0.2.1', cseq: 42 }));
    a.store.remove('sip:pre1@example.com', 'sip:pre1@192.0.2.1');
    a.store.upsert(binding(clock.now(), { aor: 'sip:pre199@example.com', contact: 'sip:pre199@192.0.2.1', cseq: 43 }));
    a.store.remove('sip:pre198@example.com', 'sip:pre198@192.0.2.1');
    upsert(a, 7);
    expect(a.replicator.status().lag).toBeGreaterThan(0);
    let turnsRun = 0;
    while (turns.length > 0) {
      const before = b.store.count;
      turns.shift()!();
      turnsRun++;
      if (turns.length > 0) expect(b.store.count - before).toBeLessThanOrEqual(50); // a part a turn, not the rest at once
    }
    expect(turnsRun).toBeGreaterThan(5);
    expect(contents(b.store)).toEqual(contents(a.store));
    expect(b.store.get('sip:pre0@example.com', 'sip:pre0@192.0.2.1')?.cseq).toBe(42);
    expect(b.store.get('sip:pre199@example.com', 'sip:pre199@192.0.2.1')?.cseq).toBe(43);
    await clock.advance(50);
    expect(a.replicator.status()).toMatchObject({ inSync: true, lag: 0 });
    expect(b.replicator.status().inSync).toBe(true);
  });

  it('a primary demoted while its base is on the way gives the rest up; the new primary’s content then makes both equal', async () => {
    const turns: Array<() => void> = [];
    const { clock, a, b, roles, upsert } = setup({ preload: 200, maxFrameBytes: 8192, defer: (flush) => void turns.push(flush) });
    const partial = b.store.count;
    expect(partial).toBeLessThan(200);
    upsert(a, 7); // held back behind the base
    roles.a = 'backup';
    a.replicator.roleChanged(); // the held change goes out as a is demoted
    roles.b = 'primary';
    b.replicator.roleChanged();
    while (turns.length > 0) turns.shift()!();
    // No further part came: b is primary with what it had (and the held change, sent at the demotion); a took b's content.
    expect(b.store.count).toBe(partial + 1);
    expect(contents(a.store)).toEqual(contents(b.store));
    await clock.advance(50);
    expect(a.replicator.status()).toMatchObject({ role: 'backup', inSync: true });
    expect(b.replicator.status()).toMatchObject({ role: 'primary', inSync: true, lag: 0 });
  });

  it('a primary demoted between two parts of its base, with nobody telling it, sends no further part', () => {
    const turns: Array<() => void> = [];
    const { a, b, roles } = setup({ preload: 200, maxFrameBytes: 8192, defer: (flush) => void turns.push(flush) });
    const partial = b.store.count;
    const sent = a.replicator.status().lastSentSeq;
    roles.a = 'backup'; // no roleChanged(): the next part notices
    while (turns.length > 0) turns.shift()!();
    expect(b.store.count).toBe(partial);
    // Nothing but its own resync request went out after the demotion (it was divergent: its base never completed).
    expect(a.replicator.status().lastSentSeq).toBe(sent + 1);
    expect(a.replicator.status().role).toBe('backup');
  });

  it('sync mode: resolves acked when the backup applied it; fallback (and the event) after syncTimeout when it is away', async () => {
    const { clock, a, b, ca, upsert, of } = setup({ mode: 'sync', syncTimeout: 0.5 });
    expect(await a.replicator.replicate(upsert(a, 1))).toBe('acked');
    expect(b.store.count).toBe(1);

    ca.disconnect();
    const waiting = a.replicator.replicate(upsert(a, 2));
    let outcome: string | undefined;
    void waiting.then((o) => (outcome = o));
    await clock.advance(499);
    expect(outcome).toBeUndefined();
    await clock.advance(1);
    expect(outcome).toBe('fallback');
    expect(of('a', EVENTS.syncFallback)).toEqual([{ node: 'a', id: EVENTS.syncFallback, fields: { timeout: 0.5, unacked: 1 } }]);
    expect(of('a', EVENTS.outOfSync)).toHaveLength(1);
    // while stalled, REGISTERs do not each wait out the timeout
    expect(await a.replicator.replicate(upsert(a, 3))).toBe('fallback');
    expect(of('a', EVENTS.syncFallback)).toHaveLength(1);

    ca.connect();
    expect(contents(b.store)).toEqual(contents(a.store));
    expect(a.replicator.status()).toMatchObject({ inSync: true, lag: 0 });
    expect(of('a', EVENTS.inSync)).toHaveLength(2); // at start, and after recovering
    expect(await a.replicator.replicate(upsert(a, 4))).toBe('acked');
  });

  it('sends the changes of one event-loop turn as one message, and settles each sync waiter once the backup acknowledges', async () => {
    const turn: Array<() => void> = [];
    const endTurn = () => {
      for (const flush of turn.splice(0)) flush();
    };
    const { a, b, upsert } = setup({ mode: 'sync', defer: (flush) => void turn.push(flush) });
    const sent = a.replicator.status().lastSentSeq;
    const outcomes = [1, 2, 3].map((i) => a.replicator.replicate(upsert(a, i)));
    expect(b.store.count).toBe(0); // nothing on the wire before the turn ends
    expect(a.replicator.status().lag).toBe(3);
    endTurn();
    expect(a.replicator.status().lastSentSeq).toBe(sent + 1); // one message for the three
    expect(contents(b.store)).toEqual(contents(a.store));
    expect(await Promise.all(outcomes)).toEqual(['acked', 'acked', 'acked']);
    expect(a.replicator.status()).toMatchObject({ inSync: true, lag: 0 });
  });

  it('refuses a peer of replication format 1 (JSON changes) with a coded error, applying nothing it sends', () => {
    const clock = new ManualClock();
    const now = clock.now();
    const [ca, cb] = LoopbackChannels.pair({ nodeIds: ['a', 'b'] });
    ca.disconnect();
    // node a runs the previous release: a snapshot and changes of format 1
    const old = ca.channel<unknown>(BINDINGS_CHANNEL, { snapshot: () => ({ from: 'a/1', term: 1, bindings: [binding(now)] }) });
    const errors: string[] = [];
    const logger = { warn: () => undefined, error: (m: string) => errors.push(m) } as unknown as Logger;
    const store = new ContactStore(clock);
    const replicator = new BindingReplicator({
      channels: cb,
      store,
      clock,
      mode: 'async',
      syncTimeout: 0.5,
      role: () => 'backup',
      term: () => 1,
      emit: () => undefined,
      events: EVENTS,
      logger,
      defer: (flush) => flush(),
    });
    ca.connect();
    old.send({ kind: 'change', from: 'a/1', term: 1, change: { op: 'upsert', binding: binding(now, { contact: 'sip:x@h' }) } });
    expect(store.count).toBe(0);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(REPLICATION_VERSION_ERROR);
    expect(errors[0]).toMatch(/format version 1.*Upgrade both nodes/);
    expect(replicator.status().inSync).toBe(false);
    replicator.stop();
  });

  it('async mode resolves at once; a backup’s local change is not sent', async () => {
    const { a, b, upsert } = setup();
    expect(await a.replicator.replicate(upsert(a, 1))).toBe('async');
    expect(await b.replicator.replicate(upsert(b, 2))).toBe('skipped');
    expect(a.store.count).toBe(1);
  });

  it('a primary ignores change messages from a peer that also thinks it is primary (and says so once)', () => {
    const { a, b, roles, upsert, warnings } = setup();
    roles.b = 'primary';
    upsert(b, 1);
    upsert(b, 2);
    expect(a.store.count).toBe(0);
    expect(warnings.filter((w) => w.includes('this node is primary'))).toHaveLength(1);
  });

  it('after a role swap, the new primary’s changes flow the other way, without a full resync', async () => {
    const { clock, a, b, roles, upsert, of } = setup();
    upsert(a, 1);
    await clock.advance(50);
    roles.a = 'backup';
    roles.b = 'primary';
    a.replicator.roleChanged();
    b.replicator.roleChanged();
    const baseline = a.seen.length;
    upsert(b, 2);
    b.store.remove('sip:u1@example.com', 'sip:u1@192.0.2.1');
    expect(contents(a.store)).toEqual(contents(b.store));
    expect(a.seen.slice(baseline).map(([c, o]) => `${c.op}:${o}`)).toEqual(['upsert:replica', 'remove:replica']);
    await clock.advance(50);
    expect(b.replicator.status()).toMatchObject({ role: 'primary', inSync: true, lag: 0 });
    expect(a.replicator.status()).toMatchObject({ role: 'backup', inSync: true });
    expect(of('a', EVENTS.outOfSync)).toHaveLength(0);
  });

  it('an old primary with unacknowledged changes takes the new primary’s content after the swap', async () => {
    const { clock, a, b, ca, roles, upsert, of } = setup();
    upsert(a, 1);
    await clock.advance(50);
    ca.disconnect();
    upsert(a, 2); // never reaches b
    roles.a = 'backup';
    roles.b = 'primary';
    upsert(b, 3);
    ca.connect(); // roles noticed on the next message, without roleChanged()
    expect(contents(a.store)).toEqual(contents(b.store));
    expect(a.store.get('sip:u2@example.com', 'sip:u2@192.0.2.2')).toBeUndefined();
    await clock.advance(50);
    expect(a.replicator.status().inSync).toBe(true);
    expect(b.replicator.status()).toMatchObject({ inSync: true, lag: 0 });
    expect(of('a', EVENTS.outOfSync).map((e) => e.fields)).toEqual([
      { role: 'backup', reason: 'became backup with changes the peer had not acknowledged' },
    ]);
    expect(of('a', EVENTS.inSync).at(-1)?.fields).toEqual({ role: 'backup' });
  });

  it('async mode: reports out of sync when the backup stops acknowledging, and in sync once it catches up', async () => {
    const { clock, a, ca, upsert, of } = setup({ syncTimeout: 0.5 });
    await clock.advance(50); // the backup acknowledged its initial content
    ca.disconnect();
    upsert(a, 1);
    await clock.advance(499);
    expect(of('a', EVENTS.outOfSync)).toHaveLength(0);
    await clock.advance(1);
    expect(of('a', EVENTS.outOfSync).map((e) => e.fields)).toEqual([
      { role: 'primary', reason: 'the backup has not acknowledged 1 change within 0.5s' },
    ]);
    expect(of('a', EVENTS.syncFallback)).toHaveLength(0);
    ca.connect();
    await clock.advance(50);
    expect(of('a', EVENTS.inSync)).toHaveLength(2);
    expect(a.replicator.status()).toMatchObject({ inSync: true, lag: 0 });
  });

  it('answers a resync asked while it was backup once it becomes primary, even without roleChanged()', async () => {
    const { clock, a, b, roles } = setup({ aRole: 'backup', preload: 3 });
    expect(b.store.count).toBe(0); // nobody is primary yet
    roles.a = 'primary';
    await clock.advance(1000);
    expect(contents(b.store)).toEqual(contents(a.store));
    expect(b.replicator.status().inSync).toBe(true);
  });

  it('sync mode, onTimeout reject: a change the backup did not acknowledge in time resolves rejected, never acked', async () => {
    const { clock, a, b, ca, upsert, of } = setup({ mode: 'sync', syncTimeout: 0.5, onTimeout: 'reject' });
    expect(await a.replicator.replicate(upsert(a, 1))).toBe('acked');

    ca.disconnect();
    let outcome: string | undefined;
    void a.replicator.replicate(upsert(a, 2)).then((o) => (outcome = o));
    await clock.advance(499);
    expect(outcome).toBeUndefined();
    await clock.advance(1);
    expect(outcome).toBe('rejected');
    // while the backup is away, each change is refused at once rather than waiting out the timeout
    expect(await a.replicator.replicate(upsert(a, 3))).toBe('rejected');
    // the log says REGISTERs are refused, not answered without waiting
    expect(of('a', EVENTS.syncFallback)).toEqual([]);
    expect(of('a', EVENTS.outOfSync).map((e) => e.fields.reason)).toEqual([
      'the backup has not acknowledged 1 change within 0.5s; REGISTERs that change bindings are answered 500 (Retry-After) until it does',
    ]);

    // the refused changes stay on the primary and still reach the backup; then changes are acknowledged again
    ca.connect();
    expect(contents(b.store)).toEqual(contents(a.store));
    expect(a.replicator.status()).toMatchObject({ inSync: true, lag: 0 });
    expect(await a.replicator.replicate(upsert(a, 4))).toBe('acked');
  });

  it('sync mode, onTimeout reject: a change still waiting when the primary is demoted resolves rejected', async () => {
    const { a, ca, roles, upsert } = setup({ mode: 'sync', onTimeout: 'reject' });
    ca.disconnect();
    const waiting = a.replicator.replicate(upsert(a, 1));
    roles.a = 'backup';
    a.replicator.roleChanged();
    expect(await waiting).toBe('rejected');
  });

  it('a demoted primary whose resync request was replaced by a snapshot of its stream still gets the new primary’s content', async () => {
    // Few retained messages: at the reconnect, b catches up with a's stream by snapshot, and a's resync is not replayed.
    const { clock, a, b, ca, roles, terms, upsert } = setup({ retain: 2 });
    ca.disconnect();
    upsert(a, 1);
    upsert(a, 2); // never acknowledged: a must not keep them as backup
    roles.a = 'backup';
    roles.b = 'primary';
    terms.a = terms.b = 2;
    a.replicator.roleChanged();
    b.replicator.roleChanged();
    ca.connect();
    await clock.advance(100);
    expect(a.store.count).toBe(0);
    expect(contents(a.store)).toEqual(contents(b.store));
    expect(a.replicator.status()).toMatchObject({ role: 'backup', inSync: true });
    expect(b.replicator.status()).toMatchObject({ role: 'primary', inSync: true, lag: 0 });
  });

  it('an old primary that ignored the new primary’s changes (its order came late) takes the new primary’s content when demoted', async () => {
    const { clock, a, b, roles, terms, upsert } = setup();
    await clock.advance(50);
    roles.b = 'primary'; // b promoted at term 2; a has not heard yet and still acts as primary
    terms.b = 2;
    upsert(b, 1); // a ignores it: it is primary
    expect(a.store.count).toBe(0);
    roles.a = 'backup';
    terms.a = 2;
    a.replicator.roleChanged();
    await clock.advance(100);
    expect(contents(a.store)).toEqual(contents(b.store));
    expect(a.store.count).toBe(1);
    expect(b.replicator.status()).toMatchObject({ inSync: true, lag: 0 });
    expect(a.replicator.status()).toMatchObject({ role: 'backup', inSync: true });
  });

  it('stop() detaches from the store and the channel', () => {
    const { a, b, upsert } = setup();
    b.replicator.stop();
    upsert(a, 1);
    expect(b.store.count).toBe(0);
    a.replicator.stop();
    upsert(a, 2);
    expect(a.replicator.status().lastSentSeq).toBeLessThan(5);
  });
});

describe('BindingReplicator fencing by term', () => {
  /** A stale primary (a) changes alice's binding: another contact, and the one b holds removed. */
  const overwriteAlice = (a: { store: ContactStore }, now: number) => {
    a.store.upsert(binding(now, { aor: 'sip:alice@example.com', contact: 'sip:alice@198.51.100.7:5070', cseq: 2 }));
    a.store.remove('sip:alice@example.com', 'sip:alice@192.0.2.10:5060');
    a.store.upsert(binding(now, { aor: 'sip:bob@example.com', contact: 'sip:bob@198.51.100.8' }));
  };

  it.each([
    { aTerm: 4, applied: false },
    { aTerm: 5, applied: true },
  ])('a backup at term 5 given changes of a primary at term $aTerm: applied $applied', async ({ aTerm, applied }) => {
    const { clock, a, b, terms, of } = setup();
    a.store.upsert(binding(clock.now()));
    await clock.advance(50);
    const before = contents(b.store);
    expect(before).toEqual(contents(a.store));
    terms.b = 5; // b heard of a newer arbiter decision; a (frozen meanwhile) did not
    terms.a = aTerm;
    overwriteAlice(a, clock.now());
    await clock.advance(1000);
    if (applied) {
      expect(contents(b.store)).toEqual(contents(a.store));
      expect(b.store.bindings('sip:alice@example.com').map((x) => x.contact)).toEqual(['sip:alice@198.51.100.7:5070']);
      expect(a.replicator.status()).toMatchObject({ inSync: true, lag: 0 });
      expect(of('b', EVENTS.staleRefused)).toEqual([]);
    } else {
      // b keeps the bindings it had: alice's contact is not replaced, bob not added
      expect(contents(b.store)).toEqual(before);
      expect(b.store.bindings('sip:alice@example.com').map((x) => x.contact)).toEqual(['sip:alice@192.0.2.10:5060']);
      expect(b.replicator.status().lastAppliedSeq).toBeLessThan(a.replicator.status().lastSentSeq);
      // … and acknowledges none of them, so the stale primary's sync-mode waiters never count as replicated
      expect(a.replicator.status().lag).toBeGreaterThanOrEqual(3);
      expect(b.replicator.status().inSync).toBe(false);
      const refused = of('b', EVENTS.staleRefused);
      expect(refused).toHaveLength(1); // one line for the whole burst
      expect(refused[0]!.fields).toMatchObject({ peer: 'a', term: 4, current: 5 });
      expect(refused[0]!.fields.count).toBeGreaterThanOrEqual(3);
    }
  });

  it.each([
    { path: 'snapshot', retain: 5, maxFrameBytes: undefined },
    { path: 'base parts', retain: 1, maxFrameBytes: 8192 },
  ])('refuses a stale primary’s whole content ($path), and takes it once that primary reaches the term', async ({ retain, maxFrameBytes }) => {
    const { clock, a, b, ca, terms, upsert, events, of } = setup({ retain, ...(maxFrameBytes ? { maxFrameBytes } : {}), terms: { a: 4, b: 5 } });
    ca.disconnect();
    for (let i = 0; i < 200; i++) upsert(a, i); // more than a retains: the catch-up sends the content
    ca.connect();
    expect(events.filter((e) => e.node === 'b' && e.id === CoreEvent.HaLinkCatchUp).at(-1)?.fields).toMatchObject({ mode: 'snapshot' });
    expect(b.store.count).toBe(0);
    await clock.advance(1000);
    expect(of('b', EVENTS.staleRefused)).toHaveLength(1);
    expect(a.replicator.status().inSync).toBe(false);

    terms.a = 5; // the arbiter's order reaches a: it is the primary of term 5
    upsert(a, 999);
    expect(contents(b.store)).toEqual(contents(a.store));
    await clock.advance(50);
    expect(a.replicator.status()).toMatchObject({ inSync: true, lag: 0 });
    expect(b.replicator.status().inSync).toBe(true);
  });

  it('a primary that hears of a new term after its backup sends its content again at that term, with no new change to carry it', async () => {
    const { clock, a, b, terms, upsert, of } = setup();
    await clock.advance(50);
    terms.b = 2; // the arbiter kept the roles at term 2; b heard first
    upsert(a, 1); // sent at term 1: refused, and so is the content b then asks for
    await clock.advance(1000);
    expect(b.store.count).toBe(0);
    expect(of('b', EVENTS.staleRefused)).toHaveLength(1);
    expect(a.replicator.status()).toMatchObject({ inSync: false, lag: 2 });

    terms.a = 2; // a's order arrives: no role change, no hook, and no REGISTER follows
    await clock.advance(1000);
    expect(contents(b.store)).toEqual(contents(a.store));
    expect(b.store.count).toBe(1);
    expect(a.replicator.status()).toMatchObject({ inSync: true, lag: 0 });
    expect(b.replicator.status().inSync).toBe(true);
    expect(clock.pending).toBe(2); // the two stores' expiry timers: nothing left polling
  });

  it('a node that is primary applies no change from the peer, even one of a newer term', () => {
    const { a, b, roles, terms, upsert } = setup();
    roles.b = 'primary';
    terms.b = 7;
    upsert(b, 1);
    upsert(b, 2);
    expect(a.store.count).toBe(0);
    expect(b.store.count).toBe(2);
  });

  it('reports refusals once per burst, and the open burst at stop', async () => {
    const { clock, a, b, terms, upsert, of } = setup();
    await clock.advance(50);
    terms.a = 2;
    terms.b = 3;
    for (let i = 0; i < 500; i++) upsert(a, i);
    await clock.advance(999);
    expect(of('b', EVENTS.staleRefused)).toHaveLength(0);
    await clock.advance(1);
    const first = of('b', EVENTS.staleRefused);
    expect(first).toHaveLength(1);
    // the 500 changes (and the content a sent when b asked for it)
    expect(first[0]!.fields).toMatchObject({ peer: 'a', term: 2, current: 3 });
    expect(first[0]!.fields.count).toBeGreaterThanOrEqual(500);
    terms.b = 4;
    upsert(a, 500);
    b.replicator.stop();
    expect(of('b', EVENTS.staleRefused).slice(1).map((e) => e.fields)).toEqual([{ count: 1, peer: 'a', term: 2, current: 4 }]);
    expect(b.store.count).toBe(0);
  });

  it('reads a message without a term as term 0', () => {
    const old = { kind: 'changes', v: 2, from: 'x', changes: ['c sip:alice@example.com'] };
    expect(isReplicationMessage(old)).toBe(true);
    expect(termOf(old as { term?: number })).toBe(0);
    expect(isReplicationMessage({ ...old, term: 3 })).toBe(true);
    expect(isReplicationMessage({ ...old, term: -1 })).toBe(false);
    expect(isReplicationMessage({ ...old, term: '3' })).toBe(false);
  });
});
