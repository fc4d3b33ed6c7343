import fs from 'node:fs';
import path from 'node:path';
import { runCommand } from './exec';
import { LabError } from './errors';
import { requireTool } from './tools';

/** The file {@link NodeDisks.fill} writes to take a disk's last byte. */
export const FILLER_FILE = '.lab-filler';

/**
 * A small disk of its own (a tmpfs) for each node's data folder, so a test
 * can fill one to its last byte: the bindings journal then meets ENOSPC as
 * on a real full disk, and nothing else on the machine does. Mounted before
 * the node starts; unmounted (after its processes are gone) by `release()`.
 */
export class NodeDisks {
  private readonly mounted = new Map<string, string>();

  constructor(private readonly bytes: number) {
    if (!Number.isInteger(bytes) || bytes < 64 * 1024) throw new LabError('SWY_ERR_LAB_BAD_ARGUMENT', `a node disk takes at least 65536 bytes, not ${bytes}`);
  }

  /** Mounts a disk of `bytes` at `dir` (created, mode 0700) for `node`. */
  async mount(node: string, dir: string): Promise<void> {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const r = await runCommand(requireTool('mount'), ['-t', 'tmpfs', '-o', `size=${this.bytes},mode=0700`, 'tmpfs', dir]);
    if (r.code !== 0) throw new LabError('SWY_ERR_LAB_COMMAND_FAILED', `mount -t tmpfs at ${dir} failed (${r.code}): ${r.stderr.trim()}`);
    this.mounted.set(node, dir);
  }

  /** The data folder of `node`'s disk. */
  dirOf(node: string): string {
    const dir = this.mounted.get(node);
    if (dir === undefined) throw new LabError('SWY_ERR_LAB_BAD_ARGUMENT', `${node} has no disk of its own (nodes with one: ${[...this.mounted.keys()].join(', ') || 'none'})`);
    return dir;
  }

  /** What the node keeps on its disk (file names, without the filler): empty means the disk is not where the node writes. */
  contentsOf(node: string): string[] {
    return fs.readdirSync(this.dirOf(node)).filter((name) => name !== FILLER_FILE);
  }

  /** Fills `node`'s disk to its last block with one file; returns the bytes written. `free()` removes it. */
  async fill(node: string): Promise<number> {
    const file = path.join(this.dirOf(node), FILLER_FILE);
    const handle = await fs.promises.open(file, 'a', 0o600);
    let written = 0;
    try {
      for (const size of [1024 * 1024, 4096, 1]) {
        const chunk = Buffer.alloc(size);
        try {
          for (;;) written += (await handle.write(chunk)).bytesWritten;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
        }
      }
    } finally {
      await handle.close();
    }
    return written;
  }

  /** Removes what {@link fill} wrote: the disk has its space back. */
  async free(node: string): Promise<void> {
    await fs.promises.rm(path.join(this.dirOf(node), FILLER_FILE), { force: true });
  }

  /**
   * Unmounts every disk. A process that is still exiting may hold a file
   * there for a moment ("target is busy"): tried again for up to
   * `busyMs`, then detached lazily (`umount -l`: gone from the tree at
   * once, freed when the last file closes). Throws only if that fails too.
   */
  async release(busyMs = 3_000): Promise<void> {
    let first: unknown;
    for (const [node, dir] of [...this.mounted]) {
      const until = Date.now() + busyMs;
      let r = await runCommand(requireTool('umount'), [dir]);
      while (r.code !== 0 && Date.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        r = await runCommand(requireTool('umount'), [dir]);
      }
      if (r.code !== 0) r = await runCommand(requireTool('umount'), ['-l', dir]);
      if (r.code === 0) this.mounted.delete(node);
      else first ??= new LabError('SWY_ERR_LAB_COMMAND_FAILED', `umount ${dir} failed (${r.code}): ${r.stderr.trim()}`);
    }
    if (first !== undefined) throw first;
  }
}
