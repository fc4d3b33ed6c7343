import { expect } from 'vitest';
import type { AlarmReactionError } from '../../src/errors';
import { SystemClock, silentLogger, type Alarm, type AlarmReactionContext, type Clock, type SwitchoverResult } from '@switchyard/sdk';

export interface Emitted {
  id: string;
  fields: Record<string, unknown>;
}

/** A reaction context that records what the reaction emits and asks; real time unless a clock is given. */
export function fakeContext(
  options: { name?: string; clock?: Clock; switchover?: (awayFrom: string, reason: string) => SwitchoverResult } = {},
): AlarmReactionContext & { events: Emitted[]; switchovers: { awayFrom: string; reason: string }[] } {
  const events: Emitted[] = [];
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

/** The alarm of a SIP node that cannot bind its port. */
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

/** A signal that never aborts. */
export const never: AbortSignal = new AbortController().signal;

/** The error a reaction's promise rejects with (fails the test if it resolves). */
export async function failure(promise: Promise<unknown>): Promise<AlarmReactionError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as AlarmReactionError;
}
