import type { z } from 'zod';
import type { Clock } from '../clock';
import type { Alarm } from '../engine/types';
import type { Logger } from '../logging/logger';
import type { SwitchoverResult } from '../management/types';

/**
 * What a reaction instance gets from the supervisor when it is created: its
 * name in `alarms.reactions`, a logger, the log-event sink, the clock (use
 * it for every timer and backoff), and the arbiter.
 */
export interface AlarmReactionContext {
  /** The reaction's name, the key under `alarms.reactions`. */
  readonly name: string;
  /** Child logger with `{ node: 'supervisor', reaction }`; lines without an event id are debug lines. */
  readonly logger: Logger;
  /** Emits a log event; declare its id in the providing plugin's static `events`. */
  emit(eventId: string, fields?: Record<string, unknown>): void;
  readonly clock: Clock;
  /**
   * Asks the arbiter to make the other node primary, only if `awayFrom` is
   * the primary now. The primary's `beforeSwitchover` taps are consulted as
   * for an operator's switchover. Never throws: a refusal comes back as
   * `{ ok: false, reason }`.
   */
  requestSwitchover(awayFrom: string, reason: string): Promise<SwitchoverResult>;
}

/**
 * One configured reaction (an entry of `alarms.reactions`). The alarm engine
 * calls `raised` for the conditions that list it in `reactions` and `cleared`
 * for those that list it in `clearanceReactions`, each run in parallel with
 * the condition's other reactions, under `alarms.reactionTimeout`.
 *
 * `signal` aborts when that timeout passes (or the supervisor stops): stop
 * the work then (kill the child, abort the request). Throw to report a
 * failure; the engine logs it (01-10075) and carries on. A reaction that
 * never settles is abandoned at the timeout (01-10076) and blocks nothing.
 * The alarm is a frozen snapshot.
 */
export interface AlarmReaction {
  raised?(alarm: Alarm, signal: AbortSignal): Promise<void>;
  cleared?(alarm: Alarm, signal: AbortSignal): Promise<void>;
}

/**
 * A kind of reaction a plugin offers (`alarmReactions: { webhook: … }` in
 * `definePlugin`). `options` parses a configured entry (every key but
 * `kind`), before anything starts; errors are reported at
 * `alarms.reactions.<name>.<option>`. `create` runs once per configured
 * reaction when the supervisor starts; it must not start timers or open
 * sockets (do that in `raised`/`cleared`).
 */
export interface AlarmReactionKind<Schema extends z.ZodType = z.ZodType> {
  readonly options: Schema;
  /** One line for docs and `validate`: what the kind does. */
  readonly description?: string;
  create(options: z.output<Schema>, ctx: AlarmReactionContext): AlarmReaction;
}

/** Typed identity for an {@link AlarmReactionKind}: the options type flows from the schema into `create`. */
export function defineAlarmReaction<Schema extends z.ZodType>(kind: AlarmReactionKind<Schema>): AlarmReactionKind<Schema> {
  return Object.freeze({ ...kind });
}
