import type { ScenarioResult } from './stats';

const fmt = (v: number | null) => (v === null ? '-' : Number.isInteger(v) ? String(v) : v.toFixed(1));

const targetCell = (r: ScenarioResult) => (r.skipped !== undefined ? 'skipped' : r.target ? `${r.target.text} ${r.target.met ? 'met' : 'MISSED'}` : '-');

/** A row's reference figure and its ratio, or why there is none. */
export function comparison(r: ScenarioResult, results: readonly ScenarioResult[]): { reference: string; ratio: string; why?: string } {
  if (!r.reference) return { reference: '', ratio: '' };
  const ref = results.find((x) => x.name === r.reference);
  if (!ref) return { reference: '-', ratio: '-', why: `${r.reference} did not run (add the reference scenario to --only)` };
  if (ref.skipped !== undefined) return { reference: '-', ratio: '-', why: `${r.reference} skipped: ${ref.skipped}` };
  if (ref.median === null || ref.median === 0 || r.median === null) return { reference: fmt(ref.median), ratio: '-' };
  // A figure that is only a lower bound (its highest step passed) bounds the ratio on one side only.
  const bound = r.atLeast && !ref.atLeast ? '≥' : ref.atLeast && !r.atLeast ? '≤' : r.atLeast && ref.atLeast ? '~' : '';
  return { reference: `${ref.atLeast ? '≥' : ''}${fmt(ref.median)}`, ratio: `${bound}${(r.median / ref.median).toFixed(2)}×` };
}

/**
 * The readable table `npm run bench` prints; a target column only when some
 * scenario has a target, reference and ratio columns when some row is
 * compared with a reference system's, and a "limited by" column when some
 * row says what saturated first.
 */
export function renderTable(results: readonly ScenarioResult[]): string {
  const withTargets = results.some((r) => r.target !== undefined || r.skipped !== undefined);
  const withReference = results.some((r) => r.reference !== undefined);
  const withLimit = results.some((r) => r.limitedBy !== undefined);
  const header = [
    'scenario', 'unit', 'runs', 'min', 'median', 'p99', 'max',
    ...(withTargets ? ['target'] : []),
    ...(withReference ? ['reference', 'ratio'] : []),
    ...(withLimit ? ['limited by'] : []),
  ];
  const compared = results.map((r) => comparison(r, results));
  const rows = results.map((r, i) => [
    r.name, r.unit, String(r.runs), fmt(r.min), fmt(r.median), fmt(r.p99), fmt(r.max),
    ...(withTargets ? [targetCell(r)] : []),
    ...(withReference ? [compared[i]!.reference, compared[i]!.ratio] : []),
    ...(withLimit ? [r.limitedBy ?? ''] : []),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  // Words left-aligned, figures right-aligned.
  const left = (i: number) => i < 2 || header[i] === 'target' || header[i] === 'limited by';
  const line = (cells: string[]) => cells.map((c, i) => (left(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
  const notes = results.flatMap((r, i) => [
    ...r.notes.map((n) => `  ${r.name}: ${n}`),
    ...(compared[i]!.why ? [`  ${r.name}: no ratio: ${compared[i]!.why}`] : []),
  ]);
  return [...out, '', 'notes:', ...notes].join('\n');
}
