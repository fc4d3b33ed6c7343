/** A function made by {@link coalescedRun}, with the run under way (if any). */
export type CoalescedRun = (() => Promise<void>) & { readonly running: Promise<void> | undefined };

/**
 * Wraps `task` so that calls never overlap: a call while a run is under
 * way does not start another at once but asks for one more run after it,
 * and every call made meanwhile shares that one (so the last change before
 * a call is always seen, and a burst of calls costs at most two runs).
 * The promise resolves when the runs the call waits for are over; `task`
 * rejecting ends them and rejects it. `more()` false stops the repeat
 * (e.g. once the owner is stopped).
 */
export function coalescedRun(task: () => Promise<void>, more: () => boolean = () => true): CoalescedRun {
  let running: Promise<void> | undefined;
  let again = false;
  const run = () => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await task();
      } while (again && more());
    })().finally(() => {
      running = undefined;
    });
    return running;
  };
  return Object.defineProperty(run, 'running', { get: () => running }) as CoalescedRun;
}
