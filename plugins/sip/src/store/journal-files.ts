import { promises as fs } from 'node:fs';

/**
 * File primitives of the bindings journal: reading a file that may be
 * missing, cutting a log back to its last complete line, and keeping the
 * journal private. (Crash-safe replacement of a file is core's `writeFileAtomic`.)
 */

/** The journal folder: only the node's user may list or enter it. */
export const JOURNAL_DIR_MODE = 0o700;
/** Journal files: bindings name every user's contact and source address; only the node's user may read them. */
export const JOURNAL_FILE_MODE = 0o600;

/**
 * Makes `target` (a path or an open file) private to the user running this
 * process: takes group and other permissions away when it has any (a folder
 * or file made by an older version, or under a loose umask). Returns the
 * owner's uid, changing nothing, when another user owns it.
 */
export async function makePrivate(target: string | fs.FileHandle, mode: number): Promise<number | undefined> {
  const stat = typeof target === 'string' ? await fs.stat(target) : await target.stat();
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== uid) return stat.uid;
  if ((stat.mode & 0o777) === mode) return undefined;
  if (typeof target === 'string') await fs.chmod(target, mode);
  else await target.chmod(mode);
  return undefined;
}

/**
 * Cuts an append-only log opened on `handle` (flags `a+`) back to its last newline, so
 * that a line torn by a crash (or a failed write) is not glued to the next
 * append. Returns the resulting size.
 */
export async function truncateTornTail(handle: fs.FileHandle): Promise<number> {
  const { size } = await handle.stat();
  const chunk = Buffer.allocUnsafe(64 * 1024);
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - chunk.length);
    const { bytesRead } = await handle.read(chunk, 0, end - start, start);
    const newline = chunk.subarray(0, bytesRead).lastIndexOf(0x0a);
    if (newline >= 0) {
      const keep = start + newline + 1;
      if (keep < size) await handle.truncate(keep);
      return keep;
    }
    end = start;
  }
  if (size > 0) await handle.truncate(0);
  return 0;
}

/** Reads `file`, or `undefined` when it does not exist. */
export async function readIfExists(file: string): Promise<Buffer | undefined> {
  try {
    return await fs.readFile(file);
  } catch (error) {
    if (isCode(error, 'ENOENT')) return undefined;
    throw error;
  }
}

export function isCode(error: unknown, ...codes: string[]): boolean {
  return typeof error === 'object' && error !== null && codes.includes((error as { code?: string }).code ?? '');
}
