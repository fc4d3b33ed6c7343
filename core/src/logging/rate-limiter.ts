import type { Clock, TimerHandle } from '../clock';
import type { LogEventRecord, LogLevel } from '../events/catalogue';

/** `logging.rateLimit`: the first `burst` lines per key pass in each `interval` (seconds). */
export interface LogRateLimit {
  burst: number;
  interval: number;
}

/** What a summary line reports: how many lines of one key were held back in one interval. */
export interface SuppressedLines {
  /** The event id that repeated. */
  event: string;
  /** The node the events came from. */
  node: string;
  /** The key fields' values (`peer=sip-b`), or '' when the event has none. */
  subject: string;
  /** The most severe level among the held-back lines. */
  level: LogLevel;
  suppressed: number;
  /** Seconds of the interval. */
  interval: number;
}

/**
 * Fields that tell repeats of one event apart: they name a configured
 * thing (the peer node, a plugin, an alarm, …), of which there are few.
 * Addresses and ports a remote party chooses (`remote`, `address`) are
 * deliberately not keys: a flood from many sources is still one flood.
 */
export const RATE_KEY_FIELDS: readonly string[] = Object.freeze([
  'peer',
  'plugin',
  'hook',
  'monitor',
  'alarm',
  'reaction',
  'channel',
  'interface',
  'vip',
]);

/** Keys tracked at once; past it, new keys share one key per event id and node, so the map stays bounded. */
export const MAX_RATE_KEYS = 1024;

interface Window {
  start: number;
  passed: number;
  suppressed: number;
  timer?: TimerHandle;
  summary: Omit<SuppressedLines, 'suppressed'>;
}

/**
 * Rate limit of log lines, per event id, node and key fields: in each
 * interval the first `burst` lines of a key pass; the rest are counted,
 * and when the interval ends one summary reports how many were held back
 * (`onSummary`). Time comes from the injected clock. Only what is written
 * to logs and consoles is limited: alarms and hooks still see every event.
 */
export class LogRateLimiter {
  private readonly windows = new Map<string, Window>();
  private readonly intervalMs: number;

  constructor(
    private readonly options: {
      limit: LogRateLimit;
      clock: Clock;
      onSummary(lines: SuppressedLines): void;
    },
  ) {
    this.intervalMs = options.limit.interval * 1000;
  }

  /** True when the record's line should be written now. */
  admit(record: Pick<LogEventRecord, 'id' | 'node' | 'level' | 'fields'>): boolean {
    const now = this.options.clock.monotonic();
    const subject = subjectOf(record.fields);
    let key = `${record.id}\u0000${record.node}\u0000${subject}`;
    let window = this.windows.get(key);
    if (window === undefined && this.windows.size >= MAX_RATE_KEYS) {
      this.prune(now);
      if (this.windows.size >= MAX_RATE_KEYS) {
        key = `${record.id}\u0000${record.node}\u0000*`;
        window = this.windows.get(key);
      }
    }
    if (window !== undefined && now - window.start >= this.intervalMs) {
      // Its timer is due (or the clock jumped): report before starting anew.
      this.report(key);
      window = undefined;
    }
    if (window === undefined) {
      this.windows.set(key, {
        start: now,
        passed: 1,
        suppressed: 0,
        summary: { event: record.id, node: record.node, subject: key.endsWith('*') ? '*' : subject, level: record.level, interval: this.options.limit.interval },
      });
      return true;
    }
    if (window.passed < this.options.limit.burst) {
      window.passed++;
      return true;
    }
    window.suppressed++;
    if (moreSevere(record.level, window.summary.level)) window.summary.level = record.level;
    window.timer ??= this.options.clock.setTimeout(() => this.report(key), window.start + this.intervalMs - now);
    return false;
  }

  /** Reports every pending count now and forgets all windows (the log is closing). */
  flush(): void {
    for (const key of [...this.windows.keys()]) this.report(key);
  }

  private report(key: string): void {
    const window = this.windows.get(key);
    if (window === undefined) return;
    this.windows.delete(key);
    window.timer?.cancel();
    if (window.suppressed > 0) this.options.onSummary({ ...window.summary, suppressed: window.suppressed });
  }

  /** Drops windows whose interval is over and that held nothing back. */
  private prune(now: number): void {
    for (const [key, window] of this.windows) {
      if (window.suppressed === 0 && now - window.start >= this.intervalMs) this.windows.delete(key);
    }
  }
}

function subjectOf(fields: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const name of RATE_KEY_FIELDS) {
    const value = fields[name];
    // Bounded: a key field's value may come from a peer.
    if (value !== undefined && value !== null && typeof value !== 'object') parts.push(`${name}=${String(value).slice(0, 64)}`);
  }
  return parts.join(' ');
}

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

function moreSevere(a: LogLevel, b: LogLevel): boolean {
  return RANK[a] > RANK[b];
}
