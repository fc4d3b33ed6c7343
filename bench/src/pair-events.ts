import fs from 'node:fs';
import path from 'node:path';
import { readNodeLog, type LogLine } from '@switchyard/sdk/testing';

/** One logged event of a pair: its id and its fields (the JSON log line). */
export type LoggedEvent = LogLine & { eventId: string };

/**
 * The events with one of `ids` in a pair's JSON logs (every `*.log` in
 * `<dir>/.switchyard/logs`, the default runtime folder of a bench pair's
 * config), file by file in name order. Lines that are not JSON are skipped.
 */
export function loggedEvents(dir: string, ids: readonly string[]): LoggedEvent[] {
  const runtimeDir = path.join(dir, '.switchyard');
  let names: string[];
  try {
    names = fs.readdirSync(path.join(runtimeDir, 'logs')).filter((f) => f.endsWith('.log'));
  } catch {
    return [];
  }
  return names
    .sort()
    .flatMap((file) => readNodeLog(runtimeDir, file.slice(0, -'.log'.length)))
    .filter((line): line is LoggedEvent => typeof line.eventId === 'string' && ids.includes(line.eventId));
}

/**
 * `<label> (<id>): <count>` for the events of `id`, with the largest value
 * of `msField` (milliseconds) when given and any has it (`, longest 478 ms`).
 */
export function eventSummary(events: readonly LoggedEvent[], id: string, label: string, msField?: string): string {
  const of = events.filter((e) => e.eventId === id);
  const values = msField === undefined ? [] : of.map((e) => Number(e[msField])).filter((v) => Number.isFinite(v));
  return `${label} (${id}): ${of.length}${values.length > 0 ? `, longest ${Math.max(...values)} ms` : ''}`;
}
