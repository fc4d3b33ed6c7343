/** The logger plugins and core parts receive. Plugins never import winston. */
export interface Logger {
  debug(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
  child(meta: Record<string, unknown>): Logger;
}

/** A logger that drops everything (tests, library use without logging). */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};

/**
 * A logger that writes to whatever `current()` returns at the time of each
 * call (nothing while it returns null): for parts built before the log file
 * is opened.
 */
export function deferredLogger(current: () => Logger | null, meta: Record<string, unknown> = {}): Logger {
  const write = (level: 'debug' | 'info' | 'warn' | 'error') => (message: string, extra?: Record<string, unknown>) =>
    current()?.[level](message, { ...meta, ...extra });
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: (more) => deferredLogger(current, { ...meta, ...more }),
  };
}
