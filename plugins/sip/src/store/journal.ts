import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic, type Clock, type TimerHandle } from '@switchyard/sdk';
import { isBinding, isBindingChange, type Binding, type BindingChange } from './binding';
import { ContactStore } from './contact-store';
import { JournalError, type JournalErrorCode } from './journal-error';
import { JOURNAL_DIR_MODE, JOURNAL_FILE_MODE, isCode, makePrivate, readIfExists, truncateTornTail } from './journal-files';

export interface BindingJournalOptions {
  /** Directory of `bindings.log` and `bindings.snapshot.json` (created if missing); one directory per node. */
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
export const JOURNAL_SNAPSHOT_FILE = 'bindings.snapshot.json';
const FORMAT = 'switchyard-bindings';
const MAX_RETRY_MS = 30_000;

interface SnapshotFile {
  format: typeof FORMAT;
  version: 1;
  generation: number;
  savedAt: number;
  bindings: Binding[];
}

interface LogHeader {
  format: typeof FORMAT;
  version: 1;
  generation: number;
}

/**
 * Persists bindings without native dependencies: an append-only JSON-lines
 * log of changes (`bindings.log`), written in batches and fsync'd every
 * `flushInterval`, and a snapshot (`bindings.snapshot.json`, replaced
 * atomically) that the log is folded into every `compactAfter` entries.
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
 * Use: `load()` once, then `record()` each change (or `attach(store)`), and
 * `close()` at shutdown.
 */
export class BindingJournal {
  readonly logFile: string;
  readonly snapshotFile: string;
  private readonly clock: Clock;
  private readonly flushMs: number;
  private readonly compactAfter: number;
  private readonly onError: (error: JournalError) => void;
  /** What snapshot + log + pending hold: the content a compaction writes. */
  private readonly state: ContactStore;
  private phase: 'new' | 'loading' | 'open' | 'closed' = 'new';
  private pending: string[] = [];
  private logEntries = 0;
  private generation = 0;
  /** Generation in the header of the log file on disk; undefined: the log must be reset before appending. */
  private logGeneration: number | undefined;
  private compactRequested = false;
  private handle: fs.FileHandle | undefined;
  private timer: TimerHandle | undefined;
  private failures = 0;
  private queue: Promise<void> = Promise.resolve();
  private reportedClosedUse = false;

  constructor(options: BindingJournalOptions) {
    this.logFile = path.join(options.dir, JOURNAL_LOG_FILE);
    this.snapshotFile = path.join(options.dir, JOURNAL_SNAPSHOT_FILE);
    this.clock = options.clock;
    this.flushMs = Math.max(1, Math.round((options.flushInterval ?? 0.2) * 1000));
    this.compactAfter = Math.max(1, options.compactAfter ?? 50_000);
    this.onError = options.onError ?? (() => undefined);
    this.state = new ContactStore(this.clock);
    this.state.close(); // no timer needed: reads skip expired bindings
  }

  /**
   * Reads snapshot and log, and returns the bindings not yet expired by
   * `clock.now()`. Unreadable parts are skipped and reported through
   * `onError`; a missing directory is created.
   */
  async load(): Promise<Binding[]> {
    if (this.phase !== 'new') throw this.error('SWY_ERR_SIP_JOURNAL_STATE', 'load() was called twice.', this.logFile, 'load');
    this.phase = 'loading';
    const dir = path.dirname(this.logFile);
    try {
      await fs.mkdir(dir, { recursive: true, mode: JOURNAL_DIR_MODE });
      await this.makePrivate(dir, dir, JOURNAL_DIR_MODE, 'load');
      for (const file of [this.snapshotFile, this.logFile]) {
        await this.makePrivate(file, file, JOURNAL_FILE_MODE, 'load').catch((error: unknown) => {
          if (!isCode(error, 'ENOENT')) throw error;
        });
      }
      const snapshot = await this.readSnapshot();
      const log = await this.readLog();
      this.state.replaceAll(snapshot.bindings, 'local');
      // A log of another generation was folded into the snapshot already (crash during compaction).
      const current = snapshot.generation === undefined || log.generation === snapshot.generation;
      if (current) for (const change of log.changes) this.state.apply(change, 'local');
      this.generation = snapshot.generation ?? log.generation ?? 0;
      this.logGeneration = current ? log.generation : undefined;
      this.logEntries = current ? log.changes.length : 0;
      // An unreadable snapshot: write a good one before the log is reset.
      this.compactRequested = snapshot.generation === undefined && snapshot.existed;
    } catch (cause) {
      this.phase = 'new';
      throw cause instanceof JournalError ? cause : this.error('SWY_ERR_SIP_JOURNAL_READ', `Cannot read the bindings journal in ${dir}.`, dir, 'load', cause);
    }
    this.phase = 'open';
    if (this.compactRequested) this.arm();
    return this.state.snapshot();
  }

  /** Queues `change` for the next batched write. Call after `load()`. */
  record(change: BindingChange): void {
    if (this.phase === 'closed') {
      // A late change during shutdown: say so once, do not throw into the store.
      if (!this.reportedClosedUse) this.onError(this.error('SWY_ERR_SIP_JOURNAL_STATE', 'A change was recorded after close() and was not persisted.', this.logFile, 'record'));
      this.reportedClosedUse = true;
      return;
    }
    if (this.phase !== 'open') throw this.error('SWY_ERR_SIP_JOURNAL_STATE', 'record() was called before load() finished.', this.logFile, 'record');
    const applied = this.state.apply(change, 'local');
    if (!applied) return; // already the persisted state
    this.pending.push(`${JSON.stringify(applied)}\n`);
    this.arm();
  }

