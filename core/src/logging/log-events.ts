import type { LogEventDefinition } from '../events/catalogue';
import type { SuppressedLines } from './rate-limiter';

/**
 * The summary line of the log rate limit: how many lines of one event
 * (and node, and key fields) were held back in one interval. Written at
 * `warn`, or `error` when error lines were held back.
 */
export const LOG_SUPPRESSED_EVENT: LogEventDefinition = Object.freeze({
  id: '01-10080',
  level: 'warn',
  message: 'Log rate limit: {suppressed} more {event} lines from {node} ({subject}) suppressed in {interval}s',
});

/** The summary's text: {@link LOG_SUPPRESSED_EVENT}'s template filled in. */
export function suppressedMessage(lines: SuppressedLines): string {
  const fields: Record<string, string> = {
    suppressed: String(lines.suppressed),
    event: lines.event,
    node: lines.node,
    subject: lines.subject === '' ? 'all' : lines.subject,
    interval: String(lines.interval),
  };
  return LOG_SUPPRESSED_EVENT.message.replace(/\{(\w+)\}/g, (_, key: string) => fields[key] ?? '?');
}
