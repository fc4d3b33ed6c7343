import fs from 'node:fs';
import path from 'node:path';
import type { Clock, TimerHandle } from '@switchyard/sdk';
import type { CredentialStore } from './credential-store';
import { digestAlgorithm, hexLength, type DigestAlgorithm } from './digest';
import { DigestAuthError } from './errors';
import { DigestEvent } from './events';

/** HA1 by `user`, `realm` and algorithm. */
export type Ha1Table = ReadonlyMap<string, string>;

const key = (user: string, realm: string, algorithm: DigestAlgorithm) => `${user}\u0000${realm}\u0000${algorithm}`;

/**
 * Parses a credentials file: one `user:realm:algorithm:HA1` a line (the
 * realm may itself hold colons; the user may not), blank lines and
 * `#` comments ignored. Any malformed line fails the whole file with
 * `SWY_ERR_DIGEST_CREDENTIALS_LINE` naming file and line, so a half-edited
 * file never replaces a good one. Never echoes an HA1 in a message.
 */
export function parseCredentials(text: string, file: string): Ha1Table {
  const table = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
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
    if (!new RegExp(`^[0-9a-fA-F]{${hexLength(algorithm!)}}$`).test(ha1)) {
      fail(`the HA1 is not ${hexLength(algorithm!)} hex digits (a ${algorithm} hash; never put a password in this file)`);
    }
    const k = key(user, realm, algorithm!);
    if (table.has(k)) fail(`user ${user} has a second ${algorithm} line for realm ${realm}`);
    table.set(k, ha1.toLowerCase());
  });
  return table;
}

/** Reads and parses `file`, with coded errors (`SWY_ERR_DIGEST_CREDENTIALS_READ` / `_LINE`). */
export function readCredentials(file: string): Ha1Table {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new DigestAuthError('SWY_ERR_DIGEST_CREDENTIALS_READ', `credentials file ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}); check the path and its permissions`, { cause: error });
  }
  return parseCredentials(text, file);
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
 * is seen too; a periodic stat as the safety net). A file that no longer
 * reads or parses is reported (00-04272) and the previous table stays.
 */
export class CredentialsFile implements CredentialStore {
  private table: Ha1Table = new Map();
  private signature = '';
  private watcher: fs.FSWatcher | undefined;
  private timer: TimerHandle | undefined;

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
        if (name === null || name.toString() === path.basename(this.file)) this.reload();
      });
      this.watcher.on('error', () => undefined); // the periodic stat still runs
    } catch {
      this.watcher = undefined; // e.g. inotify limits: the periodic stat still runs
    }
    this.timer = this.deps.clock.setInterval(() => this.reload(), this.deps.reloadIntervalMs);
  }

  stop(): void {
    this.watcher?.close();
    this.watcher = undefined;
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** Reloads when the file changed since the last attempt; keeps the previous table on any failure. */
  reload(): void {
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
    try {
      this.table = readCredentials(this.file);
    } catch (error) {
      this.rejected(error);
      return;
    }
    this.loaded();
  }

  private stat(): string {
    try {
      const s = fs.statSync(this.file);
      return `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}:${s.mode}`;
    } catch (error) {
      throw new DigestAuthError('SWY_ERR_DIGEST_CREDENTIALS_READ', `credentials file ${this.file} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}); check the path and its permissions`, { cause: error });
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
