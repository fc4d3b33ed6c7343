/**
 * The bound sockets (a UDP socket and a TCP socket, bound but not
 * listening) of one address that only the primary may serve, as the agent
 * hands them over: opaque handles for `dgram.Socket#bind(handle)` and
 * `net.Server#listen(handle)`.
 */
export interface PrimarySocketHandles {
  udp: unknown;
  tcp: unknown;
}

/** A plugin's view: see {@link PrimarySockets}. */
export interface PrimarySocketsView {
  /** Whether this node's agent bound `name` and hands it to the primary (false: bind it yourself). */
  offered(name: string): boolean;
  /**
   * Resolves with the handles once the agent says so (after ordering this
   * node primary, once the previous holder let them go). The caller owns
   * them from then on and must call {@link release} once it has closed them.
   */
  take(name: string): Promise<PrimarySocketHandles>;
  /** The caller closed (or never took) the sockets of `name`: the agent may hand them to the next primary. Call it on every demotion. */
  release(name: string): void;
}

interface Slot {
  udp?: unknown;
  tcp?: unknown;
  /** The agent said this node may read them now (the previous holder let go). */
  go: boolean;
  /** Go came since the last release: the agent counts this node as their holder. */
  holding: boolean;
  waiters: ((handles: PrimarySocketHandles) => void)[];
}

/**
 * A node's end of the agent's primary sockets (`primarySockets` of a
 * plugin definition, single host). The agent sends this node a copy of the
 * bound sockets ahead of time (unread: nothing here reads them), and a
 * `go` once it is ordered primary and the previous holder has let go; only
 * then does `take` hand them to the plugin, which serves them, closes them
 * on demotion and releases them. Two processes never read one socket, and
 * a promotion waits for one small message, not for sockets in flight.
 */
export class PrimarySockets implements PrimarySocketsView {
  private readonly slots = new Map<string, Slot>();

  constructor(
    names: readonly string[],
    private readonly sendReleased: (name: string) => void,
  ) {
    for (const name of names) this.slots.set(name, { go: false, holding: false, waiters: [] });
  }

  offered(name: string): boolean {
    return this.slots.has(name);
  }

  /** One handle from the agent (a copy to keep ready, unread). */
  receive(name: string, transport: 'udp' | 'tcp', handle: unknown): void {
    const slot = this.slots.get(name);
    if (!slot) {
      closeHandle(handle);
      return;
    }
    if (slot[transport] !== undefined) closeHandle(slot[transport]);
    slot[transport] = handle;
    this.deliver(slot);
  }

  /** The agent's go: this node, primary, may read `name` now. */
  go(name: string): void {
    const slot = this.slots.get(name);
    if (!slot) return;
    slot.go = true;
    slot.holding = true;
    this.deliver(slot);
  }

  take(name: string): Promise<PrimarySocketHandles> {
    const slot = this.slots.get(name);
    if (!slot) return Promise.reject(new RangeError(`primary socket "${name}" is not offered by this node's agent`));
    return new Promise((resolve) => {
      slot.waiters.push(resolve);
      this.deliver(slot);
    });
  }

  release(name: string): void {
    const slot = this.slots.get(name);
    if (!slot) return;
    // Copies nobody took (kept ready, or a demotion raced the go) are closed here; the agent sends fresh ones.
    for (const handle of [slot.udp, slot.tcp]) if (handle !== undefined) closeHandle(handle);
    slot.udp = undefined;
    slot.tcp = undefined;
    slot.waiters = [];
    slot.go = false;
    if (!slot.holding) return;
    slot.holding = false;
    this.sendReleased(name);
  }

  private deliver(slot: Slot): void {
    if (!slot.go || slot.udp === undefined || slot.tcp === undefined) return;
    const waiter = slot.waiters.shift();
    if (!waiter) return;
    const handles = { udp: slot.udp, tcp: slot.tcp };
    slot.udp = undefined;
    slot.tcp = undefined;
    slot.go = false;
    waiter(handles);
  }
}

function closeHandle(handle: unknown): void {
  try {
    (handle as { close?: () => void }).close?.();
  } catch {
    // already closed
  }
}
