import { withTimeout, type Clock } from '@switchyard/sdk';

/** Why an etcd call was abandoned: it took longer than its budget. */
export class CallTimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`${what}: no answer from etcd within ${ms} ms`);
    this.name = 'CallTimeoutError';
  }
}

/**
 * Settles with `promise`, or rejects with {@link CallTimeoutError} after `ms`.
 * gRPC deadlines bound the calls already; this also bounds what etcd3 does
 * around them (a watch cancel waits for an answer with no deadline at all).
 */
export function withDeadline<T>(clock: Clock, ms: number, what: string, promise: Promise<T>): Promise<T> {
  return withTimeout(clock, ms, promise, () => new CallTimeoutError(what, ms));
}
