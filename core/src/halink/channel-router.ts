import { SwitchyardError } from '../errors';
import type { Frame } from './frame';
import { ChannelEndpoint, type Channel, type ChannelOptions, type ChannelTransport, type HaChannels } from './channel';
import { FrameType, peerValue, protocolError, readString } from './protocol';

/** Catch-up requests kept for channels this node has not opened yet. */
const MAX_WAITING_SYNCS = 1024;

/**
 * The channels of one node: opens them, fans link up/down out to them and
 * routes the peer's channel frames. Shared by HaLink and LoopbackChannels.
 */
export class ChannelRouter {
  private readonly channels = new Map<string, ChannelEndpoint<unknown>>();
  // The peer may open a channel before we do; its request waits for ours.
  private readonly waitingSyncs = new Map<string, Frame>();
  private up = false;

  constructor(private readonly transport: ChannelTransport) {}

  channel<T>(name: string, opts: ChannelOptions = {}): Channel<T> {
    if (typeof name !== 'string' || name === '') {
      throw new SwitchyardError('SWY_ERR_HALINK_CHANNEL', 'A channel needs a non-empty name (use the plugin name as a prefix).');
    }
    if (this.channels.has(name)) {
      throw new SwitchyardError('SWY_ERR_HALINK_CHANNEL', `Channel "${name}" is already open on this node; open each channel once and share it.`, {
        details: { channel: name },
      });
    }
    const endpoint = new ChannelEndpoint<T>(name, opts, this.transport);
    this.channels.set(name, endpoint as ChannelEndpoint<unknown>);
    if (this.up) {
      // Catch up once the caller has registered its handlers (channel() returns first).
      queueMicrotask(() => {
        if (!this.up || this.channels.get(name) !== endpoint) return;
        endpoint.linkUp();
        const waiting = this.waitingSyncs.get(name);
        this.waitingSyncs.delete(name);
        if (waiting) endpoint.handle(waiting);
      });
    }
    return endpoint;
  }

  linkUp(): void {
    this.up = true;
    for (const endpoint of this.channels.values()) endpoint.linkUp();
  }

  linkDown(): void {
    this.up = false;
    this.waitingSyncs.clear();
    for (const endpoint of this.channels.values()) endpoint.linkDown();
  }

  /**
   * Routes one channel frame. Returns false when `frame.t` is not a channel
   * frame type; throws SwitchyardError when the frame is malformed.
   */
  handle(frame: Frame): boolean {
    if (frame.t !== FrameType.Sync && frame.t !== FrameType.CatchUp && frame.t !== FrameType.Message) return false;
    const name = readString(frame, 'channel');
    const endpoint = this.channels.get(name);
    if (endpoint) {
      endpoint.handle(frame);
    } else if (frame.t === FrameType.Sync) {
      if (this.waitingSyncs.size < MAX_WAITING_SYNCS || this.waitingSyncs.has(name)) this.waitingSyncs.set(name, frame);
    } else {
      // We never asked for this channel, so the peer has no reason to send on it.
      throw protocolError(`"${frame.t}" frame for channel "${peerValue(name)}", which this node has not opened`);
    }
    return true;
  }
}
