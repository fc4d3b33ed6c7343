import { isSameProcess } from './proc';
import { listRecords } from './registry';
import { teardownLab, type TeardownReport } from './teardown';

export interface SweepOptions {
  /** Remove every registered lab, also those whose owner is alive and detached ones (`switchyard-lab up`). */
  all?: boolean;
  /** Told what each removal removed. */
  log?: (line: string) => void;
}

/** Whether a lab's owner is gone (a detached lab has no owner and is never "dead"). */
function ownerIsDead(owner: { pid: number; startTime: string } | null): boolean {
  return owner !== null && !isSameProcess(owner.pid, owner.startTime);
}

function describeTeardown(report: TeardownReport): string {
  const parts = [
    report.killed.length > 0 ? `killed ${report.killed.join(', ')}` : '',
    report.namespaces.length > 0 ? `deleted namespaces ${report.namespaces.join(', ')}` : '',
    report.dir !== undefined ? `removed ${report.dir}` : '',
  ].filter((p) => p !== '');
  return `lab ${report.prefix}: ${parts.length > 0 ? parts.join('; ') : 'nothing left but its registry entry'}`;
}

/**
 * Removes every registered lab whose owning process has died (a test
 * worker that was killed, a crashed script), or every lab with
 * `{ all: true }`. Resolves with the prefixes of the labs it removed.
 * `Lab.create()` runs it first, so leftovers never pile up.
 */
export async function sweepLabs(options: SweepOptions = {}): Promise<string[]> {
  const removed: string[] = [];
  for (const record of listRecords()) {
    if (!options.all && !ownerIsDead(record.owner)) continue;
    const report = await teardownLab(record);
    options.log?.(describeTeardown(report));
    removed.push(record.prefix);
  }
  return removed;
}

export { describeTeardown };
