import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ManualClock } from '@switchyard/sdk';
import { NodeDisks } from '@switchyard/sdk/lab';
import { hasTool } from '@switchyard/sdk/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BindingJournal, ContactStore, type JournalError } from '../src/store';
import { binding } from './store-fixtures';

/**
 * The journal on a real full disk: a 1 MiB tmpfs of its own (the chaos
 * suite's node disk, from the SDK's lab), filled with a file. Mounting needs
 * root (CI runs as root).
 */
const canMount = process.getuid?.() === 0 && hasTool('mount') && hasTool('umount');
if (process.env.CI === 'true' && !canMount) throw new Error('CI runs the full-disk journal test as root');

let dir: string;
let disks: NodeDisks | undefined;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'swy-journal-full-'));
});
afterEach(async () => {
  await disks?.release();
  disks = undefined;
  await fs.rm(dir, { recursive: true, force: true });
});

describe.skipIf(!canMount)('BindingJournal on a full disk', () => {
  it('reports SWY_ERR_SIP_JOURNAL_WRITE, holds at most a compaction of lines while full, and once space is back a restart finds every binding', async () => {
    disks = new NodeDisks(1024 * 1024);
    await disks.mount('journal', dir);
    const clock = new ManualClock();
    const now = clock.now();
    const store = new ContactStore(clock);
    const errors: JournalError[] = [];
    const compactAfter = 200;
    const journal = new BindingJournal({ dir, clock, compactAfter, onError: (e) => errors.push(e) });
    await journal.load();
    journal.attach(store);
    store.upsert(binding(now, { aor: 'sip:u0@example.com', contact: 'sip:u0@h' }));
    await journal.flush();

    await disks.fill('journal');
    // Ten compactions' worth of changes while the disk is full, flushed as the timer would.
    for (let i = 1; i <= 10 * compactAfter; i++) {
      store.upsert(binding(now, { aor: `sip:u${i}@example.com`, contact: `sip:u${i}@h` }));
      if (i % 50 === 0) await journal.flush().catch(() => undefined);
      expect(journal.stats().pending, `lines held after ${i} changes`).toBeLessThanOrEqual(compactAfter);
    }
    const failed = await journal.flush().then(
      () => undefined,
      (e: unknown) => e as JournalError,
    );
    expect(failed?.code).toBe('SWY_ERR_SIP_JOURNAL_WRITE');
    expect((failed?.cause as NodeJS.ErrnoException | undefined)?.code).toBe('ENOSPC');

    await disks.free('journal');
    await journal.flush();
    await journal.close();
    const again = new BindingJournal({ dir, clock, compactAfter, onError: (e) => errors.push(e) });
    const loaded = await again.load();
    expect(loaded.map((b) => b.aor).sort()).toEqual(store.snapshot().map((b) => b.aor).sort());
    expect(loaded).toHaveLength(10 * compactAfter + 1);
    await again.close();
  });
});
