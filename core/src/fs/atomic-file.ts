import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

export interface AtomicWriteOptions {
  /** Mode of the file, set exactly (the umask neither narrows nor widens it). Default 0600. */
  mode?: number;
}

/**
 * Replaces `file` with `data` so that a crash leaves the old content or the
 * new one, never half of one: a temp file beside it (created exclusively,
 * so never written through a file or link planted at that name), fsync,
 * exact mode, rename over the old file, fsync of the folder. The folder
 * must exist. On failure the temp file is removed and the error rethrown.
 * `data` may come in chunks (an async iterable, each chunk written as it
 * comes), so a large file never has to be one string in memory, nor be
 * encoded in one turn of the event loop.
 */
export async function writeFileAtomic(file: string, data: string | AsyncIterable<string>, options: AtomicWriteOptions = {}): Promise<void> {
  const mode = options.mode ?? 0o600;
  const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const handle = await fs.open(temp, 'wx', mode);
    try {
      if (typeof data === 'string') await handle.writeFile(data, 'utf8');
      // Each writeFile on the handle writes on from where the last one ended.
      else for await (const chunk of data) await handle.writeFile(chunk, 'utf8');
      await handle.chmod(mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
  await syncDirectory(path.dirname(file));
}

/** Makes a rename or a file creation in `dir` durable (where the platform can fsync a folder). */
export async function syncDirectory(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Some platforms and file systems cannot fsync a directory; the data file is synced anyway.
    if (!['EISDIR', 'EINVAL', 'EPERM', 'EBADF'].includes(code ?? '')) throw error;
  } finally {
    await handle?.close();
  }
}
