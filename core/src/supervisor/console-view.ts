import { SystemClock, type Clock } from '../clock';
import type { LogEventRecord } from '../events/catalogue';
import { CoreEvent } from '../events/core-events';
import { escapeControlText } from '../logging/control-text';
import { LOG_SUPPRESSED_EVENT, suppressedMessage } from '../logging/log-events';
import { LogRateLimiter, type LogRateLimit, type SuppressedLines } from '../logging/rate-limiter';
import { DEFAULT_LOG_OUTPUT } from '../logging/winston-logger';
import type { NodeStatusView } from '../management/types';

export interface ConsoleViewOptions {
  /** Where to write; `process.stdout` in `switchyard up`. */
  out: NodeJS.WritableStream & { isTTY?: boolean };
  /** Print `info` events too (otherwise only notable ones and warnings/errors). */
  verbose?: boolean;
  color?: boolean;
  /** Repeats of one event beyond `burst` per `interval` become one summary line (`logging.rateLimit`; default 20 per 60 s). */
  rateLimit?: LogRateLimit;
  /** Times the rate limit and stamps its summary lines; default the system clock. */
  clock?: Clock;
}

/** Events worth a line on the operator's console at `info` level (alarms: raised and cleared, whatever the severity). */
const NOTABLE = new Set<string>([
  CoreEvent.RoleChanged,
  CoreEvent.Switchover,
  CoreEvent.RolesAssigned,
  CoreEvent.HaLinkUp,
  CoreEvent.HaLinkDown,
  CoreEvent.ProcessSpawned,
  CoreEvent.ProcessStopped,
  CoreEvent.ManagementListening,
  CoreEvent.SupervisorStarted,
  CoreEvent.SupervisorStopping,
  CoreEvent.AlarmRaisedError, CoreEvent.AlarmRaisedWarn, CoreEvent.AlarmRaisedInfo, CoreEvent.AlarmCleared,
]);

const COLORS: Record<string, string> = { error: '\x1b[31m', warn: '\x1b[33m', info: '\x1b[36m', debug: '\x1b[90m' };
const RESET = '\x1b[0m';

/**
 * What `switchyard up` shows: one line per notable event, and a live status
 * line per node. On a TTY the status lines stay at the bottom and are
 * redrawn in place; elsewhere a line is printed whenever a node's role,
 * status, pid or term changes.
 *
 * What it prints from events and from a node's output may hold text from
 * a peer: control characters are shown escaped (`\x1b[2J`), so they can
 * neither drive the terminal nor forge a line; and a flood of one event is
 * cut to its first lines and one 01-10080 summary per interval.
 */
export class ConsoleView {
  private footer: string[] = [];
  private lastPrinted = new Map<string, string>();
  private readonly tty: boolean;
  private readonly color: boolean;
  private readonly clock: Clock;
  private readonly limiter: LogRateLimiter;

  constructor(private readonly options: ConsoleViewOptions) {
    this.tty = Boolean(options.out.isTTY);
    this.color = options.color ?? this.tty;
    this.clock = options.clock ?? new SystemClock();
    this.limiter = new LogRateLimiter({
      limit: options.rateLimit ?? DEFAULT_LOG_OUTPUT.rateLimit,
      clock: this.clock,
      onSummary: (lines) => this.summary(lines),
    });
  }

  event(record: LogEventRecord): void {
    if (!this.options.verbose && record.level === 'info' && !NOTABLE.has(record.id) && record.notable !== true) return;
    if (record.level === 'debug') return;
    if (!this.limiter.admit(record)) return;
    this.line(record.time, record.level, `${record.node} t${record.term}`, record.id, record.message);
  }

  /** A line from a node process's own output (e.g. a crash trace). */
  raw(node: string, line: string): void {
    this.print(`${' '.repeat(12)} ${this.paint('debug', 'OUT  ')} [${escapeControlText(node)}] ${escapeControlText(line)}`);
  }

  nodes(views: readonly NodeStatusView[]): void {
    const lines = views.map((v) => renderNodeLine(v));
    if (this.tty) {
      if (lines.join('\n') === this.footer.join('\n')) return;
      this.clearFooter();
      this.footer = lines;
      this.drawFooter();
      return;
    }
    // Without a TTY, print a line only when role, status, pid, term or restarts change.
    for (const v of views) {
      const line = renderNodeLine({ ...v, lastHeartbeat: null }, false);
      if (this.lastPrinted.get(v.id) === line) continue;
      this.lastPrinted.set(v.id, line);
      this.options.out.write(`status ${line}\n`);
    }
  }

  /** Prints the pending rate-limit counts, leaves the footer on screen and stops redrawing it. */
  close(): void {
    this.limiter.flush();
    this.footer = [];
  }

  private summary(lines: SuppressedLines): void {
    this.line(this.clock.now(), lines.level === 'error' ? 'error' : LOG_SUPPRESSED_EVENT.level, lines.node, LOG_SUPPRESSED_EVENT.id, suppressedMessage(lines));
  }

  private line(time: number, level: string, where: string, id: string, message: string): void {
    const stamp = new Date(time).toISOString().slice(11, 23);
    const painted = this.paint(level, level.toUpperCase().padEnd(5));
    this.print(`${stamp} ${painted} [${escapeControlText(where)}] ${escapeControlText(id)} ${escapeControlText(message)}`);
  }

  private print(line: string): void {
    if (this.tty) this.clearFooter();
    this.options.out.write(`${line}\n`);
    if (this.tty) this.drawFooter();
  }

  private clearFooter(): void {
    if (this.footer.length > 0) this.options.out.write(`\x1b[${this.footer.length}F\x1b[J`);
  }

  private drawFooter(): void {
    for (const line of this.footer) this.options.out.write(`${this.paint('info', '●')} ${line}\n`);
  }

  private paint(level: string, text: string): string {
    return this.color ? `${COLORS[level] ?? ''}${text}${RESET}` : text;
  }
}

export function renderNodeLine(v: NodeStatusView, withHeartbeat = true): string {
  const hb = v.lastHeartbeat === null ? '-' : `${v.lastHeartbeat.toFixed(1)}s`;
  return [
    v.id.padEnd(10),
    (v.role ?? '-').padEnd(8),
    String(v.status).padEnd(12),
    `pid ${v.pid ?? '-'}`.padEnd(11),
    `term ${v.term}`.padEnd(8),
    ...(withHeartbeat ? [`hb ${hb}`.padEnd(8)] : []),
    `restarts ${v.restarts}`,
  ].join(' ');
}
