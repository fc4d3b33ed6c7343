import fs from 'node:fs';
import path from 'node:path';
import { coalescedRun, type CoalescedRun, type Clock, type TimerHandle } from '@switchyard/sdk';
import type { CredentialStore } from './credential-store';
import { digestAlgorithm, hexLength, type DigestAlgorithm } from './digest';
import { DigestAuthError } from './errors';
import { DigestEvent } from './events';

/** HA1 by `user`, `realm` and algorithm. */
export type Ha1Table = ReadonlyMap<string, string>;

const key = (user: string, realm: string, algorithm: DigestAlgorithm) => `${user}\u0000${realm}\u0000${algorithm}`;

/** Lines a reload parses per event-loop turn (a few ms of work), so a large file never blocks the loop for its whole size. */
export const LINES_PER_TURN = 2_000;

/** An HA1 of each algorithm's length, lower- or upper-case hex. */
const HA1_FORMS: Record<DigestAlgorithm, RegExp> = {
  MD5: new RegExp(`^[0-9a-fA-F]{${hexLength('MD5')}}$`),
  'SHA-256': new RegExp(`^[0-9a-fA-F]{${hexLength('SHA-256')}}$`),
};

/** Adds line `index` (0-based) of `file` to `table`, or throws SWY_ERR_DIGEST_CREDENTIALS_LINE. */
function addLine(table: Map<string, string>, raw: string, index: number, file: string): void {
  const line = raw.trim();
  if (line === '' || line.startsWith('#')) return;
  const where = `${file}:${index + 1}`;
  const fail = (why: string): never => {
    throw new DigestAuthError('SWY_ERR_DIGEST_CREDENTIALS_LINE', `${where}: ${why}; expected user:realm:algorithm:HA1 (MD5 or SHA-256), e.g. made with switchyard-digest-ha1`);
  };
  const fields = line.split(':');
  if (fields.length < 4) fail(`${fields.length} fields where 4 are needed`);
  const user = fields[0]!;
  const ha1 = fields[fields.length - 1]!;
  const algorithmName = fields[fields.length - 2]!;
  const realm = fields.slice(1, -2).join(':');
  if (user === '') fail('the user is empty');
  if (realm === '') fail('the realm is empty');
  const algorithm = digestAlgorithm(algorithmName);
  if (!algorithm) fail(`the algorithm is not MD5 or SHA-256`);
  if (!HA1_FORMS[algorithm!].test(ha1)) {
    fail(`the HA1 is not ${hexLength(algorithm!)} hex digits (a ${algorithm} hash; never put a password in this file)`);
  }
  const k = key(user, realm, algorithm!);
  if (table.has(k)) fail(`user ${user} has a second ${algorithm} line for realm ${realm}`);
  table.set(k, ha1.toLowerCase());
}

/**
 * Parses a credentials file: one `user:realm:algorithm:HA1` a line (the
 * realm may itself hold colons; the user may not), blank lines and
 * `#` comments ignored. Any malformed line fails the whole file with
 * `SWY_ERR_DIGEST_CREDENTIALS_LINE` naming file and line, so a half-edited
 * file never replaces a good one. Never echoes an HA1 in a message.
 */
export function parseCredentials(text: string, file: string): Ha1Table {
  const table = new Map<string, string>();
  text.split(/\r?\n/).forEach((raw, index) => addLine(table, raw, index, file));
  return table;
}

/**
 * {@link parseCredentials} a {@link LINES_PER_TURN} lines a turn, the
 * event loop running between them (`nextTurn`: a `setImmediate`), for a
 * reload on a running node.
 */
export async function parseCredentialsInTurns(text: string, file: string, nextTurn: () => Promise<void> = () => new Promise((resolve) => setImmediate(resolve))): Promise<Ha1Table> {
  const table = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    if (index > 0 && index % LINES_PER_TURN === 0) await nextTurn();
    addLine(table, lines[index]!, index, file);
  }
  return table;
}

const readError = (file: string, error: unknown) =>
  new DigestAuthError('SWY_ERR_DIGEST_CREDENTIALS_READ', `credentials file ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}); check the path and its permissions`, { cause: error });

/** Reads and parses `file`, with coded errors (`SWY_ERR_DIGEST_CREDENTIALS_READ` / `_LINE`). */
export function readCredentials(file: string): Ha1Table {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw readError(file, error);
  }
  return parseCredentials(text, file);
}

