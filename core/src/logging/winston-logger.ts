import fs from 'node:fs';
import path from 'node:path';
import winston from 'winston';
import type { LogEventRecord, LogLevel } from '../events/catalogue';
import type { Logger } from './logger';

export interface NodeLoggerOptions {
  /** Written into every line as `node`. */
  node: string;
  level: LogLevel;
  /** JSON-lines file; created with its folder. */
  file?: string;
  /** Readable lines on stdout/stderr (a node run on its own); `up` prints through the supervisor instead. */
  console?: boolean;
}

const readable = winston.format.printf((info) => {
  const { level, message, timestamp, eventId, node, term } = info as Record<string, unknown>;
  const id = eventId ? ` ${String(eventId)}` : '';
  const t = term === undefined ? '' : ` t${String(term)}`;
  return `${String(timestamp)} ${String(level).padEnd(5)} [${String(node)}${t}]${id} ${String(message)}`;
});

/** A winston logger: JSON lines to a file, readable lines to the console. */
export function createWinstonLogger(options: NodeLoggerOptions): winston.Logger {
  const transports: winston.transport[] = [];
  if (options.file) {
    fs.mkdirSync(path.dirname(options.file), { recursive: true, mode: 0o750 });
    transports.push(
      new winston.transports.File({
        filename: options.file,
        format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
      }),
    );
  }
  if (options.console) {
    transports.push(
      new winston.transports.Console({
        stderrLevels: ['error', 'warn'],
        format: winston.format.combine(winston.format.timestamp(), readable),
      }),
    );
  }
  if (transports.length === 0) transports.push(new winston.transports.Console({ silent: true }));
  return winston.createLogger({ level: options.level, defaultMeta: { node: options.node }, transports });
}

/** Writes a log event as one line: its id, node and term always present. */
export function writeLogEvent(logger: Logger, record: LogEventRecord): void {
  logger[record.level](record.message, {
    eventId: record.id,
    node: record.node,
    term: record.term,
    owner: record.owner,
    ...record.fields,
  });
}

/** Flushes file transports before exit. */
export function closeWinstonLogger(logger: winston.Logger): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 1000);
    logger.on('finish', () => {
      clearTimeout(timer);
      resolve();
    });
    logger.end();
  });
}
