import { SwitchyardError, describeError, isSwitchyardError } from '../errors';
import { CoreEvent } from '../events/core-events';
import { encodeFrame, type Frame } from './frame';
import { FrameType, readCount, readOneOf, readOptionalString, readString } from './protocol';
import { RetainedLog } from './retained-log';

export interface ChannelOptions {
  /** Messages kept for resending after a reconnect; default 10000. */
  retain?: number;
  /**
   * Bytes of messages kept for resending, at most; default 4 MiB. A peer
   * that missed more gets the snapshot instead (or a gap, without one).
   */
  retainBytes?: number;
  /** Current state, sent instead of messages the peer missed and this node no longer retains. */
  snapshot?: () => unknown;
}

export interface ChannelStats {
  /** Messages this node sent on the channel since the HaLink was created. */
  sent: number;
  lastSentSeq: number;
  /** Last in-order sequence number received from the peer. */
  lastReceivedSeq: number;
  /** Messages sent but not yet written to a connected peer (queued while the link is down). */
  pending: number;
}

/**
 * An ordered, replicated message stream to the peer node. Messages sent while
 * the link is down are delivered, in order, after it is back; the receiver
 * sees each message once.
 */
export interface Channel<T> {
  readonly name: string;
  /** Queues `message` for the peer; returns its sequence number (1, 2, 3, … per sender epoch). */
  send(message: T): number;
  /** Each message from the peer, in order. Returns an unsubscribe function. */
  onMessage(handler: (message: T, seq: number) => void): () => void;
  /** The peer's state replaced the messages we missed; `seq` is the last message it covers. */
  onSnapshot(handler: (data: unknown, seq: number) => void): () => void;
  /** A catch-up after a (re)connect completed; we are now level with the peer. */
  onSynced(handler: () => void): () => void;
  stats(): ChannelStats;
}

/** The channel API plugins receive (DI token `CoreTokens.HaChannels`). */
export interface HaChannels {
  /** Opens channel `name` (once per node; a second open throws `SWY_ERR_HALINK_CHANNEL`). */
  channel<T>(name: string, opts?: ChannelOptions): Channel<T>;
  /** Whether the link to the peer is up (authenticated) now. */
  readonly connected: boolean;
  /** Largest frame the link carries (haLink.maxFrameBytes); a message must fit in one. */
  readonly maxFrameBytes: number;
}

export type CatchUpMode = 'resume' | 'snapshot' | 'gap';
const CATCH_UP_MODES: readonly CatchUpMode[] = ['resume', 'snapshot', 'gap'];
const DEFAULT_RETAIN = 10_000;
const DEFAULT_RETAIN_BYTES = 4 * 1024 * 1024;

/** What a channel needs from the link that carries it. */
export interface ChannelTransport {
  readonly peerId: string;
  /** This sender's epoch: new per HaLink instance, so a restarted peer is told apart. */
  readonly epoch: string;
  readonly maxFrameBytes: number;
  /**
   * Writes encoded frames, in order and as one unit, if the link is up;
   * false when it is down.
   */
  write(frames: readonly Buffer[]): boolean;
  emit(eventId: string, fields: Record<string, unknown>): void;
}

interface CatchUp {
  mode: CatchUpMode;
  lastSeq: number;
  count: number;
}

/**
 * Both directions of one channel. Sending: a retained log and, per
 * connection, streaming starts once the peer asked where to resume (`sync`).
 * Receiving: on link-up ask for everything after the last message seen,
 * then accept the `catchup` answer and the messages that follow it.
 */
export class ChannelEndpoint<T> implements Channel<T> {
  private readonly log: RetainedLog;
  private readonly snapshot: (() => unknown) | undefined;
  private readonly messageHandlers = new Set<(message: T, seq: number) => void>();
  private readonly snapshotHandlers = new Set<(data: unknown, seq: number) => void>();
  private readonly syncedHandlers = new Set<() => void>();
  private lastSentSeq = 0;
  private lastWrittenSeq = 0;
  private streaming = false;
  private peerEpoch: string | null = null;
  private lastReceivedSeq = 0;
  private phase: 'down' | 'requested' | 'replaying' | 'live' = 'down';
  private catchUp: CatchUp | undefined;

