import type { ScenarioResult } from './stats';

const fmt = (v: number | null) => (v === null ? '-' : Number.isInteger(v) ? String(v) : v.toFixed(1));

/** The readable table `npm run bench` prints. */
export function renderTable(results: readonly ScenarioResult[]): string {
  const header = ['scenario', 'unit', 'runs', 'min', 'median', 'p99', 'max'];
  const rows = results.map((r) => [r.name, r.unit, String(r.runs), fmt(r.min), fmt(r.median), fmt(r.p99), fmt(r.max)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
  const notes = results.flatMap((r) => r.notes.map((n) => `  ${r.name}: ${n}`));
  return [...out, '', 'notes:', ...notes].join('\n');
}
