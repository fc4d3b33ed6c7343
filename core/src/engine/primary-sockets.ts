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
   * Resolves with the handles once the agent has sent them (it does after
   * ordering this node primary, once the previous holder let them go). The
   * caller owns them from then on and must call {@link release} once it has
   * closed them.
   */
  take(name: string): Promise<PrimarySocketHandles>;
  /** The caller closed (or never took) the sockets of `name`: the agent may hand them to the next primary. Call it on every demotion. */
  release(name: string): void;
}

interface Slot {
  udp?: unknown;
  tcp?: unknown;
  /** Handles arrived since the last release: the agent counts this node as their holder. */
  holding: boolean;
  waiters: ((handles: PrimarySocketHandles) => void)[];
}

/**
 * A node's end of the agent's primary sockets (`primarySockets` of a
 * plugin definition, single host): the handles arrive over IPC with the
 * primary order; the plugin takes them, serves, closes them on demotion and
 * releases them, and only then does the agent give them to the other node,
 * so two processes never read one socket.
 */
export class PrimarySockets implements PrimarySocketsView {
  private readonly slots = new Map<string, Slot>();

  constructor(
    names: readonly string[],
    private readonly sendReleased: (name: string) => void,
  ) {
    for (const name of names) this.slots.set(name, { holding: false, waiters: [] });
  }

  offered(name: string): boolean {
    return this.slots.has(name);
  }

  /** One handle from the agent. */
  receive(name: string, transport: 'udp' | 'tcp', handle: unknown): void {
    const slot = this.slots.get(name);
    if (!slot) {
      closeHandle(handle);
      return;
    }
    slot[transport] = handle;
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
    // Handles nobody took (a demotion raced their arrival) are closed here.
    for (const handle of [slot.udp, slot.tcp]) if (handle !== undefined) closeHandle(handle);
    slot.udp = undefined;
    slot.tcp = undefined;
    slot.waiters = [];
    if (!slot.holding) return;
    slot.holding = false;
    this.sendReleased(name);
  }

  private deliver(slot: Slot): void {
    if (slot.udp === undefined || slot.tcp === undefined) return;
    const waiter = slot.waiters.shift();
    if (!waiter) return;
    const handles = { udp: slot.udp, tcp: slot.tcp };
    slot.udp = undefined;
    slot.tcp = undefined;
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
