import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ManualClock } from '@switchyard/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BindingJournal,
  ContactStore,
  JOURNAL_LOG_FILE,
  JOURNAL_SNAPSHOT_FILE,
  JOURNAL_SNAPSHOT_FILE_V1,
  APPEND_CHUNK_LINES,
  decodeChange,
  type Binding,
  type JournalError,
} from '../src/store';
import { binding } from './store-fixtures';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'swy-journal-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

function open(clock: ManualClock, options: { compactAfter?: number } = {}) {
  const errors: JournalError[] = [];
  const journal = new BindingJournal({ dir, clock, ...options, onError: (e) => errors.push(e) });
  return { journal, errors };
}

/** A new store whose changes an opened, loaded journal records. */
async function openAttached() {
  const clock = new ManualClock();
  const store = new ContactStore(clock);
  const { journal, errors } = open(clock);
  await journal.load();
  journal.attach(store);
  return { clock, now: clock.now(), store, journal, errors };
}

const sortByContact = (bs: Binding[]) => [...bs].sort((a, b) => a.contact.localeCompare(b.contact));
/** The snapshot file: a JSON header line, then one binding a line. */
const readSnapshot = async () => {
  const [header, ...lines] = (await fs.readFile(path.join(dir, JOURNAL_SNAPSHOT_FILE), 'utf8')).split('\n').filter(Boolean);
  return { ...(JSON.parse(header!) as { generation: number; version: number }), bindings: lines.map((line) => decodeChange(line)) };
};
const logLines = async () => (await fs.readFile(path.join(dir, JOURNAL_LOG_FILE), 'utf8')).split('\n').filter(Boolean);

