import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic, type Clock, type TimerHandle } from '@switchyard/sdk';
import { isBinding, isBindingChange, type Binding, type BindingChange } from './binding';
import { CODEC_VERSION, encodeBinding, encodeChange } from './binding-codec';
import { ContactStore, type ChangeOrigin } from './contact-store';
import { JournalError, type JournalErrorCode } from './journal-error';
import { JOURNAL_DIR_MODE, JOURNAL_FILE_MODE, isCode, makePrivate, readIfExists, truncateTornTail } from './journal-files';

export interface BindingJournalOptions {
  /** Directory of `bindings.log` and `bindings.snapshot` (created if missing); one directory per node. */
  dir: string;
  /** Expiry of loaded bindings and the flush timer run on this clock. */
  clock: Clock;
  /** Seconds between batched writes + fsync of the log; default 0.2. */
  flushInterval?: number;
  /** Log entries after which the log is folded into a new snapshot; default 50000. */
  compactAfter?: number;
  /** Failures of background flushes and compactions, and unreadable parts of the files at load. Never thrown from a timer. */
  onError?: (error: JournalError) => void;
}

/** Statistics, for status output and tests. */
export interface JournalStats {
  /** Entries in the log file on disk. */
  logEntries: number;
  /** Entries recorded but not yet written. */
  pending: number;
  /** Generation of the snapshot on disk (0: none yet). */
  generation: number;
}

/** The append-only change log, in the journal directory. */
export const JOURNAL_LOG_FILE = 'bindings.log';
/** The snapshot the log is folded into, in the journal directory. */
export const JOURNAL_SNAPSHOT_FILE = 'bindings.snapshot';
/** The snapshot of format version 1 (JSON), read once and replaced by {@link JOURNAL_SNAPSHOT_FILE}. */
export const JOURNAL_SNAPSHOT_FILE_V1 = 'bindings.snapshot.json';
const FORMAT = 'switchyard-bindings';
const MAX_RETRY_MS = 30_000;
/** Characters of lines read from the store and written as one chunk of a snapshot (one write, between two turns of the event loop). */
const SNAPSHOT_CHUNK_CHARS = 256 * 1024;
/**
 * Lines of the log appended by one write (joined and encoded in one turn of
 * the event loop). A backup taking 100,000 bindings in a catch-up has tens
 * of thousands of lines pending at a flush: in one write, joining and
 * encoding them took one turn of 20-50 ms.
 */
export const APPEND_CHUNK_LINES = 2_000;
/** Lines loaded into the store between two yields to the event loop. */
const LOAD_CHUNK = 20_000;

const yieldTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** First line of the log and of the snapshot. */
interface FileHeader {
  format: typeof FORMAT;
  version: 1 | 2;
  generation: number;
  savedAt?: number;
}

interface SnapshotFileV1 extends FileHeader {
  bindings: Binding[];
}

/** What a file held: its generation (undefined: unreadable or none) and its lines in the codec's format. */
interface ReadFile {
  existed: boolean;
  generation: number | undefined;
  lines: string[];
  /** Version 1 (JSON): rewritten in version 2 at the first write. */
  legacy: boolean;
}

/**
 * Persists bindings without native dependencies: an append-only log of
 * changes (`bindings.log`), written in batches and fsync'd every
 * `flushInterval`, and a snapshot (`bindings.snapshot`, replaced atomically)
 * that the log is folded into every `compactAfter` entries. Both are lines
 * of the binding codec after a JSON header line: the journal writes the
 * very line the store made (and the HA link carried) for each change, and
 * a load reads them back without JSON. Version 1 files (JSON) are read and
 * rewritten in version 2 at the first write.
 *
 * Memory: the journal keeps no copy of the bindings. Once attached to a
 * store, a compaction writes that store's content, which is what the
 * journal recorded (every change the store makes reaches it).
 *
 * Crash safety: a torn last log line is ignored and cut off. Snapshot and log
 * carry a generation; a compaction writes snapshot `g+1` before it resets the
 * log to a `g+1` header, so a crash in between leaves a `g` log that load
 * recognises as already folded in and skips.
 *
 * Privacy: the folder is created (or repaired) 0700 and both files 0600,
 * whatever the umask: bindings name users, their contacts and addresses.
 * A folder or log another user owns is refused (`SWY_ERR_SIP_JOURNAL_OWNER`).
 *
 * Use: `loadInto(store)` once (it attaches the journal to the store), and
 * `close()` at shutdown. (`load()` + `record()` keep a content of their own,
 * for use without a store.)
 */