  constructor(
    readonly name: string,
    options: ChannelOptions,
    private readonly transport: ChannelTransport,
  ) {
    const retain = options.retain ?? DEFAULT_RETAIN;
    if (!Number.isSafeInteger(retain) || retain < 0) {
      throw new SwitchyardError('SWY_ERR_HALINK_CHANNEL', `Channel "${name}": retain must be an integer ≥ 0, got ${String(retain)}.`);
    }
    const retainBytes = options.retainBytes ?? DEFAULT_RETAIN_BYTES;
    if (!Number.isSafeInteger(retainBytes) || retainBytes < 0) {
      throw new SwitchyardError('SWY_ERR_HALINK_CHANNEL', `Channel "${name}": retainBytes must be an integer ≥ 0, got ${String(retainBytes)}.`);
    }
    this.log = new RetainedLog(retain, retainBytes);
    this.snapshot = options.snapshot;
  }

  send(message: T): number {
    const seq = this.lastSentSeq + 1;
    let frame: Buffer;
    try {
      frame = encodeFrame({ t: FrameType.Message, channel: this.name, seq, data: message }, this.transport.maxFrameBytes);
    } catch (error) {
      if (!isSwitchyardError(error)) throw error;
      throw new SwitchyardError(error.code, `Channel "${this.name}" cannot send a message: ${error.message}`, {
        cause: error,
        details: { channel: this.name },
      });
    }
    this.lastSentSeq = seq;
    this.log.push(seq, frame);
    if (this.streaming && this.transport.write([frame])) this.lastWrittenSeq = seq;
    return seq;
  }

  onMessage(handler: (message: T, seq: number) => void): () => void {
    this.messageHandlers.add(handler);
    return () => this.messageHandlers.delete(handler);
  }

  onSnapshot(handler: (data: unknown, seq: number) => void): () => void {
    this.snapshotHandlers.add(handler);
    return () => this.snapshotHandlers.delete(handler);
  }

  onSynced(handler: () => void): () => void {
    this.syncedHandlers.add(handler);
    return () => this.syncedHandlers.delete(handler);
  }

  stats(): ChannelStats {
    return {
      sent: this.lastSentSeq,
      lastSentSeq: this.lastSentSeq,
      lastReceivedSeq: this.lastReceivedSeq,
      pending: this.lastSentSeq - this.lastWrittenSeq,
    };
  }

  /** The link is up (or the channel opened while it was): ask the peer where to resume. */
  linkUp(): void {
    this.requestCatchUp();
  }

  linkDown(): void {
    this.streaming = false;
    this.phase = 'down';
    this.catchUp = undefined;
  }

  /** A `sync`, `catchup` or `msg` frame for this channel; throws SwitchyardError when malformed. */
  handle(frame: Frame): void {
    if (frame.t === FrameType.Sync) this.answerSync(frame);
    else if (frame.t === FrameType.CatchUp) this.beginCatchUp(frame);
    else this.receive(frame);
  }

  // ---- sending side -------------------------------------------------------

  private answerSync(frame: Frame): void {
    const epoch = readOptionalString(frame, 'epoch');
    const fromSeq = readCount(frame, 'fromSeq', 1);
    // Same epoch: the peer is somewhere in our stream. No epoch: it has nothing
    // yet. Another epoch: its state came from an earlier life of this node.
    const inStream = epoch === this.transport.epoch && fromSeq <= this.lastSentSeq + 1;
    const start = inStream ? fromSeq : 1;
    if ((inStream || epoch === null) && this.log.covers(start)) {
      this.writeCatchUp('resume', start - 1, this.log.from(start));
      return;
    }
    if (this.snapshot && this.writeSnapshot()) return;
    this.writeCatchUp('gap', this.log.firstSeq - 1, this.log.from(0));
  }

  private writeSnapshot(): boolean {
    let header: Buffer;
    try {
      const data = this.snapshot!();
      header = this.header('snapshot', this.lastSentSeq, data);
    } catch (error) {
      this.reportHandlerFailure('snapshot', error);
      return false;
    }
    this.startStreaming(header, []);
    return true;
  }

