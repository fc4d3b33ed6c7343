import type { FaultKind } from '@switchyard/lab';

/** The invariants a run checks. */
export type InvariantName = 'double-primary' | 'vip-outage' | 'not-settled' | 'fault-failed' | 'registration' | 'leak';

/** One broken invariant, with what reproduces it. */
export interface Violation {
  invariant: InvariantName;
  /** The fault in whose window it happened (null: found at the end of the run). */
  faultIndex: number | null;
  kind: FaultKind | null;
  /** When (ISO time). */
  at: string;
  detail: string;
  seed: number;
}

/** What one fault did to the pair. */
export interface FaultResult {
  index: number;
  kind: FaultKind;
  target: string;
  what: string;
  injectedAt: number;
  healedAt: number;
  settledAt: number | null;
  /** The longest VIP silence from the injection to the end of the pause after the heal. */
  outageMs: number | null;
  boundMs: number;
  /** Heal to settled pair. */
  settleMs: number | null;
  /** Primary after the fault (may be the same node). */
  primaryAfter: string | null;
}

export interface KindSummary {
  count: number;
  worstOutageMs: number;
  boundMs: number;
  worstSettleMs: number;
}

export interface ChaosReport {
  seed: number;
  faultsPlanned: number;
  faultsInjected: number;
  startedAt: string;
  durationMs: number;
  perKind: Partial<Record<FaultKind, KindSummary>>;
  registrations: { acked: number; rejected: number; timedOut: number; usersQueried: number; lost: number };
  /**
   * What the probers saw: answers from the client's and each host's own
   * prober, and every instant both nodes were seen answering 200 (within the
   * bound or not) with the longest.
   */
  probes: { client: number; insideH1: number; insideH2: number; overlapsSeen: number; longestOverlapMs: number };
  violations: Violation[];
  results: FaultResult[];
  /** Why the run stopped before its last fault, if it did. */
  aborted?: string;
}

export function summarizeKinds(results: readonly FaultResult[]): Partial<Record<FaultKind, KindSummary>> {
  const out: Partial<Record<FaultKind, KindSummary>> = {};
  for (const r of results) {
    const s = (out[r.kind] ??= { count: 0, worstOutageMs: 0, boundMs: 0, worstSettleMs: 0 });
    s.count++;
    s.worstOutageMs = Math.max(s.worstOutageMs, r.outageMs ?? 0);
    s.boundMs = Math.max(s.boundMs, r.boundMs);
    s.worstSettleMs = Math.max(s.worstSettleMs, r.settleMs ?? 0);
  }
  return out;
}

/** The closing summary a person reads: per kind, the violations, and how to reproduce. */
export function formatReport(report: ChaosReport, reproduce: string): string {
  const lines = [
    '',
    `chaos: seed ${report.seed}, ${report.faultsInjected}/${report.faultsPlanned} faults in ${(report.durationMs / 1000).toFixed(0)} s`,
    '  kind            count  worst VIP outage  (bound)   worst heal->settled',
  ];
  for (const [kind, s] of Object.entries(report.perKind)) {
    lines.push(
      `  ${kind.padEnd(15)} ${String(s.count).padStart(5)}  ${`${s.worstOutageMs} ms`.padStart(16)}  ${`(${s.boundMs} ms)`.padStart(10)}  ${`${s.worstSettleMs} ms`.padStart(10)}`,
    );
  }
  const r = report.registrations;
  lines.push(`  registrations: ${r.acked} REGISTER 200s (${r.usersQueried} users), ${r.rejected} rejected, ${r.timedOut} unanswered; ${r.lost} acknowledged but lost`);
  const p = report.probes;
  lines.push(`  probes: ${p.client} answers at the client, ${p.insideH1} inside h1, ${p.insideH2} inside h2; both nodes seen answering 200 at once ${p.overlapsSeen} time(s), longest ${p.longestOverlapMs} ms`);
  if (report.aborted) lines.push(`  run stopped early: ${report.aborted}`);
  lines.push(`  violations: ${report.violations.length}`);
  for (const v of report.violations) {
    lines.push(`    [${v.invariant}] fault ${v.faultIndex ?? '-'}${v.kind ? ` (${v.kind})` : ''} at ${v.at}: ${v.detail} (seed ${v.seed})`);
  }
  if (report.violations.length > 0) lines.push(`  reproduce: ${reproduce}`);
  return lines.join('\n');
}