export class BindingJournal {
  readonly logFile: string;
  readonly snapshotFile: string;
  private readonly legacySnapshotFile: string;
  private readonly clock: Clock;
  private readonly flushMs: number;
  private readonly compactAfter: number;
  private readonly onError: (error: JournalError) => void;
  /** What snapshot + log + pending hold: the content a compaction writes (the attached store, or one of our own). */
  private content: ContactStore | undefined;
  private ownContent = false;
  private detach: (() => void) | undefined;
  private phase: 'new' | 'loading' | 'open' | 'closed' = 'new';
  private pending: string[] = [];
  private logEntries = 0;
  private generation = 0;
  /** Generation in the header of the log file on disk; undefined: the log must be reset before appending. */
  private logGeneration: number | undefined;
  private compactRequested = false;
  private legacySnapshot = false;
  private handle: fs.FileHandle | undefined;
  private timer: TimerHandle | undefined;
  private failures = 0;
  private queue: Promise<void> = Promise.resolve();
  private reportedClosedUse = false;

  constructor(options: BindingJournalOptions) {
    this.logFile = path.join(options.dir, JOURNAL_LOG_FILE);
    this.snapshotFile = path.join(options.dir, JOURNAL_SNAPSHOT_FILE);
    this.legacySnapshotFile = path.join(options.dir, JOURNAL_SNAPSHOT_FILE_V1);
    this.clock = options.clock;
    this.flushMs = Math.max(1, Math.round((options.flushInterval ?? 0.2) * 1000));
    this.compactAfter = Math.max(1, options.compactAfter ?? 50_000);
    this.onError = options.onError ?? (() => undefined);
  }

  /**
   * Reads snapshot and log into `store` (as changes of `origin`), then
   * records every change the store makes. Returns the number of bindings
   * loaded (those not yet expired by `clock.now()`). Unreadable parts are
   * skipped and reported through `onError`; a missing directory is created.
   */
  async loadInto(store: ContactStore, origin: ChangeOrigin = 'replica'): Promise<number> {
    await this.read(store, origin);
    this.attach(store);
    return store.count;
  }

  /**
   * Reads snapshot and log, and returns the bindings not yet expired by
   * `clock.now()`, keeping them as the journal's own content until
   * {@link attach} (prefer {@link loadInto}, which keeps no copy).
   */
  async load(): Promise<Binding[]> {
    const own = new ContactStore(this.clock);
    own.close(); // no timer needed: reads skip expired bindings
    await this.read(own, 'local');
    this.content = own;
    this.ownContent = true;
    return own.snapshot();
  }

  /** Queues `change` for the next batched write. Call after `load()`; `attach()` calls it for every change of the store. */
  record(change: BindingChange): void {
    if (this.phase === 'closed') {
      // A late change during shutdown: say so once, do not throw into the store.
      if (!this.reportedClosedUse) this.onError(this.error('SWY_ERR_SIP_JOURNAL_STATE', 'A change was recorded after close() and was not persisted.', this.logFile, 'record'));
      this.reportedClosedUse = true;
      return;
    }
    if (this.phase !== 'open') throw this.error('SWY_ERR_SIP_JOURNAL_STATE', 'record() was called before load() finished.', this.logFile, 'record');
    let line: string;
    if (this.ownContent) {
      const applied = this.content!.apply(change, 'local');
      if (!applied) return; // already the persisted state
      line = encodeChange(applied);
    } else {
      line = encodeChange(change); // the store's own line: encoded once, where the change was made
    }
    // A snapshot is due that covers this change (the content has it): no line to hold.
    if (!this.compactRequested) this.pending.push(line);
    this.arm();
  }

