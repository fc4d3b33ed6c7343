import { isRecoverableError, type IOptions } from 'etcd3';
import type { Clock } from '@switchyard/sdk';

type FaultHandling = NonNullable<IOptions['faultHandling']>;
type Policy = ReturnType<NonNullable<FaultHandling['host']>>;
type PolicyContext = Parameters<Parameters<Policy['execute']>[0]>[0];
type WatchBackoff = NonNullable<FaultHandling['watchBackoff']>;

/**
 * The etcd3 client's fault handling, replaced: its default per-host circuit
 * breaker refuses every call for 5 s after three failures, which outlasts a
 * 2 s lease when etcd merely restarts, and its watch reconnect backs off up
 * to 30 s (on a timer that keeps the process alive). Here:
 * - a host that failed within the last `skipMs` is skipped while another
 *   host has not failed (several endpoints), but always tried when all have;
 * - one call tries each host at most once, so a dead endpoint costs one
 *   fast failure rather than the call;
 * - etcd3 does not reconnect watches (KeyWatch does).
 * The election's own loops retry whole operations; the per-call budget is
 * the call deadline.
 */
export function faultHandling(endpoints: readonly string[], clock: Clock, skipMs = 1000): FaultHandling {
  const failedAt = new Map<string, number>();
  const recentlyFailed = (host: string): boolean => {
    const at = failedAt.get(host);
    return at !== undefined && clock.monotonic() - at < skipMs;
  };

  const host = (name: string): Policy =>
    policy(async (fn, signal) => {
      if (recentlyFailed(name) && endpoints.some((other) => other !== name && !recentlyFailed(other))) {
        // Thrown before calling through: etcd3 then moves on to the next host.
        throw new Error(`etcd endpoint ${name} failed recently; trying another`);
      }
      try {
        const result = await fn(context(signal));
        failedAt.delete(name);
        return result;
      } catch (error) {
        if (error instanceof Error && isRecoverableError(error)) failedAt.set(name, clock.monotonic());
        throw error;
      }
    });

  const global = policy(async (fn, signal) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn(context(signal));
      } catch (error) {
        if (attempt >= endpoints.length || !(error instanceof Error) || !isRecoverableError(error)) throw error;
      }
    }
  });

  return { host, global, watchBackoff: noWatchRetry() };
}

function policy(execute: <T>(fn: (context: PolicyContext) => PromiseLike<T> | T, signal?: AbortSignal) => Promise<T>): Policy {
  const noEvents = () => ({ dispose: () => undefined });
  // `_altReturn` exists only in cockatiel's types.
  return { _altReturn: undefined as never, onSuccess: noEvents, onFailure: noEvents, execute };
}

function context(signal: AbortSignal | undefined): PolicyContext {
  return { signal: signal ?? new AbortController().signal };
}

/**
 * etcd3's watch manager retries a lost stream after this delay. KeyWatch
 * detaches its watcher as soon as the stream is lost, so by then there is
 * nothing left to retry: 0 lets that timer (which keeps the process alive) end at once.
 */
function noWatchRetry(): WatchBackoff {
  const step: WatchBackoff = { duration: 0, next: () => step };
  return step;
}
