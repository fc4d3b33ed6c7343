import { ManualClock } from '@switchyard/sdk';
import { describe, expect, it } from 'vitest';
import { ContactStore, type BindingChange, type ChangeOrigin } from '../src/store';
import { hashLine, lineHash } from '../src/store/binding-codec';
import { binding } from './store-fixtures';

function setup() {
  const clock = new ManualClock();
  const store = new ContactStore(clock);
  const seen: Array<[BindingChange, ChangeOrigin]> = [];
  store.onChange((change, origin) => seen.push([change, origin]));
  return { clock, store, seen, now: clock.now() };
}

describe('ContactStore', () => {
  it('upserts, replaces by Contact URI, removes and clears an AOR, telling listeners each change with its origin', () => {
    const { store, seen, now } = setup();
    const a = binding(now, { contact: 'sip:a@192.0.2.1' });
    const b = binding(now, { contact: 'sip:b@192.0.2.2' });
    const first = store.upsert(a);
    store.upsert(b, 'replica');
    expect(store.count).toBe(2);
    expect(first).toEqual({ op: 'upsert', binding: a });

    store.upsert({ ...a, cseq: 2 });
    expect(store.count).toBe(2);
    expect(store.get(a.aor, a.contact)?.cseq).toBe(2);

    expect(store.remove(a.aor, a.contact)).toEqual({ op: 'remove', aor: a.aor, contact: a.contact });
    expect(store.remove(a.aor, a.contact)).toBeUndefined(); // nothing to remove: no change, no event
    expect(store.clearAor(a.aor)).toEqual({ op: 'clear-aor', aor: a.aor });
    expect(store.clearAor(a.aor)).toBeUndefined();
    expect(store.count).toBe(0);
    expect(seen.map(([c, o]) => `${c.op}:${o}`)).toEqual(['upsert:local', 'upsert:replica', 'upsert:local', 'remove:local', 'clear-aor:local']);
  });

  it('returns the very change object listeners saw, so the caller can hand it to the replicator', () => {
    const { store, seen, now } = setup();
    const change = store.upsert(binding(now));
    expect(change).toBe(seen[0]![0]);
  });

  it('keeps stored bindings immutable', () => {
    const { store, now } = setup();
    const input = binding(now);
    store.upsert(input);
    input.cseq = 99;
    input.source.port = 1;
    const stored = store.get(input.aor, input.contact)!;
    expect(stored.cseq).toBe(1);
    expect(stored.source.port).toBe(5060);
    expect(Object.isFrozen(stored)).toBe(true);
  });

  it('lists an AOR best first: highest q (absent = 1), then most recently updated; other AORs apart', () => {
    const { store, now } = setup();
    store.upsert(binding(now, { contact: 'sip:low@h', q: 0.1, updatedAt: now + 5 }));
    store.upsert(binding(now, { contact: 'sip:old@h', updatedAt: now }));
    store.upsert(binding(now, { contact: 'sip:new@h', updatedAt: now + 1 }));
    store.upsert(binding(now, { contact: 'sip:half@h', q: 0.5 }));
    store.upsert(binding(now, { aor: 'sip:bob@example.com', contact: 'sip:bob@h' }));
    expect(store.bindings('sip:alice@example.com').map((b) => b.contact)).toEqual(['sip:new@h', 'sip:old@h', 'sip:half@h', 'sip:low@h']);
    expect(store.bindings('sip:nobody@example.com')).toEqual([]);
    expect(store.all()).toHaveLength(5);
  });

  it('expires a binding at exactly expiresAt, on the clock, without telling listeners', async () => {
    const { clock, store, seen, now } = setup();
    store.upsert(binding(now, { contact: 'sip:short@h', ttl: 10 }));
    store.upsert(binding(now, { contact: 'sip:long@h', ttl: 20 }));
    await clock.advance(9_999);
    expect(store.count).toBe(2);
    await clock.advance(1);
    expect(store.bindings('sip:alice@example.com').map((b) => b.contact)).toEqual(['sip:long@h']);
    expect(store.count).toBe(1);
    await clock.advance(10_000);
    expect(store.count).toBe(0);
    expect(clock.pending).toBe(0); // no timer left behind
    expect(seen.map(([c]) => c.op)).toEqual(['upsert', 'upsert']);
  });

  it('moves the expiry when a binding is refreshed, and leaves no timer behind after a removal', async () => {
    const { clock, store, now } = setup();
    store.upsert(binding(now, { ttl: 10 }));
    store.upsert(binding(now, { ttl: 30 })); // refreshed: the old expiry is superseded
    await clock.advance(10_000);
    expect(store.count).toBe(1);
    await clock.advance(20_000);
    expect(store.count).toBe(0);
    store.upsert(binding(clock.now(), { ttl: 5 }));
    store.remove('sip:alice@example.com', 'sip:alice@192.0.2.10:5060');
    await clock.advance(5_000);
    expect(clock.pending).toBe(0);
  });

  it('treats an upsert that is already expired as a removal', () => {
    const { store, now } = setup();
    store.upsert(binding(now));
    expect(store.upsert(binding(now, { ttl: 0 }))).toEqual({ op: 'remove', aor: 'sip:alice@example.com', contact: 'sip:alice@192.0.2.10:5060' });
    expect(store.count).toBe(0);
  });

  it('replaceAll installs new content and tells listeners the difference as ordinary changes', () => {
    const { store, seen, now } = setup();
    const keep = binding(now, { contact: 'sip:keep@h' });
    store.upsert(keep);
    store.upsert(binding(now, { contact: 'sip:gone@h' }));
    store.upsert(binding(now, { aor: 'sip:bob@example.com', contact: 'sip:bob@h' }));
    seen.length = 0;
    const fresh = binding(now, { aor: 'sip:carol@example.com', contact: 'sip:carol@h' });
    const expired = binding(now, { aor: 'sip:dave@example.com', ttl: 0 });
    store.replaceAll([{ ...keep }, fresh, expired], 'replica');
    expect(store.all().map((b) => b.contact).sort()).toEqual(['sip:carol@h', 'sip:keep@h']);
    expect(seen.map(([c, o]) => [c.op, o])).toEqual([
      ['remove', 'replica'],
      ['clear-aor', 'replica'],
      ['upsert', 'replica'],
    ]);
    // A follower applying those changes to the old content ends up equal.
    const follower = new ContactStore(new ManualClock(now));
    follower.upsert(keep);
    follower.upsert(binding(now, { contact: 'sip:gone@h' }));
    follower.upsert(binding(now, { aor: 'sip:bob@example.com', contact: 'sip:bob@h' }));
    for (const [change] of seen) follower.apply(change, 'replica');
    expect(follower.snapshot().map((b) => b.contact).sort()).toEqual(['sip:carol@h', 'sip:keep@h']);
  });

  it('reads its content in parts that together are encoded(), each within the size asked (one line at least)', () => {
    const { store, now } = setup();
    for (let i = 0; i < 300; i++) store.upsert(binding(now, { aor: `sip:u${i}@example.com`, contact: `sip:u${i}@h` }));
    for (let i = 0; i < 300; i += 3) store.remove(`sip:u${i}@example.com`, `sip:u${i}@h`); // free slots are skipped
    const parts: string[][] = [];
    for (let from = 0, done = false; !done; ) {
      const part = store.encodedFrom(from, 2000);
      expect(part.lines.join('').length).toBeLessThanOrEqual(2000);
      parts.push(part.lines);
      ({ next: from, done } = part);
    }
    expect(parts.length).toBeGreaterThan(5);
    expect(parts.flat()).toEqual(store.encoded());
    // A line larger than the size asked still makes a part of its own.
    expect(store.encodedFrom(0, 1).lines).toHaveLength(1);
    expect(new ContactStore(new ManualClock()).encodedFrom(0, 1000)).toEqual({ lines: [], bytes: 0, next: 0, done: true });
  });

  it('replaces its content part by part: each part applied as it comes, the end removing what no part held; a follower of the changes ends up equal', () => {
    const { store, seen, now } = setup();
    const keep = binding(now, { contact: 'sip:keep@h' });
    const old = [keep, binding(now, { contact: 'sip:gone@h' }), binding(now, { aor: 'sip:bob@example.com', contact: 'sip:bob@h' })];
    for (const b of old) store.upsert(b);
    const source = new ContactStore(new ManualClock(now));
    source.upsert({ ...keep });
    for (let i = 0; i < 50; i++) source.upsert(binding(now, { aor: `sip:u${i}@example.com`, contact: `sip:u${i}@h`, cseq: i }));
    const lines = source.encoded();
    seen.length = 0;
    const replacement = store.beginReplace();
    expect(store.replacePart(replacement, lines.slice(0, 20), 'replica')).toBe(0);
    // Between parts: the old content and the first part's.
    expect(store.count).toBe(3 + 19);
    expect(store.replacePart(replacement, lines.slice(20), 'replica')).toBe(0);
    expect(store.finishReplace(replacement, 'replica')).toBe(true);
    expect(store.encoded().sort()).toEqual(lines.sort());
    expect(store.digest()).toBe(source.digest());
    // The unchanged binding is no change; the rest are 50 upserts, then a removal and a clear-aor.
    expect(seen.filter(([c]) => c.op === 'upsert')).toHaveLength(50);
    expect(seen.filter(([c]) => c.op !== 'upsert').map(([c, o]) => [c.op, o])).toEqual([
      ['remove', 'replica'],
      ['clear-aor', 'replica'],
    ]);
    const follower = new ContactStore(new ManualClock(now));
    for (const b of old) follower.upsert(b);
    for (const [change] of seen) follower.apply(change, 'replica');
    expect(follower.digest()).toBe(source.digest());
  });

  it('a part-by-part replacement that another change interrupted removes nothing at its end; a malformed line is counted and skipped', async () => {
    const { store, now, clock } = setup();
    store.upsert(binding(now, { contact: 'sip:old@h' }));
    const source = new ContactStore(new ManualClock(now));
    source.upsert(binding(now, { aor: 'sip:new@example.com', contact: 'sip:new@h' }));
    const replacement = store.beginReplace();
    expect(store.replacePart(replacement, [...source.encoded(), 'u\tnot a binding'], 'replica')).toBe(1);
    store.upsert(binding(now, { aor: 'sip:local@example.com', contact: 'sip:local@h' }));
    expect(store.finishReplace(replacement, 'replica')).toBe(false);
    expect(store.all().map((b) => b.contact).sort()).toEqual(['sip:local@h', 'sip:new@h', 'sip:old@h']);
    // Expiry is no change: it does not interrupt one.
    store.upsert(binding(now, { aor: 'sip:brief@example.com', contact: 'sip:brief@h', ttl: 1 }));
    const again = store.beginReplace();
    store.replacePart(again, source.encoded(), 'replica');
    await clock.advance(1000);
    expect(store.get('sip:brief@example.com', 'sip:brief@h')).toBeUndefined();
    expect(store.finishReplace(again, 'replica')).toBe(true);
    expect(store.all().map((b) => b.contact)).toEqual(['sip:new@h']);
  });

  it('still notifies every listener when one throws, then reports the failure to the caller', () => {
    const { store, now } = setup();
    let second = 0;
    store.onChange(() => {
      throw new Error('listener broke');
    });
    store.onChange(() => second++);
    expect(() => store.upsert(binding(now))).toThrow('listener broke');
    expect(second).toBe(1);
    expect(store.count).toBe(1);
  });

  it('onChange returns an unsubscribe function', () => {
    const { store, now } = setup();
    let calls = 0;
    const off = store.onChange(() => calls++);
    store.upsert(binding(now));
    off();
    store.clearAor('sip:alice@example.com');
    expect(calls).toBe(1);
  });

  it('holds 100,000 bindings and expires them all on time', async () => {
    const clock = new ManualClock();
    const store = new ContactStore(clock);
    const now = clock.now();
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      // Expiries spread over 1..1000 s, in scrambled order.
      const ttl = 1 + ((i * 7919) % 1000);
      store.upsert(binding(now, { aor: `sip:u${i % 50_000}@example.com`, contact: `sip:u${i}@192.0.2.1:${5060 + (i % 3)}`, ttl }));
    }
    expect(store.count).toBe(n);
    await clock.advance(500_000);
    const left = store.all();
    expect(left.every((b) => b.expiresAt > clock.now())).toBe(true);
    expect(left.length).toBe(n - 50_000); // ttl 1..500 gone, 501..1000 left (100 each)
    await clock.advance(500_000);
    expect(store.count).toBe(0);
    expect(clock.pending).toBe(0);
  });
});

