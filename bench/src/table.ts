import type { ScenarioResult } from './stats';

const fmt = (v: number | null) => (v === null ? '-' : Number.isInteger(v) ? String(v) : v.toFixed(1));

const targetCell = (r: ScenarioResult) => (r.skipped !== undefined ? 'skipped' : r.target ? `${r.target.text} ${r.target.met ? 'met' : 'MISSED'}` : '-');

/** The readable table `npm run bench` prints; a target column only when some scenario has a target. */
export function renderTable(results: readonly ScenarioResult[]): string {
  const withTargets = results.some((r) => r.target !== undefined || r.skipped !== undefined);
  const header = ['scenario', 'unit', 'runs', 'min', 'median', 'p99', 'max', ...(withTargets ? ['target'] : [])];
  const rows = results.map((r) => [
    r.name, r.unit, String(r.runs), fmt(r.min), fmt(r.median), fmt(r.p99), fmt(r.max),
    ...(withTargets ? [targetCell(r)] : []),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  // Words left-aligned, figures right-aligned.
  const left = (i: number) => i < 2 || header[i] === 'target';
  const line = (cells: string[]) => cells.map((c, i) => (left(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
  const notes = results.flatMap((r) => r.notes.map((n) => `  ${r.name}: ${n}`));
  return [...out, '', 'notes:', ...notes].join('\n');
}