/** {@link readCredentials} off the event loop: the file read by libuv's pool, parsed in turns. */
export async function readCredentialsInTurns(file: string): Promise<Ha1Table> {
  let text: string;
  try {
    text = await fs.promises.readFile(file, 'utf8');
  } catch (error) {
    throw readError(file, error);
  }
  return parseCredentialsInTurns(text, file);
}

export interface CredentialsFileDeps {
  clock: Clock;
  emit(id: string, fields: Record<string, unknown>): void;
  /** Ms between two safety-net stats of the file. */
  reloadIntervalMs: number;
}

/**
 * The built-in {@link CredentialStore}: an HA1 file, loaded at start and
 * reloaded when it changes (`fs.watch` on its folder, so an atomic rename
 * is seen too; a periodic stat as the safety net). A reload reads the file
 * off the loop and parses it {@link LINES_PER_TURN} lines a turn, answering
 * from the previous table until the new one is whole (one reload at a
 * time; a change seen meanwhile is read once it ends). A file that no
 * longer reads or parses is reported (00-04272) and the previous table stays.
 */
export class CredentialsFile implements CredentialStore {
  private table: Ha1Table = new Map();
  private signature = '';
  private watcher: fs.FSWatcher | undefined;
  private timer: TimerHandle | undefined;
  private stopped = false;

  constructor(
    readonly file: string,
    private readonly deps: CredentialsFileDeps,
  ) {}

  get count(): number {
    return this.table.size;
  }

  lookup(user: string, realm: string, algorithm: DigestAlgorithm): string | undefined {
    return this.table.get(key(user, realm, algorithm));
  }

  /** First load: throws (coded) when the file cannot be used, so the node does not start without credentials. */
  start(): void {
    const signature = this.stat();
    this.table = readCredentials(this.file);
    this.signature = signature;
    this.loaded();
    try {
      this.watcher = fs.watch(path.dirname(this.file), { persistent: false }, (_event, name) => {
        if (name === null || name.toString() === path.basename(this.file)) void this.reload();
      });
      this.watcher.on('error', () => undefined); // the periodic stat still runs
    } catch {
      this.watcher = undefined; // e.g. inotify limits: the periodic stat still runs
    }
    this.timer = this.deps.clock.setInterval(() => void this.reload(), this.deps.reloadIntervalMs);
  }

  stop(): void {
    this.stopped = true;
    this.watcher?.close();
    this.watcher = undefined;
    this.timer?.cancel();
    this.timer = undefined;
  }

  /**
   * Reloads when the file changed since the last attempt; keeps the previous
   * table on any failure. One reload at a time: a call during one resolves
   * after one more check that follows it.
   */
  readonly reload: CoalescedRun = coalescedRun(
    () => this.reloadOnce(),
    () => !this.stopped,
  );

  private async reloadOnce(): Promise<void> {
    let signature: string;
    try {
      signature = this.stat();
    } catch (error) {
      if (this.signature !== 'missing') this.rejected(error);
      this.signature = 'missing';
      return;
    }
    if (signature === this.signature) return;
    this.signature = signature;
    let table: Ha1Table;
    try {
      table = await readCredentialsInTurns(this.file);
    } catch (error) {
      if (!this.stopped) this.rejected(error);
      return;
    }
    if (this.stopped) return;
    this.table = table;
    this.loaded();
  }

  private stat(): string {
    try {
      const s = fs.statSync(this.file);
      return `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}:${s.mode}`;
    } catch (error) {
      throw readError(this.file, error);
    }
  }

  private loaded(): void {
    this.deps.emit(DigestEvent.CredentialsLoaded, { file: this.file, count: this.table.size });
    try {
      const mode = fs.statSync(this.file).mode & 0o777;
      if ((mode & 0o077) !== 0) this.deps.emit(DigestEvent.CredentialsExposed, { file: this.file, mode: mode.toString(8).padStart(4, '0') });
    } catch {
      // gone again: the next reload reports it
    }
  }

  private rejected(error: unknown): void {
    const coded = error instanceof DigestAuthError ? error : undefined;
    this.deps.emit(DigestEvent.CredentialsRejected, {
      file: this.file,
      code: coded?.code ?? 'SWY_ERR_DIGEST_CREDENTIALS_READ',
      reason: coded?.message ?? String(error),
      kept: this.table.size,
    });
  }
}
