import { LoopbackChannels, type Channel, type ChannelOptions, type HaChannels } from '@switchyard/sdk';

type Handlers = {
  message: Set<(message: unknown, seq: number) => void>;
  snapshot: Set<(data: unknown, seq: number) => void>;
  synced: Set<() => void>;
};

/**
 * One node's HA-link end whose cable can be replaced while the node runs, to
 * restart the *other* node in-process: `relink()` plugs this node into a
 * fresh loopback pair and returns the far end for the restarted node. The
 * plugin keeps the Channel objects it opened; they forward to the new
 * cable, which catches up from scratch as after a peer restart.
 */
export class RelinkableChannels implements HaChannels {
  private end: LoopbackChannels;
  private readonly channels = new Map<string, { options: ChannelOptions | undefined; facade: ForwardingChannel<unknown> }>();

  constructor(end: LoopbackChannels) {
    this.end = end;
  }

  /** Two connected ends; the first is relinkable. */
  static pair(): [RelinkableChannels, LoopbackChannels] {
    const [a, b] = LoopbackChannels.pair({ nodeIds: ['node-a', 'node-b'] });
    return [new RelinkableChannels(a), b];
  }

  get connected(): boolean {
    return this.end.connected;
  }
  get maxFrameBytes(): number {
    return this.end.maxFrameBytes;
  }

  channel<T>(name: string, options?: ChannelOptions): Channel<T> {
    const facade = new ForwardingChannel<unknown>(name, this.end.channel(name, options));
    this.channels.set(name, { options, facade });
    return facade as Channel<T>;
  }

  /** Unplugs the old cable (the peer "died") and plugs in a new one; returns the end for the restarted peer. */
  relink(): LoopbackChannels {
    this.end.disconnect();
    const [mine, theirs] = LoopbackChannels.pair({ nodeIds: ['node-a', 'node-b'] });
    this.end = mine;
    for (const [name, { options, facade }] of this.channels) facade.attach(mine.channel(name, options));
    return theirs;
  }
}

class ForwardingChannel<T> implements Channel<T> {
  private readonly handlers: Handlers = { message: new Set(), snapshot: new Set(), synced: new Set() };
  private detach: (() => void)[] = [];

  constructor(
    readonly name: string,
    private inner: Channel<T>,
  ) {
    this.subscribe();
  }

  attach(inner: Channel<T>): void {
    for (const off of this.detach) off();
    this.inner = inner;
    this.subscribe();
  }

  send(message: T): number {
    return this.inner.send(message);
  }
  onMessage(handler: (message: T, seq: number) => void): () => void {
    return this.add('message', handler as (message: unknown, seq: number) => void);
  }
  onSnapshot(handler: (data: unknown, seq: number) => void): () => void {
    return this.add('snapshot', handler);
  }
  onSynced(handler: () => void): () => void {
    return this.add('synced', handler);
  }
  stats() {
    return this.inner.stats();
  }

  private add<K extends keyof Handlers>(kind: K, handler: Handlers[K] extends Set<infer H> ? H : never): () => void {
    (this.handlers[kind] as Set<typeof handler>).add(handler);
    return () => void (this.handlers[kind] as Set<typeof handler>).delete(handler);
  }

  private subscribe(): void {
    this.detach = [
      this.inner.onMessage((message, seq) => this.handlers.message.forEach((h) => h(message, seq))),
      this.inner.onSnapshot((data, seq) => this.handlers.snapshot.forEach((h) => h(data, seq))),
      this.inner.onSynced(() => this.handlers.synced.forEach((h) => h())),
    ];
  }
}
