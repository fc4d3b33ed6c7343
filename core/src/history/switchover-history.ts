/**
 * The record of past switchovers: when, term, from and to, why, who asked,
 * and the client-visible gap (from the arbiter's decision until the new
 * primary reported `running` as primary) where the agent saw it. Persisted
 * in `<stateDir>/history.json` (rewritten atomically; it is small) and
 * bounded to the newest {@link DEFAULT_HISTORY_SIZE} entries.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Clock } from '../clock';
import { writeFileAtomic } from '../fs/atomic-file';
import type { SWITCHOVER_CAUSES } from '../metrics/definitions';

export const HISTORY_FILE_NAME = 'history.json';
export const DEFAULT_HISTORY_SIZE = 500;

/** Who set the switchover in motion. */
export type SwitchoverActor = 'arbiter' | 'monitor' | 'operator';

/** The `reason` label of `switchyard_switchovers_total`. */
export type SwitchoverCause = (typeof SWITCHOVER_CAUSES)[number];

export interface SwitchoverEntry {
  /** Epoch ms of the arbiter's decision. */
  at: number;
  term: number;
  /** The primary before (`none` when there was none). */
  from: string;
  to: string;
  reason: string;
  by: SwitchoverActor;
  /** Who exactly: the operator's channel (`management-api`), the node and plugin that asked (`sip-a/sip`), or `arbiter`. */
  requester: string;
  cause: SwitchoverCause;
  /** Milliseconds without a running primary, once the new primary reported `running`; null while unknown. */
  gapMs: number | null;
}

/** Sorts a switchover into who asked and why, from the arbiter's reason text (see the embedded arbiter). */
export function classifySwitchover(reason: string): Pick<SwitchoverEntry, 'by' | 'requester' | 'cause'> {
  const manual = /^manual switchover by ([^:]+):/.exec(reason);
  if (manual) return { by: 'operator', requester: manual[1]!, cause: 'operator' };
  const requested = /^requested by ([^:]+):/.exec(reason);
  if (requested) return { by: 'monitor', requester: requested[1]!, cause: 'node_request' };
  if (/ exited \(/.test(reason) || /lost|lease/.test(reason)) return { by: 'arbiter', requester: 'arbiter', cause: 'node_exited' };
  if (/unavailable/.test(reason)) return { by: 'monitor', requester: 'arbiter', cause: 'unavailable' };
  return { by: 'arbiter', requester: 'arbiter', cause: 'other' };
}

export class SwitchoverHistory {
  private entries: SwitchoverEntry[] = [];
  private readonly file: string;
  private writing: Promise<void> = Promise.resolve();
  private readonly counts = new Map<SwitchoverCause, number>();

  constructor(
    dir: string,
    private readonly clock: Clock,
    private readonly limit = DEFAULT_HISTORY_SIZE,
  ) {
    this.file = path.join(dir, HISTORY_FILE_NAME);
  }

  /** Reads the saved history; a missing or unreadable file starts empty (the history is a record, not state). */
  async load(): Promise<void> {
    try {
      const parsed = JSON.parse(await fs.readFile(this.file, 'utf8')) as { entries?: unknown };
      if (Array.isArray(parsed.entries)) this.entries = (parsed.entries as SwitchoverEntry[]).filter(isEntry).slice(-this.limit);
    } catch {
      this.entries = [];
    }
  }

  /** Records a switchover the arbiter decided now. */
  record(change: { from: string; to: string; term: number; reason: string }): SwitchoverEntry {
    const entry: SwitchoverEntry = { at: this.clock.now(), ...change, ...classifySwitchover(change.reason), gapMs: null };
    this.entries.push(entry);
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
    this.counts.set(entry.cause, (this.counts.get(entry.cause) ?? 0) + 1);
    this.save();
    return entry;
  }

  /** The new primary `node` reported `running` as primary in `term`: closes the gap of that switchover (true when it did). */
  primaryRunning(node: string, term: number): boolean {
    const entry = this.entries.at(-1);
    if (!entry || entry.to !== node || entry.term !== term || entry.gapMs !== null) return false;
    entry.gapMs = Math.max(0, this.clock.now() - entry.at);
    this.save();
    return true;
  }

  /** The newest first. */
  list(): SwitchoverEntry[] {
    return this.entries.map((e) => ({ ...e })).reverse();
  }

  /** Switchovers recorded since this process started, by cause. */
  countsByCause(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  lastAt(): number | null {
    return this.entries.at(-1)?.at ?? null;
  }

  /** Resolves once every change so far is on disk. */
  flush(): Promise<void> {
    return this.writing;
  }

  private save(): void {
    const text = `${JSON.stringify({ version: 1, entries: this.entries }, null, 1)}\n`;
    // One write at a time, in order; a failed write is retried by the next change.
    this.writing = this.writing.then(() => writeFileAtomic(this.file, text, { mode: 0o600 })).catch(() => undefined);
  }
}

function isEntry(value: unknown): value is SwitchoverEntry {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Record<string, unknown>;
  return typeof e['at'] === 'number' && typeof e['term'] === 'number' && typeof e['from'] === 'string' && typeof e['to'] === 'string';
}