  /** Records every change `store` makes from now on; `store` is the content compactions write. Returns the unsubscribe function. */
  attach(store: ContactStore): () => void {
    this.detach?.();
    this.content = store;
    this.ownContent = false;
    const off = store.onChange((change) => this.record(change));
    this.detach = off;
    return () => {
      off();
      if (this.detach === off) this.detach = undefined;
    };
  }

  /** Writes and fsyncs what is pending now (compacting if due). Rejects with a JournalError on failure. */
  flush(): Promise<void> {
    this.disarm();
    return this.enqueue(() => this.write());
  }

  /** Folds the log into a new snapshot now. */
  compact(): Promise<void> {
    this.compactRequested = true;
    return this.flush();
  }

  /** Flushes, then closes the log. Later `record()` calls are dropped (reported once). */
  async close(): Promise<void> {
    if (this.phase === 'closed') return;
    const wasOpen = this.phase === 'open';
    this.phase = 'closed';
    this.disarm();
    try {
      if (wasOpen) await this.enqueue(() => this.write());
    } finally {
      this.detach?.();
      this.detach = undefined;
      await this.enqueue(async () => {
        await this.handle?.close();
        this.handle = undefined;
      });
    }
  }

  stats(): JournalStats {
    return { logEntries: this.logEntries, pending: this.pending.length, generation: this.generation };
  }

  // ---- writing -------------------------------------------------------------

