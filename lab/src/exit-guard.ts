import { teardownLabSync, type TeardownTarget } from './teardown';

/**
 * Removes this process's live labs when it exits or is told to stop, so a
 * failing test or a Ctrl-C never leaves namespaces behind. A SIGKILL cannot
 * be caught: `sweepLabs()` removes those leftovers later.
 */
const live = new Map<string, () => TeardownTarget>();
let installed = false;

function cleanupAll(): void {
  for (const target of live.values()) teardownLabSync(target());
  live.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  cleanupAll();
  uninstall();
  // With no other listener the signal's default action (terminate) is what the sender asked for.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', cleanupAll);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.off('exit', cleanupAll);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
}

/** Guards a lab until the returned release function is called (after destroy, or when the lab is detached). */
export function guardLab(prefix: string, target: () => TeardownTarget): () => void {
  live.set(prefix, target);
  install();
  return () => {
    live.delete(prefix);
    if (live.size === 0) uninstall();
  };
}
