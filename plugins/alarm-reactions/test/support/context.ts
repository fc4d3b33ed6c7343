import { expect } from 'vitest';
import type { AlarmReactionError } from '../../src/errors';
import { createTestReactionContext, sampleAlarm, type EmittedEvent } from '@switchyard/sdk';

export type Emitted = EmittedEvent;
/** A reaction context that records what the reaction emits and asks; real time unless a clock is given (the SDK's). */
export const fakeContext = createTestReactionContext;
export { sampleAlarm };

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
