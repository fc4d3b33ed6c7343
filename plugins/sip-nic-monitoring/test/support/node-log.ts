import fs from 'node:fs';
import path from 'node:path';

/** One JSON line of a node's log file (event fields are top-level keys). */
export interface LogLine {
  eventId?: string;
  message: string;
  timestamp: string;
  [field: string]: unknown;
}

/**
 * The log of `node` as its `switchyard node` agent writes it
 * (`<runtimeDir>/<node>/logs/<node>.log`), read from the host's file
 * system: it works when the node's host is cut off from the client.
 */
export function nodeLog(runtimeDir: string, node: string): LogLine[] {
  const file = path.join(runtimeDir, node, 'logs', `${node}.log`);
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);
}
