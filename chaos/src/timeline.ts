import fs from 'node:fs';
import path from 'node:path';

/** One coded event from an agent's or a node's log. */
export interface TimelineEvent {
  at: number;
  /** The log's file name without `.log`: `agent-sip-a`, `sip-a`. */
  source: string;
  eventId: string;
  message: string;
}

/** Events that say nothing about a fault (plugin loading, listening sockets at start). */
const QUIET = new Set(['01-10031']);

/**
 * The coded events of every agent and node log under `stateDir`
 * (`<stateDir>/<node>/logs/*.log`, JSON lines) between `from` and `to`
 * (epoch ms), oldest first. Lines that are not JSON events are skipped.
 */
export function eventsBetween(stateDir: string, from: number, to: number): TimelineEvent[] {
  const events: TimelineEvent[] = [];
  for (const file of logFiles(stateDir)) {
    const source = path.basename(file, '.log');
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      const event = parseEvent(line, source);
      if (event && event.at >= from && event.at <= to && !QUIET.has(event.eventId)) events.push(event);
    }
  }
  return events.sort((a, b) => a.at - b.at);
}

/**
 * The events as lines for the run's output, at most `limit` (the first
 * ones, then a count of the rest). A message is printed as a JSON string:
 * whatever text of a peer's it carries, control characters and all, stays
 * on its line.
 */
export function formatTimeline(events: readonly TimelineEvent[], limit: number): string[] {
  const lines = events.slice(0, limit).map((e) => `    ${new Date(e.at).toISOString()} ${e.source} ${e.eventId} ${JSON.stringify(e.message)}`);
  if (events.length > limit) lines.push(`    … and ${events.length - limit} more (in the kept logs)`);
  return lines;
}

function logFiles(stateDir: string): string[] {
  if (!fs.existsSync(stateDir)) return [];
  const files: string[] = [];
  for (const node of fs.readdirSync(stateDir, { withFileTypes: true })) {
    if (!node.isDirectory()) continue;
    const logs = path.join(stateDir, node.name, 'logs');
    if (!fs.existsSync(logs)) continue;
    for (const f of fs.readdirSync(logs)) if (f.endsWith('.log')) files.push(path.join(logs, f));
  }
  return files.sort();
}

function parseEvent(line: string, source: string): TimelineEvent | null {
  if (line.trim() === '') return null;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { timestamp, eventId, message } = value as Record<string, unknown>;
  const at = typeof timestamp === 'string' ? Date.parse(timestamp) : Number.NaN;
  if (Number.isNaN(at)) return null;
  return { at, source, eventId: typeof eventId === 'string' ? eventId : '-', message: typeof message === 'string' ? message : '' };
}