describe('the line hash behind the store digest', () => {
  const hashOf = (line: string): string => {
    hashLine(line);
    return `${lineHash[0]}:${lineHash[1]}`;
  };

  it('tells apart lines that differ in one code unit, in their order, or by a trailing NUL, and lines of odd and even length', () => {
    const base = 'u\tsip:alice@example.com\tsip:alice@192.0.2.1:5060\t1764633600000';
    const variants = [
      base,
      `${base}0`,
      `${base}\0`,
      `${base}\0\0`,
      base.replace('alice', 'alicf'),
      base.replace('alice@', 'ailce@'),
      base.slice(0, -1),
      '',
      'a',
      'a\0',
      '\0a',
      'ab',
      'ba',
      'é',
      'e\u0301',
    ];
    const hashes = variants.map(hashOf);
    expect(new Set(hashes).size).toBe(variants.length);
    expect(hashOf(base)).toBe(hashes[0]); // the same line, the same hash
  });

  it('gives no collision among 200,000 bindings\' lines that differ only in a counter', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200_000; i++) seen.add(hashOf(`u\tsip:u${i}@example.com\tsip:u${i}@192.0.2.1:5060;transport=udp\t1764633600000\t${i}-4242@x\t1`));
    expect(seen.size).toBe(200_000);
  });
});
