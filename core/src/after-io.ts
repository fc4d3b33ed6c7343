/** How {@link afterIo} is called: runs `fn` later, cancellable. */
export type AfterIo = (fn: () => void) => { cancel(): void };

/**
 * Runs `fn` once this turn's I/O is read (`setImmediate`: the check phase
 * comes after the poll phase, where sockets and IPC channels are read).
 * For a look at a peer's silence made from a timer: timers run before the
 * loop reads its sockets, so after a long turn of this process, or a stall
 * of the whole host, what the peer sent may be waiting unread. Confirm the
 * silence here before acting on it (the HA link, the embedded arbiter and
 * the etcd agent do).
 */
export const afterIo: AfterIo = (fn) => {
  const immediate = setImmediate(fn);
  return { cancel: () => clearImmediate(immediate) };
};
