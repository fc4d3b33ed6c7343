import { SystemClock, silentLogger, type Alarm, type AlarmReactionContext, type Clock, type SwitchoverResult } from '@switchyard/core';

/** An event a reaction emitted through its context. */
export interface EmittedEvent {
  id: string;
  fields: Record<string, unknown>;
}

/** A reaction context for tests, with what the reaction emitted and asked for. */
export interface TestReactionContext extends AlarmReactionContext {
  readonly events: EmittedEvent[];
  readonly switchovers: { awayFrom: string; reason: string }[];
}

export interface TestReactionContextOptions {
  /** The reaction's name (`alarms.reactions.<name>`). Default `test-reaction`. */
  name?: string;
  /** Default: real time. Pass a ManualClock to drive the reaction's timers. */
  clock?: Clock;
  /** How the arbiter answers the reaction's switchover request. Default: granted, `sip-b` primary at term 2. */
  switchover?: (awayFrom: string, reason: string) => SwitchoverResult;
}

/**
 * What an alarm reaction kind's `create(options, ctx)` gets, for a test:
 * it records what the reaction emits and the switchovers it asks for, logs
 * nothing, and runs in real time unless given a clock.
 */
export function createTestReactionContext(options: TestReactionContextOptions = {}): TestReactionContext {
  const events: EmittedEvent[] = [];
  const switchovers: { awayFrom: string; reason: string }[] = [];
  return {
    name: options.name ?? 'test-reaction',
    logger: silentLogger,
    clock: options.clock ?? new SystemClock(),
    events,
    switchovers,
    emit: (id, fields = {}) => void events.push({ id, fields }),
    requestSwitchover: async (awayFrom, reason) => {
      switchovers.push({ awayFrom, reason });
      return options.switchover?.(awayFrom, reason) ?? { ok: true, term: 2, primary: 'sip-b' };
    },
  };
}

/** An alarm as reactions receive it (a SIP node that cannot bind its port), with `extra` fields replaced. */
export function sampleAlarm(extra: Partial<Alarm> = {}): Alarm {
  return Object.freeze({
    id: 'sip-listener-down@sip-a',
    condition: 'sip-listener-down',
    node: 'sip-a',
    severity: 'critical',
    state: 'active',
    eventId: '00-04200',
    message: 'Cannot open SIP listening port 127.0.0.1:5060/udp (EADDRINUSE); retrying every 5s',
    count: 2,
    firstSeen: Date.UTC(2025, 0, 1, 12, 0, 0),
    lastSeen: Date.UTC(2025, 0, 1, 12, 0, 5),
    ...extra,
  });
}
