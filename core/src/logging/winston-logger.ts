import fs from 'node:fs';
import path from 'node:path';
import winston from 'winston';
import { SystemClock, type Clock } from '../clock';
import { LOGGING_DEFAULTS, type LoggingConfig } from '../config/schema';
import type { LogEventRecord, LogLevel } from '../events/catalogue';
import { escapeControlText, escapeFields } from './control-text';
import type { Logger } from './logger';
import { LOG_SUPPRESSED_EVENT, suppressedMessage } from './log-events';
import { LogRateLimiter, type SuppressedLines } from './rate-limiter';
import { RotatingFileStream } from './rotating-file';

/** Log rotation, rate limit and output when the config gives none: the schema's defaults. */
export const DEFAULT_LOG_OUTPUT = Object.freeze({
  output: LOGGING_DEFAULTS.output,
  maxFileBytes: LOGGING_DEFAULTS.maxFileBytes,
  maxFiles: LOGGING_DEFAULTS.maxFiles,
  rateLimit: LOGGING_DEFAULTS.rateLimit,
});

/** Mode of log files: the owner writes, its group (e.g. `adm`) may read, others nothing. */
export const LOG_FILE_MODE = 0o640;
/** Mode of a log folder Switchyard creates. */
export const LOG_DIR_MODE = 0o750;

export interface NodeLoggerOptions {
  /** Written into every line as `node`. */
  node: string;
  level: LogLevel;
  /** JSON-lines file; created with its folder. Ignored with `logging.output: 'stdout'`. */
  file?: string;
  /** Readable lines on stdout/stderr (a node run on its own); `up` prints through the supervisor instead. */
  console?: boolean;
  /** The config's `logging` block: output, rotation and rate limit (defaults: {@link DEFAULT_LOG_OUTPUT}). */
  logging?: Partial<Pick<LoggingConfig, 'output' | 'maxFileBytes' | 'maxFiles' | 'rateLimit'>>;
  /** Times the rate limit's intervals; default the system clock. */
  clock?: Clock;
  /**
   * This process's events reach an agent that writes them (a node process
   * under `switchyard up` or `switchyard node`): with `output: 'stdout'` it
   * writes nothing itself, so journald gets each line once.
   */
  relayed?: boolean;
  /** Where `output: 'stdout'` writes; default `process.stdout`. */
  stdout?: NodeJS.WritableStream;
}

/** The rate limiter of each logger made here; {@link writeLogEvent} consults it. */
const limiters = new WeakMap<object, LogRateLimiter>();

/** Every string of a line escaped (peer text, event fields): one line stays one line, and inert on a terminal. */
const safeText = winston.format((info) => {
  for (const [key, value] of Object.entries(info)) {
    if (key === 'level') continue;
    if (typeof value === 'string') info[key] = escapeControlText(value);
    else if (value !== null && typeof value === 'object') info[key] = escapeFields({ v: value }).v;
  }
  return info;
});

const readable = winston.format.printf((info) => {
  const { level, message, timestamp, eventId, node, term } = info as Record<string, unknown>;
  const id = eventId ? ` ${String(eventId)}` : '';
  const t = term === undefined ? '' : ` t${String(term)}`;
  return `${String(timestamp)} ${String(level).padEnd(5)} [${String(node)}${t}]${id} ${String(message)}`;
});

/** syslog priorities (sd-daemon(3) `<N>` prefixes), which journald reads from a service's stdout. */
const PRIORITY: Record<string, number> = { error: 3, warn: 4, info: 6, debug: 7 };

/** One line per entry for journald: `<4>WARN [sip-a t3] 01-10021 HA link to sip-b down: …`; journald adds the time. */
const journald = winston.format.printf((info) => {
  const { level, message, eventId, node, term } = info as Record<string, unknown>;
  const id = eventId ? ` ${String(eventId)}` : '';
  const t = term === undefined ? '' : ` t${String(term)}`;
  return `<${PRIORITY[String(level)] ?? 6}>${String(level).toUpperCase()} [${String(node)}${t}]${id} ${String(message)}`;
});

/**
 * A winston logger: JSON lines to a file rotated by size (`maxFileBytes`;
 * `maxFiles` kept: `<name>.log`, `<name>.log.1` …, the oldest deleted),
 * or, with `logging.output: 'stdout'`, readable lines with a syslog
 * priority on stdout and no file at all. Every string is escaped, and
 * events written with {@link writeLogEvent} are rate-limited.
 */
export function createWinstonLogger(options: NodeLoggerOptions): winston.Logger {
  const settings = { ...DEFAULT_LOG_OUTPUT, ...options.logging };
  const transports: winston.transport[] = [];
  if (settings.output === 'stdout') {
    if (!options.relayed) {
      transports.push(new winston.transports.Stream({ stream: options.stdout ?? process.stdout, format: journald, eol: '\n' }));
    }
  } else if (options.file) {
    transports.push(fileTransport(options.file, settings.maxFileBytes, settings.maxFiles));
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
  const logger = winston.createLogger({ level: options.level, format: safeText(), defaultMeta: { node: options.node }, transports });
  // A line written after close (a late timer) must not crash the process with an unhandled 'error'.
  logger.on('error', (error: Error) => process.stderr.write(`switchyard: log write failed: ${error.message}\n`));
  const limiter = new LogRateLimiter({
    limit: settings.rateLimit,
    clock: options.clock ?? new SystemClock(),
    onSummary: (lines) => writeSummary(logger, lines),
  });
  limiters.set(logger, limiter);
  return logger;
}

function fileTransport(file: string, maxBytes: number, maxFiles: number): winston.transport {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: LOG_DIR_MODE });
  // A file left by an older version (or another umask) is narrowed to LOG_FILE_MODE.
  try {
    if ((fs.statSync(file).mode & 0o777 & ~LOG_FILE_MODE) !== 0) fs.chmodSync(file, LOG_FILE_MODE);
  } catch {
    // no file yet: created with LOG_FILE_MODE (less the umask)
  }
  return new winston.transports.Stream({
    stream: new RotatingFileStream(file, { maxBytes, maxFiles, mode: LOG_FILE_MODE }),
    eol: '\n',
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
  });
}

function writeSummary(logger: winston.Logger, lines: SuppressedLines): void {
  const level = lines.level === 'error' ? 'error' : LOG_SUPPRESSED_EVENT.level;
  logger.log(level, suppressedMessage(lines), {
    eventId: LOG_SUPPRESSED_EVENT.id,
    node: lines.node,
    event: lines.event,
    suppressed: lines.suppressed,
    interval: lines.interval,
    subject: lines.subject,
  });
}

/**
 * Writes a log event as one line: its id, node and term always present.
 * On a logger of {@link createWinstonLogger}, repeats beyond the rate
 * limit are counted instead and reported in one 01-10080 line per interval.
 */
export function writeLogEvent(logger: Logger, record: LogEventRecord): void {
  const limiter = limiters.get(logger);
  if (limiter !== undefined) {
    // Lines below the level are never written, so they use up no share of the limit.
    if (!(logger as unknown as winston.Logger).isLevelEnabled(record.level)) return;
    if (!limiter.admit(record)) return;
  }
  logger[record.level](record.message, {
    eventId: record.id,
    node: record.node,
    term: record.term,
    owner: record.owner,
    ...record.fields,
  });
}

/** Writes the pending rate-limit summaries, then flushes file transports before exit. */
export function closeWinstonLogger(logger: winston.Logger): Promise<void> {
  limiters.get(logger)?.flush();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 1000);
    logger.on('finish', () => {
      clearTimeout(timer);
      resolve();
    });
    logger.end();
  });
}
