import fs from 'node:fs';
import path from 'node:path';

/** One logged event of a pair: its id and its fields (the JSON log line). */
export type LoggedEvent = Record<string, unknown> & { eventId: string };

/**
 * The events with one of `ids` in a pair's JSON logs (every `*.log` in
 * `<dir>/.switchyard/logs`, the default runtime folder of a bench pair's
 * config), in file order. Lines that are not JSON are skipped.
 */
export function loggedEvents(dir: string, ids: readonly string[]): LoggedEvent[] {
  const logs = path.join(dir, '.switchyard', 'logs');
  let files: string[];
  try {
    files = fs.readdirSync(logs).filter((f) => f.endsWith('.log'));
  } catch {
    return [];
  }
  const events: LoggedEvent[] = [];
  for (const file of files.sort()) {
    for (const line of fs.readFileSync(path.join(logs, file), 'utf8').split('\n')) {
      if (!ids.some((id) => line.includes(id))) continue;
      try {
        const entry = JSON.parse(line) as Partial<LoggedEvent>;
        if (typeof entry.eventId === 'string' && ids.includes(entry.eventId)) events.push(entry as LoggedEvent);
      } catch {
        // not a JSON line
      }
    }
  }
  return events;
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