  /** Records every change `store` makes from now on. Returns the unsubscribe function. */
  attach(store: ContactStore): () => void {
    return store.onChange((change) => this.record(change));
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
      await handle.appendFile(lines.join(''), 'utf8');
      await handle.datasync();
    } catch (cause) {
      this.pending = lines.concat(this.pending);
      await this.dropHandle(); // reopening cuts a partly written line
      throw this.error('SWY_ERR_SIP_JOURNAL_WRITE', `Cannot append ${lines.length} entries to ${this.logFile}.`, this.logFile, 'append', cause);
    }
    this.logEntries += lines.length;
  }

  private async compactNow(): Promise<void> {
    const generation = this.generation + 1;
    // Everything recorded so far is in `state`: pending lines are covered by the snapshot.
    const lines = this.pending;
    this.pending = [];
    const head: Omit<SnapshotFile, 'bindings'> = { format: FORMAT, version: 1, generation, savedAt: this.clock.now() };
    try {
      await writeFileAtomic(this.snapshotFile, await stringifySnapshot(head, this.state.snapshot()), { mode: JOURNAL_FILE_MODE });
    } catch (cause) {
      this.pending = lines.concat(this.pending);
      throw this.error('SWY_ERR_SIP_JOURNAL_WRITE', `Cannot write the snapshot ${this.snapshotFile}.`, this.snapshotFile, 'compact', cause);
    }
    this.generation = generation;
    this.compactRequested = false;
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
        const header: LogHeader = { format: FORMAT, version: 1, generation: this.generation };
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

  private async readSnapshot(): Promise<{ existed: boolean; generation: number | undefined; bindings: Binding[] }> {
    const raw = await readIfExists(this.snapshotFile);
    if (raw === undefined) return { existed: false, generation: 0, bindings: [] };
    let parsed: Partial<SnapshotFile>;
    try {
      parsed = JSON.parse(raw.toString('utf8')) as Partial<SnapshotFile>;
    } catch (cause) {
      this.onError(this.error('SWY_ERR_SIP_JOURNAL_READ', `The snapshot ${this.snapshotFile} is not valid JSON; loading the log only.`, this.snapshotFile, 'load', cause));
      return { existed: true, generation: undefined, bindings: [] };
    }
    if (parsed.format !== FORMAT || parsed.version !== 1 || !Number.isSafeInteger(parsed.generation) || !Array.isArray(parsed.bindings)) {
      this.onError(this.error('SWY_ERR_SIP_JOURNAL_READ', `The snapshot ${this.snapshotFile} is not a version 1 bindings snapshot; loading the log only.`, this.snapshotFile, 'load'));
      return { existed: true, generation: undefined, bindings: [] };
    }
    const bindings = parsed.bindings.filter(isBinding);
    const skipped = parsed.bindings.length - bindings.length;
    if (skipped > 0) {
      this.onError(this.error('SWY_ERR_SIP_JOURNAL_READ', `${skipped} malformed bindings in ${this.snapshotFile} were skipped.`, this.snapshotFile, 'load'));
    }
    return { existed: true, generation: parsed.generation, bindings };
  }

  private async readLog(): Promise<{ generation: number | undefined; changes: BindingChange[] }> {
    const raw = await readIfExists(this.logFile);
    if (raw === undefined) return { generation: undefined, changes: [] };
    const lines = raw.toString('utf8').split('\n');
    lines.pop(); // after the last newline: empty, or a line torn by a crash
    let generation: number | undefined;
    const changes: BindingChange[] = [];
    let skipped = 0;
    lines.forEach((line, index) => {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        skipped++;
        return;
      }
      if (index === 0 && isLogHeader(value)) generation = value.generation;
      else if (isBindingChange(value)) changes.push(value);
      else skipped++;
    });
    if (skipped > 0) {
      this.onError(this.error('SWY_ERR_SIP_JOURNAL_READ', `${skipped} unreadable lines in ${this.logFile} were skipped.`, this.logFile, 'load'));
    }
    return { generation, changes };
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

function isLogHeader(value: unknown): value is LogHeader {
  const v = value as Partial<LogHeader> | null;
  return typeof v === 'object' && v !== null && v.format === FORMAT && v.version === 1 && Number.isSafeInteger(v.generation);
}

/** Bindings serialised between two yields to the event loop while a snapshot is written. */
const SNAPSHOT_CHUNK = 2_000;

/**
 * `JSON.stringify({ ...head, bindings })`, built a chunk at a time with a
 * yield between chunks, so compacting 100,000 bindings never blocks the
 * node's event loop (SIP answers, heartbeats) for the whole serialisation.
 */
async function stringifySnapshot(head: Omit<SnapshotFile, 'bindings'>, bindings: readonly Binding[]): Promise<string> {
  const parts = [`${JSON.stringify(head).slice(0, -1)},"bindings":[`];
  for (let i = 0; i < bindings.length; i += SNAPSHOT_CHUNK) {
    parts.push((i === 0 ? '' : ',') + bindings.slice(i, i + SNAPSHOT_CHUNK).map((b) => JSON.stringify(b)).join(','));
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  parts.push(']}');
  return parts.join('');
}