  private arm(delay = this.flushMs): void {
    if (this.timer) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.enqueue(() => this.write()).then(
        () => (this.failures = 0),
        (error: unknown) => {
          this.failures++;
          this.onError(error instanceof JournalError ? error : this.error('SWY_ERR_SIP_JOURNAL_WRITE', 'Journal write failed.', this.logFile, 'flush', error));
          // Retry with backoff: a full disk should not turn into an error every 200 ms.
          if (this.phase === 'open') this.arm(Math.min(MAX_RETRY_MS, this.flushMs * 2 ** this.failures));
        },
      );
    }, delay);
  }

  private disarm(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** Runs `op` after every earlier one: file operations never interleave. */
  private enqueue(op: () => Promise<void>): Promise<void> {
    const run = this.queue.then(op);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async write(): Promise<void> {
    if (this.compactRequested || this.logEntries + this.pending.length >= this.compactAfter) {
      await this.compactNow();
      return;
    }
    if (this.pending.length === 0) return;
    const handle = await this.openLog();
    const lines = this.pending;
    this.pending = [];
    try {
      for (let from = 0; from < lines.length; from += APPEND_CHUNK_LINES) {
        await handle.appendFile(`${lines.slice(from, from + APPEND_CHUNK_LINES).join('\n')}\n`, 'utf8');
      }
      await handle.datasync();
    } catch (cause) {
      // All of them again, as none is known durable: a line appended twice changes nothing (each sets a whole state).
      this.keepPending(lines);
      await this.dropHandle(); // reopening cuts a partly written line
      throw this.error('SWY_ERR_SIP_JOURNAL_WRITE', `Cannot append ${lines.length} entries to ${this.logFile}.`, this.logFile, 'append', cause);
    }
    this.logEntries += lines.length;
  }

  /**
   * Lines an append could not write go back in front of the queue, unless
   * that makes a compaction's worth: then the next attempt writes a snapshot
   * (which covers them) instead, so a full disk holds at most `compactAfter`
   * lines in memory, never one per change for as long as it lasts.
   */
  private keepPending(lines: string[]): void {
    this.pending = lines.concat(this.pending);
    if (this.logEntries + this.pending.length < this.compactAfter) return;
    this.compactRequested = true;
    this.pending = [];
  }

  private async compactNow(): Promise<void> {
    const generation = this.generation + 1;
    // Everything recorded so far is in the content: pending lines are covered by the snapshot.
    this.pending = [];
    // Changes from here on go to the log after this snapshot; a failure asks for another snapshot.
    this.compactRequested = false;
    const head: FileHeader = { format: FORMAT, version: CODEC_VERSION, generation, savedAt: this.clock.now() };
    try {
      await writeFileAtomic(this.snapshotFile, snapshotChunks(JSON.stringify(head), this.content), { mode: JOURNAL_FILE_MODE });
    } catch (cause) {
      // The next attempt writes a snapshot again, which covers these lines.
      this.compactRequested = true;
      this.pending = [];
      throw this.error('SWY_ERR_SIP_JOURNAL_WRITE', `Cannot write the snapshot ${this.snapshotFile}.`, this.snapshotFile, 'compact', cause);
    }
    this.generation = generation;
    if (this.legacySnapshot) {
      // Folded into the version 2 snapshot: a later load must not fall back to it.
      await fs.rm(this.legacySnapshotFile, { force: true }).catch(() => undefined);
      this.legacySnapshot = false;
    }
    await this.openLog(); // resets the now stale log; retried before the next append if it fails
  }

  /** The log, open for appending, with a header of the current generation. */
  private async openLog(): Promise<fs.FileHandle> {
    try {
      if (!this.handle) {
        this.handle = await fs.open(this.logFile, 'a+', JOURNAL_FILE_MODE);
        await this.makePrivate(this.handle, this.logFile, JOURNAL_FILE_MODE, 'open');
        if (this.logGeneration === this.generation && (await truncateTornTail(this.handle)) === 0) this.logGeneration = undefined;
      }
      if (this.logGeneration !== this.generation) {
        const header: FileHeader = { format: FORMAT, version: CODEC_VERSION, generation: this.generation };
        await this.handle.truncate(0);
        await this.handle.appendFile(`${JSON.stringify(header)}\n`, 'utf8');
        await this.handle.datasync();
        this.logGeneration = this.generation;
        this.logEntries = 0;
      }
      return this.handle;
    } catch (cause) {
      await this.dropHandle();
      if (cause instanceof JournalError) throw cause;
      throw this.error('SWY_ERR_SIP_JOURNAL_WRITE', `Cannot open ${this.logFile} for appending.`, this.logFile, 'open', cause);
    }
  }

  private async dropHandle(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close().catch(() => undefined);
  }

  // ---- reading -------------------------------------------------------------

  /** Loads snapshot and log into `store`; the journal is open afterwards. */
  private async read(store: ContactStore, origin: ChangeOrigin): Promise<void> {
    if (this.phase !== 'new') throw this.error('SWY_ERR_SIP_JOURNAL_STATE', 'load() was called twice.', this.logFile, 'load');
    this.phase = 'loading';
    const dir = path.dirname(this.logFile);
    try {
      await fs.mkdir(dir, { recursive: true, mode: JOURNAL_DIR_MODE });
      await this.makePrivate(dir, dir, JOURNAL_DIR_MODE, 'load');
      for (const file of [this.snapshotFile, this.legacySnapshotFile, this.logFile]) {
        await this.makePrivate(file, file, JOURNAL_FILE_MODE, 'load').catch((error: unknown) => {
          if (!isCode(error, 'ENOENT')) throw error;
        });
      }
      let snapshot = await this.readSnapshot();
      if (!snapshot.existed) snapshot = await this.readLegacySnapshot();
      const log = await this.readLog();
      if (store.count > 0) store.replaceAllEncoded([], origin); // the journal's content replaces the store's
      // In parts, with a turn of the event loop between them: a million bindings must not stop heartbeats for seconds.
      let malformed = 0;
      for (let i = 0; i < snapshot.lines.length; i += LOAD_CHUNK) {
        malformed += store.putEncoded(snapshot.lines.slice(i, i + LOAD_CHUNK), origin);
        await yieldTurn();
      }
      if (malformed > 0) this.onError(this.error('SWY_ERR_SIP_JOURNAL_READ', `${malformed} malformed bindings in ${this.snapshotFile} were skipped.`, this.snapshotFile, 'load'));
      // A log of another generation was folded into the snapshot already (crash during compaction).
      const current = snapshot.generation === undefined || log.generation === snapshot.generation;
      let skipped = 0;
      if (current) {
        for (let i = 0; i < log.lines.length; i++) {
          if (store.applyEncoded(log.lines[i]!, origin) === null) skipped++;
          if (i % LOAD_CHUNK === LOAD_CHUNK - 1) await yieldTurn();
        }
      }
      if (skipped > 0) this.onError(this.error('SWY_ERR_SIP_JOURNAL_READ', `${skipped} unreadable lines in ${this.logFile} were skipped.`, this.logFile, 'load'));
      this.generation = snapshot.generation ?? log.generation ?? 0;
      this.logGeneration = current && !log.legacy ? log.generation : undefined;
      this.logEntries = current ? log.lines.length : 0;
      this.legacySnapshot = snapshot.legacy;
      // An unreadable snapshot, or files of format version 1: write a good one before the log is reset.
      this.compactRequested = (snapshot.generation === undefined && snapshot.existed) || snapshot.legacy || (current && log.legacy);
    } catch (cause) {
      this.phase = 'new';
      throw cause instanceof JournalError ? cause : this.error('SWY_ERR_SIP_JOURNAL_READ', `Cannot read the bindings journal in ${dir}.`, dir, 'load', cause);
    }
    this.phase = 'open';
    if (this.compactRequested) this.arm();
  }

  private async readSnapshot(): Promise<ReadFile> {
    const raw = await readIfExists(this.snapshotFile);
    if (raw === undefined) return { existed: false, generation: 0, lines: [], legacy: false };
    const { header, lines } = await splitLines(raw, false);
    if (!header || header.version !== CODEC_VERSION) {
      this.onError(this.error('SWY_ERR_SIP_JOURNAL_READ', `The snapshot ${this.snapshotFile} is not a version ${CODEC_VERSION} bindings snapshot; loading the log only.`, this.snapshotFile, 'load'));
      return { existed: true, generation: undefined, lines: [], legacy: false };
    }
    return { existed: true, generation: header.generation, lines, legacy: false };
  }

  /** A snapshot of format version 1 (one JSON document), converted to lines. */
  private async readLegacySnapshot(): Promise<ReadFile> {
    const file = this.legacySnapshotFile;
    const raw = await readIfExists(file);
    if (raw === undefined) return { existed: false, generation: 0, lines: [], legacy: false };
    let parsed: Partial<SnapshotFileV1>;
    try {
      parsed = JSON.parse(raw.toString('utf8')) as Partial<SnapshotFileV1>;
    } catch (cause) {
      this.onError(this.error('SWY_ERR_SIP_JOURNAL_READ', `The snapshot ${file} is not valid JSON; loading the log only.`, file, 'load', cause));
      return { existed: true, generation: undefined, lines: [], legacy: true };
    }
    if (parsed.format !== FORMAT || parsed.version !== 1 || !Number.isSafeInteger(parsed.generation) || !Array.isArray(parsed.bindings)) {
      this.onError(this.error('SWY_ERR_SIP_JOURNAL_READ', `The snapshot ${file} is not a version 1 bindings snapshot; loading the log only.`, file, 'load'));
      return { existed: true, generation: undefined, lines: [], legacy: true };
    }
    const bindings = parsed.bindings.filter(isBinding);
    const skipped = parsed.bindings.length - bindings.length;
    if (skipped > 0) this.onError(this.error('SWY_ERR_SIP_JOURNAL_READ', `${skipped} malformed bindings in ${file} were skipped.`, file, 'load'));
    return { existed: true, generation: parsed.generation, lines: bindings.map(encodeBinding), legacy: true };
  }

  private async readLog(): Promise<ReadFile> {
    const raw = await readIfExists(this.logFile);
    if (raw === undefined) return { existed: false, generation: undefined, lines: [], legacy: false };
    const { header, lines, legacy } = await splitLines(raw, true);
    return { existed: true, generation: header?.generation, lines, legacy };
  }

  /** Folder and files private to the node's user; one another user owns is refused, not loaded or written. */
  private async makePrivate(target: string | fs.FileHandle, file: string, mode: number, operation: string): Promise<void> {
    const owner = await makePrivate(target, mode);
    if (owner === undefined) return;
    throw this.error(
      'SWY_ERR_SIP_JOURNAL_OWNER',
      `${file} belongs to user ${owner}, not to the user running this node (${process.getuid?.() ?? '?'}).`,
      file,
      operation,
    );
  }

  private error(code: JournalErrorCode, message: string, file: string, operation: string, cause?: unknown): JournalError {
    return new JournalError(code, message, { file, operation }, cause);
  }
}

function readHeader(text: string): FileHeader | undefined {
  if (text.charCodeAt(0) !== 0x7b /* { */) return undefined;
  try {
    const v = JSON.parse(text) as Partial<FileHeader> | null;
    if (typeof v !== 'object' || v === null || v.format !== FORMAT || (v.version !== 1 && v.version !== 2) || !Number.isSafeInteger(v.generation)) return undefined;
    return v as FileHeader;
  } catch {
    return undefined;
  }
}

/**
 * The header and the lines of a journal file, each line a string of its own
 * (a line cut out of the whole file would keep the whole file in memory for
 * as long as the store keeps the binding). The part after the last newline
 * is empty or torn by a crash: dropped. A version 1 log (JSON lines) is
 * converted; its unreadable lines are kept as they are, for the caller to
 * count as malformed.
 */
async function splitLines(raw: Buffer, log: boolean): Promise<{ header: FileHeader | undefined; lines: string[]; legacy: boolean }> {
  const lines: string[] = [];
  let header: FileHeader | undefined;
  let start = 0;
  for (let end = raw.indexOf(0x0a, start); end >= 0; start = end + 1, end = raw.indexOf(0x0a, start)) {
    const line = raw.toString('utf8', start, end);
    if (start === 0) {
      header = readHeader(line);
      if (header) continue;
    }
    lines.push(line);
    if (lines.length % LOAD_CHUNK === 0) await yieldTurn();
  }
  if (!log || header?.version !== 1) return { header, lines, legacy: false };
  return { header, lines: lines.map(legacyLine), legacy: true };
}

/** A version 1 log line (a JSON change) as a codec line; an unreadable one as it is. */
function legacyLine(line: string): string {
  try {
    const value: unknown = JSON.parse(line);
    return isBindingChange(value) ? encodeChange(value) : line;
  } catch {
    return line;
  }
}

/**
 * The snapshot's text: `header`, then the store's lines, one a line, read a
 * chunk at a time as the file is written (each write lets the event loop
 * run: SIP answers, heartbeats). Changes made while it is read are in the
 * log that follows this snapshot: each line holds its binding as it was when
 * read, and replaying the log over the snapshot gives the content as of its end.
 */
async function* snapshotChunks(header: string, store: ContactStore | undefined): AsyncGenerator<string> {
  yield `${header}\n`;
  if (!store) return;
  for (let from = 0, done = false; !done; ) {
    const part = store.encodedFrom(from, SNAPSHOT_CHUNK_CHARS);
    if (part.lines.length > 0) yield `${part.lines.join('\n')}\n`;
    from = part.next;
    done = part.done;
  }
}
