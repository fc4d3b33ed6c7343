/**
 * `switchyard alarms list` for people: an aligned plain-text table of the
 * active alarms (and, with `cleared`, of the recently cleared ones).
 */
import type { Alarm } from '../engine/types';
import type { AlarmListView } from './types';

const ACTIVE_COLUMNS = ['ID', 'SEVERITY', 'NODE', 'COUNT', 'FIRST', 'LAST', 'EVENT', 'MESSAGE'] as const;
const CLEARED_COLUMNS = ['ID', 'SEVERITY', 'NODE', 'COUNT', 'FIRST', 'CLEARED', 'BY', 'EVENT', 'MESSAGE'] as const;
const GAP = '  ';

/**
 * Renders e.g.
 * ```text
 * ID                         SEVERITY  NODE   COUNT  FIRST                 LAST                  EVENT     MESSAGE
 * sip-listener-down@sip-a    critical  sip-a  3      2025-01-01 12:00:03Z  2025-01-01 12:00:13Z  00-04200  Cannot open SIP …
 * ```
 * or `no active alarms`. Times are UTC.
 */
export function renderAlarmTable(view: AlarmListView, options: { cleared?: boolean } = {}): string {
  const parts = [
    view.active.length === 0 ? 'no active alarms' : table(ACTIVE_COLUMNS, view.active.map(activeRow)),
  ];
  if (options.cleared) {
    parts.push(
      view.cleared.length === 0 ? 'no recently cleared alarms' : `recently cleared:\n${table(CLEARED_COLUMNS, view.cleared.map(clearedRow))}`,
    );
  }
  return parts.join('\n\n');
}

function table(columns: readonly string[], rows: string[][]): string {
  const all = [[...columns], ...rows];
  const widths = columns.map((_, column) => Math.max(...all.map((row) => row[column]!.length)));
  return all.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join(GAP).trimEnd()).join('\n');
}

function activeRow(alarm: Alarm): string[] {
  return [alarm.id, alarm.severity, alarm.node, String(alarm.count), time(alarm.firstSeen), time(alarm.lastSeen), alarm.eventId, oneLine(alarm.message)];
}

function clearedRow(alarm: Alarm): string[] {
  const by = alarm.clearReason === 'operator' ? (alarm.clearedBy ?? '-') : `${alarm.clearReason ?? '-'} ${alarm.clearedBy ?? ''}`.trim();
  return [
    alarm.id,
    alarm.severity,
    alarm.node,
    String(alarm.count),
    time(alarm.firstSeen),
    alarm.clearedAt === undefined ? '-' : time(alarm.clearedAt),
    alarm.clearReason === 'clearAfter' ? 'clearAfter' : by,
    alarm.eventId,
    oneLine(alarm.message),
  ];
}

/** `2025-01-01 12:00:03Z`. */
export function time(epochMs: number): string {
  return new Date(epochMs).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ');
}
