import { AsyncSeriesBailHook, SyncHook } from 'tapable';
import type { SipMessage, SipRequest } from './message';
import type { InboundMessage, RemoteAddress } from './transport';

/** A request as the `request` hook sees it. */
export interface InboundRequest extends InboundMessage {
  message: SipRequest;
}

/** What a `request` tap may answer with instead of the built-in handling. */
export interface SipReply {
  status: number;
  reason: string;
  headers?: { name: string; value: string }[];
}

/**
 * Hooks the SIP plugin offers to other plugins (webpack's
 * `getCompilationHooks` pattern: get them with {@link getSipHooks}).
 */
export interface SipHooks {
  /**
   * Every inbound SIP message, request or response (probe answers too),
   * with its source and transport. Sync, called once per message: keep taps
   * O(1) (sip-pass-check resets its silence timer here).
   */
  readonly message: SyncHook<[InboundMessage]>;
  /**
   * Every inbound request this node serves as primary, before the built-in
   * registrar / OPTIONS / redirect handling. Return a reply to answer it.
   */
  readonly request: AsyncSeriesBailHook<[InboundRequest], SipReply | undefined>;
}

export function createSipHooks(): SipHooks {
  return Object.freeze({
    message: new SyncHook<[InboundMessage]>(['inbound']),
    request: new AsyncSeriesBailHook<[InboundRequest], SipReply | undefined>(['request']),
  });
}

export type { InboundMessage, RemoteAddress, SipMessage };
