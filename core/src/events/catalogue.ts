import { SwitchyardError } from '../errors';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

/** A log event: a stable id, a level and a message template (`{field}` placeholders). */
export interface LogEventDefinition {
  id: string;
  level: LogLevel;
  message: string;
  /** Who registered it: `core` or a plugin name. */
  owner?: string;
  /** Worth a line on the `switchyard up` console at `info` level (otherwise only with `--verbose`). */
  notable?: boolean;
}

/** One emitted log event, as it reaches the `logEvent` hook, the log files and the supervisor. */
export interface LogEventRecord {
  id: string;
  level: LogLevel;
  message: string;
  fields: Record<string, unknown>;
  node: string;
  term: number;
  /** Epoch milliseconds. */
  time: number;
  owner: string;
  /** Copied from the definition by the agent that prints it (see {@link LogEventDefinition.notable}). */
  notable?: boolean;
}

const ID_FORMAT = /^\d{2}-\d{5}$/;

/**
 * The one catalogue of log events. Core registers its own ids; each plugin
 * registers its own in `apply()`. Registering the same id twice with a
 * different definition is an error; the same definition again is a no-op.
 */
export class LogEventCatalogue {
  private readonly definitions = new Map<string, Required<LogEventDefinition>>();

  register(definitions: readonly LogEventDefinition[], owner = 'core'): void {
    for (const def of definitions) {
      if (!ID_FORMAT.test(def.id)) {
        throw new SwitchyardError('SWY_ERR_EVENT_ID_FORMAT', `Log-event id "${def.id}" (from ${owner}) is not of the form NN-NNNNN.`);
      }
      const full = { ...def, owner: def.owner ?? owner, notable: def.notable ?? false };
      const existing = this.definitions.get(def.id);
      if (existing) {
        if (existing.level === full.level && existing.message === full.message) continue;
        throw new SwitchyardError(
          'SWY_ERR_EVENT_DUPLICATE',
          `Log-event id ${def.id} is already registered by ${existing.owner}; ${owner} must use another id.`,
        );
      }
      this.definitions.set(def.id, full);
    }
  }

  has(id: string): boolean {
    return this.definitions.has(id);
  }

  get(id: string): Required<LogEventDefinition> {
    const def = this.definitions.get(id);
    if (!def) throw new SwitchyardError('SWY_ERR_EVENT_UNKNOWN', `Log-event id ${id} is not in the catalogue.`);
    return def;
  }

  list(): Required<LogEventDefinition>[] {
    return [...this.definitions.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Fills `{field}` placeholders; a missing field renders as `?`. */
  format(id: string, fields: Record<string, unknown>): string {
    return this.get(id).message.replace(/\{(\w+)\}/g, (_, key: string) => renderField(fields[key]));
  }
}

function renderField(value: unknown): string {
  if (value === undefined || value === null) return '?';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
