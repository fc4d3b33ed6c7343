import { randomBytes } from 'node:crypto';
import type { Channel, ChannelOptions, ChannelTransport, HaChannels } from './channel';
import { ChannelRouter } from './channel-router';
import { FrameDecoder } from './frame';

export interface LoopbackOptions {
  /** Ids of the two ends, used as `peer` in log events; default `['node-a', 'node-b']`. */
  nodeIds?: [string, string];
  /** Receives both ends' log events (e.g. HaLinkCatchUp), with the emitting node's id. */
  emit?: (eventId: string, fields: Record<string, unknown>, nodeId: string) => void;
  /** Frame limit, as haLink.maxFrameBytes; default 1 MiB. */
  maxFrameBytes?: number;
}

/** The in-memory "cable" between two ends; frames go through it in FIFO order. */
class LoopbackWire {
  up = true;
  private readonly queue: Array<{ to: LoopbackChannels; frames: readonly Buffer[] }> = [];
  private draining = false;

  send(to: LoopbackChannels, frames: readonly Buffer[]): boolean {
    if (!this.up) return false;
    this.queue.push({ to, frames });
    this.drain();
    return true;
  }

  /** Runs `fn` with delivery held back, then delivers what it queued. */
  hold(fn: () => void): void {
    const wasDraining = this.draining;
    this.draining = true;
    try {
      fn();
    } finally {
      this.draining = wasDraining;
    }
    this.drain();
  }

  /** Frames in flight when the cable is pulled are lost, as on TCP. */
  cut(): void {
    this.up = false;
    this.queue.length = 0;
  }

  // Deliveries run one after another, never nested, so a handler that sends
  // from inside a delivery cannot overtake frames already on the wire.
  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    try {
      for (let item = this.queue.shift(); item; item = this.queue.shift()) item.to.receive(item.frames);
    } finally {
      this.draining = false;
    }
  }
}

/**
 * An in-memory HA link for plugin unit tests: `LoopbackChannels.pair()`
 * returns two ends whose channels talk to each other synchronously, through
 * the same framing, sequencing and catch-up code as the real HaLink.
 * `disconnect()` and `connect()` (on either end) simulate link loss.
 */
export class LoopbackChannels implements HaChannels {
  private readonly router: ChannelRouter;
  private readonly decoder: FrameDecoder;
  private peerEnd!: LoopbackChannels;

  /** Two connected ends. */
  static pair(options: LoopbackOptions = {}): [LoopbackChannels, LoopbackChannels] {
    const [idA, idB] = options.nodeIds ?? ['node-a', 'node-b'];
    const wire = new LoopbackWire();
    const a = new LoopbackChannels(idA, idB, wire, options);
    const b = new LoopbackChannels(idB, idA, wire, options);
    a.peerEnd = b;
    b.peerEnd = a;
    wire.hold(() => {
      a.router.linkUp();
      b.router.linkUp();
    });
    return [a, b];
  }

  private constructor(
    readonly nodeId: string,
    readonly peerId: string,
    private readonly wire: LoopbackWire,
    options: LoopbackOptions,
  ) {
    const maxFrameBytes = options.maxFrameBytes ?? 1024 * 1024;
    this.maxFrameBytes = maxFrameBytes;
    this.decoder = new FrameDecoder({ maxFrameBytes });
    const transport: ChannelTransport = {
      peerId,
      epoch: randomBytes(8).toString('hex'),
      maxFrameBytes,
      write: (frames) => wire.send(this.peerEnd, frames),
      emit: (id, fields) => options.emit?.(id, fields, nodeId),
    };
    this.router = new ChannelRouter(transport);
  }

  readonly maxFrameBytes: number;

  get connected(): boolean {
    return this.wire.up;
  }

  channel<T>(name: string, opts?: ChannelOptions): Channel<T> {
    return this.router.channel<T>(name, opts);
  }

  /** Plugs the cable back in: both ends catch up, synchronously. No-op when connected. */
  connect(): void {
    if (this.wire.up) return;
    this.wire.up = true;
    this.wire.hold(() => {
      this.router.linkUp();
      this.peerEnd.router.linkUp();
    });
  }

  /** Pulls the cable: sends are queued until `connect()`. No-op when disconnected. */
  disconnect(): void {
    if (!this.wire.up) return;
    this.wire.cut();
    this.router.linkDown();
    this.peerEnd.router.linkDown();
  }

  /** @internal Frames from the other end. */
  receive(frames: readonly Buffer[]): void {
    for (const bytes of frames) {
      for (const frame of this.decoder.push(bytes)) {
        if (!this.wire.up) return; // a handler pulled the cable mid-delivery
        this.router.handle(frame);
      }
    }
  }
}
