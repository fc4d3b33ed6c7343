import type { SwitchoverEntry } from './switchover-history';

/** `switchyard history`: one line a switchover, the newest first (times in UTC). */
export function renderHistoryTable(entries: readonly SwitchoverEntry[]): string {
  if (entries.length === 0) return 'no switchover recorded';
  const rows = [
    ['TIME', 'TERM', 'FROM', 'TO', 'BY', 'GAP', 'REASON'],
    ...entries.map((e) => [
      new Date(e.at).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
      String(e.term),
      e.from,
      e.to,
      e.by === 'arbiter' ? 'arbiter' : `${e.by} (${e.requester})`,
      e.gapMs === null ? '-' : `${e.gapMs}ms`,
      e.reason,
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n');
}
