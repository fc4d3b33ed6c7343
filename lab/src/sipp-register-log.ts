import type { AckedRegistration } from './invariants';

/**
 * The lines the REGISTER load's SIPp scenario (scenarios/register-load.xml)
 * writes with its `<log>` actions, and what they add up to. Pure: the load
 * feeds it the lines as it reads them from SIPp's log file.
 */

/** One line of the scenario's log, read. */
export type RegisterLogRecord =
  | { kind: 'start'; call: number; user: string }
  /** A 200 OK: when it arrived (epoch ms) and the expiry it granted (s), if it said. */
  | { kind: '200'; call: number; user: string; at: number; expires: number | undefined }
  /** Another final answer; `status` undefined when the scenario did not list it. */
  | { kind: 'nack'; call: number; user: string; status: number | undefined }
  | { kind: 'timeout'; call: number; user: string };

const digits = (text: string | undefined): number | undefined => (text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined);

/**
 * SIPp 3.6's `[timestamp]`: `YYYY-MM-DD<TAB>HH:MM:SS.uuuuuu<TAB>SSSSSSSSSS.uuuuuu`
 * (local date and time, then seconds and microseconds since the epoch): the
 * epoch part, in ms.
 */
export function sippTimestampMs(text: string): number | undefined {
  const m = /(?:^|\s)(\d{9,})\.(\d{6})\s*$/.exec(text);
  return m ? Number(m[1]) * 1000 + Math.floor(Number(m[2]) / 1000) : undefined;
}

/** A log line of the scenario, or undefined for anything else (SIPp writes nothing else there, but a line may be cut short). */
export function parseRegisterLogLine(line: string): RegisterLogRecord | undefined {
  const [kind, callText, user, ...rest] = line.replace(/\r$/, '').split(';');
  const call = digits(callText);
  if (call === undefined || !user) return undefined;
  switch (kind) {
    case 'start':
      return rest.length === 0 ? { kind, call, user } : undefined;
    case 'timeout':
      return rest.length === 0 ? { kind, call, user } : undefined;
    case 'nack':
      return rest.length === 1 ? { kind, call, user, status: digits(rest[0]) } : undefined;
    case '200': {
      if (rest.length !== 3) return undefined;
      const at = sippTimestampMs(rest[2]!);
      if (at === undefined) return undefined;
      return { kind, call, user, at, expires: digits(rest[0]) ?? digits(rest[1]) };
    }
    default:
      return undefined;
  }
}

/** What the load's REGISTERs got, so far. */
export interface RegisterCounts {
  /** 200s (a refresh counts again). */
  acked: number;
  /** Final answers other than 200. */
  rejected: number;
  /** REGISTERs with no final answer in 4 s, and, once SIPp has exited, those it gave up on without one. */
  timedOut: number;
}

/**
 * Adds up the scenario's log records: the latest 200 of each user (a
 * refresh replaces the entry) and the counts. A 200 without an expiry
 * counts as granting `requestedExpires` (what the REGISTER asked for).
 */
export class RegisterTally {
  readonly acked = new Map<string, AckedRegistration>();
  readonly counts: RegisterCounts = { acked: 0, rejected: 0, timedOut: 0 };
  /** Calls started and not yet ended, by call number. */
  private readonly open = new Set<number>();

  constructor(private readonly requestedExpires: number) {}

  add(record: RegisterLogRecord): void {
    if (record.kind === 'start') {
      this.open.add(record.call);
      return;
    }
    // A final line for a call whose start line was not seen (it cannot happen with the scenario) still counts.
    this.open.delete(record.call);
    if (record.kind === '200') {
      this.counts.acked++;
      this.acked.set(record.user, { user: record.user, at: record.at, expires: record.expires ?? this.requestedExpires });
    } else if (record.kind === 'nack') this.counts.rejected++;
    else this.counts.timedOut++;
  }

  /** Reads one log line; returns false for a line that is not the scenario's. */
  addLine(line: string): boolean {
    const record = parseRegisterLogLine(line);
    if (record) this.add(record);
    return record !== undefined;
  }

  /** Calls that started and have no final line yet. */
  get unfinished(): number {
    return this.open.size;
  }

  /** Once SIPp has exited: a call it started and never ended got no answer; counts it as timed out. */
  closeUnfinished(): void {
    this.counts.timedOut += this.open.size;
    this.open.clear();
  }
}
