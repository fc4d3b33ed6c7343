import type { LogEventRecord } from '../events/catalogue';
import { CoreEvent } from '../events/core-events';
import type { NodeStatusView } from '../management/types';

export interface ConsoleViewOptions {
  /** Where to write; `process.stdout` in `switchyard up`. */
  out: NodeJS.WritableStream & { isTTY?: boolean };
  /** Print `info` events too (otherwise only notable ones and warnings/errors). */
  verbose?: boolean;
  color?: boolean;
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
 */
export class ConsoleView {
  private footer: string[] = [];
  private lastPrinted = new Map<string, string>();
  private readonly tty: boolean;
  private readonly color: boolean;

  constructor(private readonly options: ConsoleViewOptions) {
    this.tty = Boolean(options.out.isTTY);
    this.color = options.color ?? this.tty;
  }

  event(record: LogEventRecord): void {
    if (!this.options.verbose && record.level === 'info' && !NOTABLE.has(record.id)) return;
    if (record.level === 'debug') return;
    const time = new Date(record.time).toISOString().slice(11, 23);
    const level = this.paint(record.level, record.level.toUpperCase().padEnd(5));
    this.print(`${time} ${level} [${record.node} t${record.term}] ${record.id} ${record.message}`);
  }

  /** A line from a node process's own output (e.g. a crash trace). */
  raw(node: string, line: string): void {
    this.print(`${' '.repeat(12)} ${this.paint('debug', 'OUT  ')} [${node}] ${line}`);
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

  /** Leaves the footer on screen and stops redrawing it. */
  close(): void {
    this.footer = [];
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
