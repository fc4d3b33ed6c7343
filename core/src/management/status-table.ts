/**
 * `switchyard status` for people: a header line and an aligned plain-text
 * table. No colours; the CLI adds them when writing to a terminal.
 */
import type { ClusterStatusView, NodeStatusView } from './types';

const COLUMNS = ['NODE', 'ROLE', 'STATUS', 'PID', 'TERM', 'HEARTBEAT', 'RESTARTS'] as const;
const GAP = '   ';
const NONE = '-';

/**
 * Renders e.g.
 * ```text
 * cluster lab · arbiter embedded · term 3 · primary sip-a
 * NODE    ROLE      STATUS    PID    TERM   HEARTBEAT   RESTARTS
 * sip-a   primary   running   4121   3      0.4s        0
 * ```
 * Unknown values (no role yet, no pid, no heartbeat yet) show as `-`.
 */
export function renderStatusTable(view: ClusterStatusView): string {
  const { arbiter } = view;
  const reach = arbiter.connected === false ? ' · arbiter unreachable from the agent that answered' : '';
  const header = `cluster ${view.cluster} · arbiter ${arbiter.kind} · term ${arbiter.term} · primary ${arbiter.primary ?? 'none'}${reach}`;
  const rows = [[...COLUMNS], ...view.nodes.map(nodeRow)];
  const widths = COLUMNS.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const lines = rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join(GAP)
      .trimEnd(),
  );
  return [header, ...lines].join('\n');
}

function nodeRow(node: NodeStatusView): string[] {
  return [
    node.id,
    node.role ?? NONE,
    node.status,
    node.pid === null ? NONE : String(node.pid),
    String(node.term),
    node.lastHeartbeat === null ? NONE : formatAge(node.lastHeartbeat),
    String(node.restarts),
  ];
}

/** Seconds since the last heartbeat: `0.4s`, `42s`, `3m05s`, `2h07m`. */
export function formatAge(seconds: number): string {
  if (seconds < 10) return `${Math.max(0, seconds).toFixed(1)}s`;
  const whole = Math.floor(seconds);
  if (whole < 60) return `${whole}s`;
  if (whole < 3600) return `${Math.floor(whole / 60)}m${pad2(whole % 60)}s`;
  return `${Math.floor(whole / 3600)}h${pad2(Math.floor(whole / 60) % 60)}m`;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}
