import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic, type Channel, type HaChannels, type Logger } from '@switchyard/sdk';
import { z } from 'zod';
import { GUARD_AT_REST, isAtRest, type GuardState, type GuardStep } from './guard';

/** HA-link channel that carries the guard state to the peer. */
export const GUARD_CHANNEL = 'sip-pass-check.guard';
/** File in the plugin's data folder (`<runtimeDir>/data/<node>/sip-pass-check/`). */
export const GUARD_FILE = 'guard.json';

/** The guard state as both nodes share it: last writer wins, by `version` then by node id. */
export interface SharedGuardState extends GuardState {
  /** Grows by one at every change, whichever node makes it. */
  readonly version: number;
  /** Node that made this version (breaks a tie between two changes made at once). */
  readonly by: string;
}

const sharedStateSchema = z.strictObject({
  multiplier: z.union([z.literal(1), z.literal(2), z.literal(4)]),
  lastCause: z.literal('silence').nullable(),
  version: z.number().int().min(0),
  by: z.string(),
});

/** Whether `a` replaces `b` (a later version; on a tie, the greater node id, so both nodes pick the same). */
export function supersedes(a: SharedGuardState, b: SharedGuardState): boolean {
  return a.version > b.version || (a.version === b.version && a.by > b.by);
}

export type GuardOrigin = 'local' | 'peer' | 'disk';

export interface GuardSyncOptions {
  nodeId: string;
  channels: HaChannels;
  /** The plugin's data folder; created on the first write. */
  dir: string;
  logger: Logger;
  /** After every change of the state in force, whoever made it. */
  onChange(state: SharedGuardState, origin: GuardOrigin): void;
  /** The state file could not be read or written (the state in memory stays in force). */
  onFileError(file: string, error: unknown): void;
}

/**
 * Keeps the guard state the same on both nodes and across restarts: every
 * local change is sent to the peer (channel {@link GUARD_CHANNEL}) and
 * written to {@link GUARD_FILE} atomically; a state from the peer or the
 * disk is taken when it supersedes the one in force. After every catch-up
 * of the link each node re-sends its state, so a restarted node (even one
 * that lost its disk) learns the peer's.
 */
export class GuardSync {
  readonly file: string;
  private current: SharedGuardState = { ...GUARD_AT_REST, version: 0, by: '' };
  private readonly channel: Channel<SharedGuardState>;
  private writing: Promise<void> | null = null;
  private writeAgain = false;

  constructor(private readonly options: GuardSyncOptions) {
    this.file = path.join(options.dir, GUARD_FILE);
    this.channel = options.channels.channel<SharedGuardState>(GUARD_CHANNEL, { retain: 1, snapshot: () => this.current });
    this.channel.onMessage((message) => this.receive(message));
    this.channel.onSnapshot((data) => this.receive(data));
    this.channel.onSynced(() => {
      if (this.current.version > 0) this.channel.send(this.current);
    });
  }

  get state(): SharedGuardState {
    return this.current;
  }

  /** O(1): asked for every SIP message. */
  get atRest(): boolean {
    return isAtRest(this.current);
  }

  /** Applies a transition of the guard; a change is published to the peer and written to disk. */
  step(transition: (state: GuardState) => GuardStep): GuardStep {
    const step = transition(this.current);
    if (!step.changed) return step;
    this.current = { multiplier: step.state.multiplier, lastCause: step.state.lastCause, version: this.current.version + 1, by: this.options.nodeId };
    this.channel.send(this.current);
    this.persist();
    this.options.onChange(this.current, 'local');
    return step;
  }

  /** Reads the state file, if there is one; takes it when it supersedes the state in force (the peer may have sent a newer one already). */
  async load(): Promise<void> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.options.onFileError(this.file, error);
      return;
    }
    let parsed: SharedGuardState;
    try {
      parsed = sharedStateSchema.parse(JSON.parse(text));
    } catch (error) {
      this.options.onFileError(this.file, new Error(`not a guard state (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); starting at rest`));
      return;
    }
    if (!supersedes(parsed, this.current)) return;
    this.current = parsed;
    // The peer may have restarted without its disk: tell it.
    this.channel.send(this.current);
    this.options.onChange(this.current, 'disk');
  }

  /** Resolves once every change so far is on disk. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private receive(data: unknown): void {
    const parsed = sharedStateSchema.safeParse(data);
    if (!parsed.success) {
      this.options.logger.warn(`ignored a guard state from the peer that is not one: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      return;
    }
    if (!supersedes(parsed.data, this.current)) return;
    this.current = parsed.data;
    this.persist();
    this.options.onChange(this.current, 'peer');
  }

  /** One write at a time, always of the latest state; changes during a write coalesce into one more. */
  private persist(): void {
    if (this.writing) {
      this.writeAgain = true;
      return;
    }
    this.writing = (async () => {
      do {
        this.writeAgain = false;
        try {
          await fs.mkdir(path.dirname(this.file), { recursive: true, mode: 0o750 });
          // A crash leaves the old state or the new one, never half of one.
          await writeFileAtomic(this.file, `${JSON.stringify(this.current)}\n`, { mode: 0o640 });
        } catch (error) {
          this.options.onFileError(this.file, error);
        }
      } while (this.writeAgain);
      this.writing = null;
    })();
  }
}