describe('BindingJournal', () => {
  it('reloads, in a new instance, the bindings a store had when closed', async () => {
    const clock = new ManualClock();
    const now = clock.now();
    const store = new ContactStore(clock);
    const { journal, errors } = open(clock);
    expect(await journal.load()).toEqual([]);
    journal.attach(store);
    store.upsert(binding(now, { contact: 'sip:a@h' }));
    store.upsert(binding(now, { contact: 'sip:b@h', q: 0.5 }));
    store.upsert(binding(now, { contact: 'sip:a@h', cseq: 2 }));
    store.upsert(binding(now, { aor: 'sip:bob@example.com', contact: 'sip:bob@h' }));
    store.remove('sip:alice@example.com', 'sip:b@h');
    store.upsert(binding(now, { aor: 'sip:carol@example.com', contact: 'sip:carol@h' }));
    store.clearAor('sip:carol@example.com');
    await journal.close();

    const again = open(clock);
    const loaded = await again.journal.load();
    expect(sortByContact(loaded)).toEqual(sortByContact(store.snapshot()));
    expect(loaded.find((b) => b.contact === 'sip:a@h')?.cseq).toBe(2);
    expect(errors).toEqual([]);
    expect(again.errors).toEqual([]);
    await again.journal.close();
  });

  it('batches writes: nothing reaches the disk before the flush interval, then all at once', async () => {
    const clock = new ManualClock();
    const now = clock.now();
    const { journal } = open(clock);
    await journal.load();
    journal.record({ op: 'upsert', binding: binding(now, { contact: 'sip:a@h' }) });
    journal.record({ op: 'upsert', binding: binding(now, { contact: 'sip:b@h' }) });
    expect(journal.stats().pending).toBe(2);
    await clock.advance(199);
    expect(journal.stats().pending).toBe(2);
    await clock.advance(1);
    await journal.flush(); // waits for the timer's write to finish (real file I/O)
    expect(journal.stats()).toMatchObject({ pending: 0, logEntries: 2 });
    expect(await logLines()).toHaveLength(3); // header + 2 entries
    await journal.close();
  });

  it('drops bindings already expired at load', async () => {
    const clock = new ManualClock();
    const now = clock.now();
    const { journal } = open(clock);
    await journal.load();
    journal.record({ op: 'upsert', binding: binding(now, { contact: 'sip:short@h', ttl: 10 }) });
    journal.record({ op: 'upsert', binding: binding(now, { contact: 'sip:long@h', ttl: 100 }) });
    await journal.close();

    const later = new ManualClock(now + 10_000);
    const again = open(later);
    expect((await again.journal.load()).map((b) => b.contact)).toEqual(['sip:long@h']);
    await again.journal.close();
  });

  it('ignores a line torn by a crash, and appends cleanly after it', async () => {
    const clock = new ManualClock();
    const now = clock.now();
    const { journal } = open(clock);
    await journal.load();
    journal.record({ op: 'upsert', binding: binding(now, { contact: 'sip:a@h' }) });
    await journal.close();
    await fs.appendFile(path.join(dir, JOURNAL_LOG_FILE), '{"op":"upsert","binding":{"aor":"sip:alice@exa');

    const second = open(clock);
    expect((await second.journal.load()).map((b) => b.contact)).toEqual(['sip:a@h']);
    expect(second.errors).toEqual([]); // a torn last line is expected after a crash, not an error
    second.journal.record({ op: 'upsert', binding: binding(now, { contact: 'sip:b@h' }) });
    await second.journal.close();

    const third = open(clock);
    expect((await third.journal.load()).map((b) => b.contact).sort()).toEqual(['sip:a@h', 'sip:b@h']);
    expect(third.errors).toEqual([]);
    await third.journal.close();
  });

  it('skips and reports a corrupt line in the middle of the log', async () => {
    const clock = new ManualClock();
    const now = clock.now();
    const { journal } = open(clock);
    await journal.load();
    journal.record({ op: 'upsert', binding: binding(now, { contact: 'sip:a@h' }) });
    await journal.flush();
    await fs.appendFile(path.join(dir, JOURNAL_LOG_FILE), 'garbage\n');
    journal.record({ op: 'upsert', binding: binding(now, { contact: 'sip:b@h' }) });
    await journal.close();

    const again = open(clock);
    expect((await again.journal.load()).map((b) => b.contact).sort()).toEqual(['sip:a@h', 'sip:b@h']);
    expect(again.errors.map((e) => e.code)).toEqual(['SWY_ERR_SIP_JOURNAL_READ']);
    await again.journal.close();
  });

  it('compacts after compactAfter entries into a snapshot and a short log, and loads the same bindings', async () => {
    const clock = new ManualClock();
    const now = clock.now();
    const store = new ContactStore(clock);
    const { journal, errors } = open(clock, { compactAfter: 20 });
    await journal.load();
    journal.attach(store);
    for (let i = 0; i < 25; i++) store.upsert(binding(now, { contact: `sip:u${i % 10}@h`, cseq: i }));
    store.remove('sip:alice@example.com', 'sip:u0@h');
    await journal.flush();
    expect(journal.stats()).toMatchObject({ generation: 1, logEntries: 0 });
    const snapshot = await readSnapshot();
    expect(snapshot.generation).toBe(1);
    expect(snapshot.bindings.every((b) => b?.op === 'upsert')).toBe(true);
    expect(snapshot.bindings).toHaveLength(9);
    expect(await logLines()).toHaveLength(1); // just the header

    store.upsert(binding(now, { contact: 'sip:late@h' }));
    await journal.close();
    expect(await logLines()).toHaveLength(2);

    const again = open(clock, { compactAfter: 20 });
    expect(sortByContact(await again.journal.load())).toEqual(sortByContact(store.snapshot()));
    expect(errors).toEqual([]);
    await again.journal.close();
  });

  it('skips a log already folded into the snapshot (crash between snapshot and log reset)', async () => {
    const clock = new ManualClock();
    const now = clock.now();
    const { journal } = open(clock);
    await journal.load();
    journal.record({ op: 'upsert', binding: binding(now, { contact: 'sip:a@h' }) });
    await journal.flush();
    const staleLog = await fs.readFile(path.join(dir, JOURNAL_LOG_FILE));
    journal.record({ op: 'remove', aor: 'sip:alice@example.com', contact: 'sip:a@h' });
    journal.record({ op: 'upsert', binding: binding(now, { contact: 'sip:b@h' }) });
    await journal.compact();
    await journal.close();
    // The crash: the new snapshot is in place, the log is still the old one (replaying it would bring back a).
    await fs.writeFile(path.join(dir, JOURNAL_LOG_FILE), staleLog);

    const again = open(clock);
    expect((await again.journal.load()).map((b) => b.contact)).toEqual(['sip:b@h']);
    again.journal.record({ op: 'upsert', binding: binding(now, { contact: 'sip:c@h' }) });
    await again.journal.close();
    const third = open(clock);
    expect((await third.journal.load()).map((b) => b.contact).sort()).toEqual(['sip:b@h', 'sip:c@h']);
    await third.journal.close();
  });

  it('persists what a replaceAll changed (a replication snapshot on the backup)', async () => {
    const clock = new ManualClock();
    const now = clock.now();
    const store = new ContactStore(clock);
    const { journal } = open(clock);
    await journal.load();
    journal.attach(store);
    store.upsert(binding(now, { contact: 'sip:old@h' }));
    store.replaceAll([binding(now, { contact: 'sip:new@h' })], 'replica');
    await journal.close();
    const again = open(clock);
    expect((await again.journal.load()).map((b) => b.contact)).toEqual(['sip:new@h']);
    await again.journal.close();
  });

  it('appends a large flush APPEND_CHUNK_LINES lines a write (the loop turns between them), and reloads every line', async () => {
    const { journal, store, now } = await openAttached();
    const count = APPEND_CHUNK_LINES * 3 + 7; // under compactAfter: appended, not compacted
    for (let i = 0; i < count; i++) store.upsert(binding(now, { aor: `sip:u${i}@example.com`, contact: `sip:u${i}@h` }));
    const handle = await fs.open(path.join(dir, 'probe'), 'w');
    const proto = Object.getPrototypeOf(handle) as { appendFile: (...args: unknown[]) => Promise<void> };
    await handle.close();
    const appended: number[] = []; // lines per write
    const real = proto.appendFile;
    proto.appendFile = function (this: unknown, data: unknown, ...rest: unknown[]) {
      if (typeof data === 'string') appended.push(data.split('\n').length - 1);
      return real.call(this, data, ...rest);
    };
    try {
      await journal.flush();
    } finally {
      proto.appendFile = real;
    }
    const entries = appended.filter((n) => n !== 1); // the log's one-line header is its own write
    expect(entries).toEqual([APPEND_CHUNK_LINES, APPEND_CHUNK_LINES, APPEND_CHUNK_LINES, 7]);
    expect(journal.stats()).toMatchObject({ pending: 0, logEntries: count });
    await journal.close();
    const again = open(new ManualClock());
    expect(await again.journal.load()).toHaveLength(count);
    await again.journal.close();
  });

  it('reports a failed background write through onError, keeps the entries, and writes them once it can', async () => {
    const clock = new ManualClock();
    const now = clock.now();
    const { journal, errors } = open(clock);
    await journal.load();
    await fs.rm(dir, { recursive: true });
    await fs.writeFile(dir, 'not a directory'); // every open in "dir" now fails
    journal.record({ op: 'upsert', binding: binding(now) });
    await clock.advance(200);
    await expect(journal.flush()).rejects.toMatchObject({ code: 'SWY_ERR_SIP_JOURNAL_WRITE' });
    expect(errors.map((e) => e.code)).toContain('SWY_ERR_SIP_JOURNAL_WRITE');
    expect(journal.stats().pending).toBe(1);

    await fs.rm(dir);
    await fs.mkdir(dir);
    await journal.close();
    const again = open(clock);
    expect(await again.journal.load()).toHaveLength(1);
    await again.journal.close();
  });

  it('refuses record() before load(), and drops (reporting once) changes after close()', async () => {
    const clock = new ManualClock();
    const { journal, errors } = open(clock);
    expect(() => journal.record({ op: 'clear-aor', aor: 'sip:x@y' })).toThrow(expect.objectContaining({ code: 'SWY_ERR_SIP_JOURNAL_STATE' }));
    await journal.load();
    await journal.close();
    journal.record({ op: 'clear-aor', aor: 'sip:x@y' });
    journal.record({ op: 'clear-aor', aor: 'sip:x@y' });
    expect(errors.map((e) => e.code)).toEqual(['SWY_ERR_SIP_JOURNAL_STATE']);
  });

  it('writes a snapshot of many bindings (several serialisation chunks) that reloads whole', async () => {
    const { clock, now, store, journal, errors } = await openAttached();
    for (let i = 0; i < 4_500; i++) store.upsert(binding(now, { aor: `sip:u${i}@example.com`, contact: `sip:u${i}@h` }));
    await journal.compact();
    await journal.close();
    const snapshot = await readSnapshot();
    expect(snapshot.bindings).toHaveLength(4_500);
    const again = open(clock);
    expect(sortByContact(await again.journal.load())).toEqual(sortByContact(store.all()));
    await again.journal.close();
    expect(errors).toEqual([]);
  });

  it('writes a snapshot a chunk a turn, and changes made while it is written (to lines read already and not yet) reload as the store holds them', async () => {
    const { clock, now, store, journal, errors } = await openAttached();
    const count = 10_000; // about 1 MB of lines: several chunks of the snapshot
    for (let i = 0; i < count; i++) store.upsert(binding(now, { aor: `sip:u${i}@example.com`, contact: `sip:u${i}@h` }));
    let done = false;
    const compacting = journal.compact().then(() => (done = true));
    let turns = 0;
    while (!done) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      store.upsert(binding(now, { aor: `sip:u${turns}@example.com`, contact: `sip:u${turns}@h`, cseq: 100 + turns }));
      store.remove(`sip:u${count - 1 - turns}@example.com`, `sip:u${count - 1 - turns}@h`);
      store.upsert(binding(now, { aor: `sip:new${turns}@example.com`, contact: `sip:new${turns}@h` }));
      turns++;
    }
    await compacting;
    expect(turns).toBeGreaterThan(3); // the loop ran while the snapshot was written
    await journal.close();
    const again = open(clock);
    expect(sortByContact(await again.journal.load())).toEqual(sortByContact(store.all()));
    await again.journal.close();
    expect(errors).toEqual([]);
  });

  it('loads a snapshot larger than one decoding piece (4 MiB) whole: lines across piece ends, multi-byte characters, one line longer than a piece', async () => {
    const { clock, now, store, journal, errors } = await openAttached();
    // ~40,000 lines of ~250 bytes: about 10 MiB, so pieces end mid-file; é and 😀 are 2 and 4 bytes in UTF-8.
    for (let i = 0; i < 40_000; i++) store.upsert(binding(now, { aor: `sip:u${i}@example.com`, contact: `sip:u${i}@h`, callId: `é😀${'x'.repeat(100)}-${i}` }));
    const huge = binding(now, { aor: 'sip:huge@example.com', contact: 'sip:huge@h', callId: `😀${'y'.repeat(5 * 1024 * 1024)}` });
    store.upsert(huge);
    await journal.compact();
    await journal.close();
    expect((await fs.stat(path.join(dir, JOURNAL_SNAPSHOT_FILE))).size).toBeGreaterThan(12 * 1024 * 1024);
    const again = new ContactStore(clock);
    const second = open(clock);
    expect(await second.journal.loadInto(again)).toBe(40_001);
    expect(again.digest()).toBe(store.digest());
    expect(again.get(huge.aor, huge.contact)?.callId).toBe(huge.callId);
    expect(again.get('sip:u39999@example.com', 'sip:u39999@h')?.callId).toBe(`é😀${'x'.repeat(100)}-39999`);
    await second.journal.close();
    expect([...errors, ...second.errors]).toEqual([]);
  });

  it('loadInto fills the store itself and persists its later changes, odd characters included', async () => {
    const clock = new ManualClock();
    const now = clock.now();
    const first = new ContactStore(clock);
    const { journal } = open(clock);
    expect(await journal.loadInto(first)).toBe(0);
    const odd = binding(now, { contact: 'sip:a%20b@h;x="q \\ r"', callId: 'line\nbreak é 😀', q: 0.25 });
    first.upsert(odd);
    first.upsert(binding(now, { aor: 'sip:bob@example.com', contact: 'sip:bob@h' }));
    await journal.compact();
    first.remove('sip:bob@example.com', 'sip:bob@h');
    first.upsert(binding(now, { aor: 'sip:carol@example.com', contact: 'sip:carol@h', ttl: 10 }));
    await journal.close();

    const second = new ContactStore(clock);
    const again = open(clock);
    expect(await again.journal.loadInto(second)).toBe(2);
    expect(sortByContact(second.all())).toEqual(sortByContact(first.all()));
    expect(second.get(odd.aor, odd.contact)).toEqual({ ...odd, q: 0.25 });
    // it records the store's changes from now on
    second.clearAor('sip:carol@example.com');
    await again.journal.close();
    const third = open(clock);
    expect((await third.journal.load()).map((b) => b.contact)).toEqual([odd.contact]);
    await third.journal.close();
    expect([...again.errors, ...third.errors]).toEqual([]);
  });

  it('reads a journal of format version 1 (JSON), and rewrites it in the current format at the first write', async () => {
    const clock = new ManualClock();
    const now = clock.now();
    const header = { format: 'switchyard-bindings', version: 1, generation: 3 };
    const kept = binding(now, { contact: 'sip:kept@h' });
    await fs.writeFile(
      path.join(dir, JOURNAL_SNAPSHOT_FILE_V1),
      JSON.stringify({ ...header, savedAt: now, bindings: [kept, binding(now, { contact: 'sip:removed@h' })] }),
    );
    const changes = [
      { op: 'remove', aor: kept.aor, contact: 'sip:removed@h' },
      { op: 'upsert', binding: binding(now, { contact: 'sip:logged@h', cseq: 7 }) },
    ];
    await fs.writeFile(path.join(dir, JOURNAL_LOG_FILE), [header, ...changes].map((v) => `${JSON.stringify(v)}\n`).join(''));

    const store = new ContactStore(clock);
    const { journal, errors } = open(clock);
    await journal.loadInto(store);
    expect(store.all().map((b) => b.contact).sort()).toEqual(['sip:kept@h', 'sip:logged@h']);
    expect(store.get(kept.aor, 'sip:logged@h')?.cseq).toBe(7);
    await clock.advance(200); // the first write folds the old files into a new snapshot
    await journal.flush();
    await journal.close();
    await expect(fs.access(path.join(dir, JOURNAL_SNAPSHOT_FILE_V1))).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await readSnapshot()).version).toBe(2);

    const again = open(clock);
    expect((await again.journal.load()).map((b) => b.contact).sort()).toEqual(['sip:kept@h', 'sip:logged@h']);
    await again.journal.close();
    expect([...errors, ...again.errors]).toEqual([]);
  });

  describe('file modes: only the node’s user can read the bindings', () => {
    const modeOf = async (file: string) => (await fs.stat(file)).mode & 0o777;
    let umask: number;
    beforeEach(() => {
      umask = process.umask(0); // the loosest umask: the modes must not depend on it
    });
    afterEach(() => {
      process.umask(umask);
    });

    it('creates the folder 0700 and the log and snapshot 0600', async () => {
      const clock = new ManualClock();
      const journalDir = path.join(dir, 'data', 'sip');
      const journal = new BindingJournal({ dir: journalDir, clock });
      await journal.load();
      journal.record({ op: 'upsert', binding: binding(clock.now(), { contact: 'sip:a@h' }) });
      await journal.flush();
      await journal.compact();
      await journal.close();
      expect((await modeOf(journalDir)).toString(8)).toBe('700');
      expect((await modeOf(path.join(journalDir, JOURNAL_LOG_FILE))).toString(8)).toBe('600');
      expect((await modeOf(path.join(journalDir, JOURNAL_SNAPSHOT_FILE))).toString(8)).toBe('600');
    });

    it('repairs a folder and a log left readable by others (an older version wrote 0750 / 0640)', async () => {
      const clock = new ManualClock();
      await fs.chmod(dir, 0o755);
      await fs.writeFile(path.join(dir, JOURNAL_LOG_FILE), '', { mode: 0o644 });
      await fs.chmod(path.join(dir, JOURNAL_LOG_FILE), 0o644);
      const { journal } = open(clock);
      await journal.load();
      expect((await modeOf(dir)).toString(8)).toBe('700');
      journal.record({ op: 'upsert', binding: binding(clock.now(), { contact: 'sip:a@h' }) });
      await journal.close();
      expect((await modeOf(path.join(dir, JOURNAL_LOG_FILE))).toString(8)).toBe('600');
      expect(await logLines()).toHaveLength(2);
    });

    it('refuses, without loading or changing them, a folder or a log another user owns', async () => {
      // chown needs root; CI runs the suite as root (the lab and VIP tests need it too)
      expect(process.getuid?.()).toBe(0);
      const clock = new ManualClock();
      await fs.writeFile(path.join(dir, JOURNAL_LOG_FILE), `${JSON.stringify({ op: 'upsert', binding: binding(clock.now(), { contact: 'sip:planted@h' }) })}\n`, { mode: 0o644 });
      await fs.chown(path.join(dir, JOURNAL_LOG_FILE), 65534, 65534);
      const planted = open(clock);
      await expect(planted.journal.load()).rejects.toMatchObject({ code: 'SWY_ERR_SIP_JOURNAL_OWNER', details: { file: path.join(dir, JOURNAL_LOG_FILE) } });
      expect((await modeOf(path.join(dir, JOURNAL_LOG_FILE))).toString(8)).toBe('644');

      await fs.rm(path.join(dir, JOURNAL_LOG_FILE));
      await fs.chown(dir, 65534, 65534);
      const foreign = open(clock);
      await expect(foreign.journal.load()).rejects.toThrow(/belongs to user 65534.*chown/s);
    });
  });
});
