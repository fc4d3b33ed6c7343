import fs from 'node:fs';
import { Writable } from 'node:stream';

export interface RotatingFileOptions {
  /** Size in bytes past which the file is rotated (a line is never split). */
  maxBytes: number;
  /** Files kept, the current one included: `<file>`, `<file>.1` … `<file>.<maxFiles−1>`; the oldest is deleted. */
  maxFiles: number;
  /** Mode of the files it creates (less the umask). */
  mode: number;
}

/**
 * An append-only log file rotated by size, logrotate's way: `<file>` is
 * always the current one, `<file>.1` the one before, and so on; at most
 * `maxFiles` files exist. Writes and rotations are synchronous, so a burst
 * of lines never races a rotation (winston's File transport lost whole
 * files to that here) and nothing is pending when the process exits.
 * A failed write (disk full) drops the line and says so once on stderr:
 * logging never stops a node.
 */
export class RotatingFileStream extends Writable {
  private fd: number;
  private size: number;
  private lastError: string | undefined;

  constructor(
    readonly file: string,
    private readonly options: RotatingFileOptions,
  ) {
    super({ decodeStrings: true });
    this.fd = -1;
    this.size = 0;
    this.reopen();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    try {
      if (this.fd < 0) this.reopen();
      if (this.size > 0 && this.size + chunk.length > this.options.maxBytes) this.rotate();
      fs.writeSync(this.fd, chunk);
      this.size += chunk.length;
      this.lastError = undefined;
    } catch (error) {
      this.report(error);
    }
    callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
    callback();
  }

  private rotate(): void {
    fs.closeSync(this.fd);
    // Until a file is open again, the next write retries (a failed rename or open is reported, not fatal).
    this.fd = -1;
    const { maxFiles } = this.options;
    fs.rmSync(maxFiles > 1 ? `${this.file}.${maxFiles - 1}` : this.file, { force: true });
    for (let i = maxFiles - 2; i >= 1; i--) renameIfPresent(`${this.file}.${i}`, `${this.file}.${i + 1}`);
    if (maxFiles > 1) renameIfPresent(this.file, `${this.file}.1`);
    this.reopen();
  }

  private reopen(): void {
    this.fd = fs.openSync(this.file, 'a', this.options.mode);
    this.size = fs.fstatSync(this.fd).size;
  }

  private report(error: unknown): void {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    if (code === this.lastError) return;
    this.lastError = code;
    process.stderr.write(`switchyard: cannot write the log file ${this.file} (${code}); lines are dropped until it works again\n`);
  }
}

function renameIfPresent(from: string, to: string): void {
  try {
    fs.renameSync(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
