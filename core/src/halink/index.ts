export { HaLink, type HaLinkOptions } from './link';
export type { Channel, ChannelOptions, ChannelStats, CatchUpMode, HaChannels } from './channel';
export { encodeFrame, FrameDecoder, type Frame, type FrameDecoderOptions } from './frame';
export { LoopbackChannels, type LoopbackOptions } from './loopback';