  private writeCatchUp(mode: CatchUpMode, baseSeq: number, replay: Buffer[]): void {
    this.startStreaming(this.header(mode, baseSeq), replay);
  }

  private header(mode: CatchUpMode, baseSeq: number, snapshot?: unknown): Buffer {
    const frame: Frame = {
      t: FrameType.CatchUp,
      channel: this.name,
      epoch: this.transport.epoch,
      mode,
      baseSeq,
      lastSeq: mode === 'snapshot' ? baseSeq : this.lastSentSeq,
      ...(mode === 'snapshot' ? { snapshot } : {}),
    };
    return encodeFrame(frame, this.transport.maxFrameBytes);
  }

  private startStreaming(header: Buffer, replay: Buffer[]): void {
    // Streaming starts before the write: a message sent from a handler the
    // write triggers (loopback delivers synchronously) must go out live, after
    // the replay, not sit in the log unsent.
    const written = this.lastWrittenSeq;
    this.streaming = true;
    this.lastWrittenSeq = this.lastSentSeq;
    if (!this.transport.write([header, ...replay])) {
      this.streaming = false;
      this.lastWrittenSeq = written;
    }
  }

  // ---- receiving side -----------------------------------------------------

  private requestCatchUp(): void {
    this.phase = 'requested';
    this.catchUp = undefined;
    const request: Frame = { t: FrameType.Sync, channel: this.name, epoch: this.peerEpoch, fromSeq: this.lastReceivedSeq + 1 };
    this.transport.write([encodeFrame(request)]);
  }

  private beginCatchUp(frame: Frame): void {
    const epoch = readString(frame, 'epoch');
    const mode = readOneOf(frame, 'mode', CATCH_UP_MODES);
    const baseSeq = readCount(frame, 'baseSeq');
    const lastSeq = readCount(frame, 'lastSeq', baseSeq);
    this.peerEpoch = epoch;
    this.lastReceivedSeq = baseSeq;
    this.phase = 'replaying';
    this.catchUp = { mode, lastSeq, count: 0 };
    if (mode === 'snapshot') {
      for (const handler of [...this.snapshotHandlers]) this.invoke('onSnapshot', () => handler(frame.snapshot, baseSeq));
    }
    this.finishCatchUpIfDone();
  }

  private receive(frame: Frame): void {
    const seq = readCount(frame, 'seq', 1);
    // Before the `catchup` answer, anything streamed is covered by the answer.
    if (this.phase === 'down' || this.phase === 'requested') return;
    if (seq <= this.lastReceivedSeq) return; // duplicate
    if (seq > this.lastReceivedSeq + 1) {
      this.requestCatchUp(); // gap: ask again from the last message we have
      return;
    }
    this.lastReceivedSeq = seq;
    if (this.catchUp) this.catchUp.count++;
    const message = frame.data as T;
    for (const handler of [...this.messageHandlers]) this.invoke('onMessage', () => handler(message, seq));
    this.finishCatchUpIfDone();
  }

  private finishCatchUpIfDone(): void {
    const catchUp = this.catchUp;
    if (this.phase !== 'replaying' || !catchUp || this.lastReceivedSeq < catchUp.lastSeq) return;
    this.phase = 'live';
    this.catchUp = undefined;
    if (catchUp.mode !== 'resume' || catchUp.count > 0) {
      this.transport.emit(CoreEvent.HaLinkCatchUp, {
        channel: this.name,
        peer: this.transport.peerId,
        mode: catchUp.mode,
        count: catchUp.count,
      });
    }
    for (const handler of [...this.syncedHandlers]) this.invoke('onSynced', handler);
  }

  /** A plugin's handler must not break the link: report its failure and go on. */
  private invoke(hook: string, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.reportHandlerFailure(hook, error);
    }
  }

  private reportHandlerFailure(hook: string, error: unknown): void {
    this.transport.emit(CoreEvent.PluginHookFailed, {
      plugin: `channel ${this.name}`,
      hook,
      error: describeError(error),
    });
  }
}
