import type { Clock } from '@switchyard/sdk';

/** Waits `ms` on the injected clock; rejects at once when `signal` aborts (the retries of `exec` and `webhook`). */
export function abortableSleep(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason ?? new Error('aborted'));
      return;
    }
    const onAbort = () => {
      timer.cancel();
      reject(signal.reason ?? new Error('aborted'));
    };
    const timer = clock.setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
