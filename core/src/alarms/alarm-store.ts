import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../fs/atomic-file';
import { z } from 'zod';
import { SwitchyardError, describeError } from '../errors';
import type { Alarm } from '../engine/types';

/** Name of the alarm state file in the runtime directory. */
export const ALARMS_FILE_NAME = 'alarms.json';

/**
 * An alarm as persisted: the alarm, plus whether the reactions of its raise
 * (and, once cleared, of its clearance) have run. A restarted supervisor
 * runs only the reactions not marked done, so an operator is told once, and
 * a supervisor that died mid-reaction tells again rather than never.
 */
export interface StoredAlarm {
  alarm: Alarm;
  notified: { raised: boolean; cleared: boolean };
}

export interface AlarmState {
  /** Active alarms. */
  active: StoredAlarm[];
  /** Recently cleared alarms, the most recent first. */
  cleared: StoredAlarm[];
}

const alarmSchema = z.object({
  id: z.string(),
  condition: z.string(),
  node: z.string(),
  severity: z.enum(['critical', 'major', 'minor', 'info']),
  state: z.enum(['active', 'cleared']),
  eventId: z.string(),
  message: z.string(),
  count: z.number().int().min(1),
  firstSeen: z.number(),
  lastSeen: z.number(),
  clearedAt: z.number().optional(),
  clearReason: z.enum(['cancel', 'clearAfter', 'operator']).optional(),
  clearedBy: z.string().optional(),
});

const storedSchema = z.object({
  alarm: alarmSchema,
  notified: z.object({ raised: z.boolean(), cleared: z.boolean() }),
});

const fileSchema = z.object({
  version: z.literal(1),
  active: z.array(storedSchema),
  cleared: z.array(storedSchema),
});

/** What `load` found: the state, or nothing (first start), and a problem it recovered from. */
export interface LoadedAlarmState {
  state?: AlarmState;
  /** Set when the file could not be used; a corrupt file was moved aside (`details.movedTo`). */
  problem?: SwitchyardError;
}

/**
 * `<runtimeDir>/alarms.json`: written whole, atomically (temporary file,
 * fsync, rename), mode 0600, so a crash leaves the old or the new state,
 * never half of one. Writes are serialised; a save asked for while one is
 * running is coalesced into one more write of the latest state.
 */
export class AlarmStore {
  readonly file: string;
  private writing: Promise<void> | null = null;
  private latest: (() => AlarmState) | null = null;

  constructor(runtimeDir: string) {
    this.file = path.join(runtimeDir, ALARMS_FILE_NAME);
  }

  /** Reads the state. A corrupt or unreadable file is reported in `problem` (and a corrupt one moved aside), never thrown. */
  async load(): Promise<LoadedAlarmState> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      return { problem: this.error(`cannot be read (${describeError(error)}); starting without the saved alarms`, error) };
    }
    let parsed;
    try {
      parsed = fileSchema.safeParse(JSON.parse(text));
    } catch (error) {
      return { problem: await this.setAside(`is not valid JSON (${describeError(error)})`, error) };
    }
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      return { problem: await this.setAside(`does not hold Switchyard alarms (${first?.path.join('.') ?? ''}: ${first?.message ?? 'invalid'})`, parsed.error) };
    }
    return { state: { active: parsed.data.active, cleared: parsed.data.cleared } };
  }

  /**
   * Schedules a write of `snapshot()` (called when the write starts, so the
   * newest state is written). Resolves when that state is on disk; rejects
   * with SWY_ERR_ALARM_STORE when the write failed.
   */
  save(snapshot: () => AlarmState): Promise<void> {
    this.latest = snapshot;
    if (this.writing) return this.writing.then(() => this.flushLatest());
    return this.flushLatest();
  }

  private flushLatest(): Promise<void> {
    if (this.writing) return this.writing.then(() => this.flushLatest());
    const snapshot = this.latest;
    if (!snapshot) return Promise.resolve();
    this.latest = null;
    const run = this.write(snapshot());
    const settled: Promise<void> = run
      .catch(() => undefined)
      .then(() => {
        if (this.writing === settled) this.writing = null;
      });
    this.writing = settled;
    return run;
  }

  private async write(state: AlarmState): Promise<void> {
    const body = `${JSON.stringify({ version: 1, active: state.active, cleared: state.cleared }, null, 2)}\n`;
    try {
      await fs.mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
      await writeFileAtomic(this.file, body, { mode: 0o600 });
    } catch (error) {
      throw this.error(`cannot be written (${describeError(error)}); the alarms stay in memory and the next change retries`, error);
    }
  }

  private async setAside(what: string, cause: unknown): Promise<SwitchyardError> {
    const movedTo = `${this.file}.corrupt-${Date.now()}`;
    try {
      await fs.rename(this.file, movedTo);
    } catch (error) {
      return this.error(`${what} and could not be moved aside (${describeError(error)}); starting without the saved alarms`, cause);
    }
    return this.error(`${what}; kept as ${movedTo}, starting without the saved alarms`, cause, { movedTo });
  }

  private error(what: string, cause: unknown, details: Record<string, unknown> = {}): SwitchyardError {
    return new SwitchyardError('SWY_ERR_ALARM_STORE', `${this.file} ${what}.`, { cause, details: { file: this.file, ...details } });
  }
}
