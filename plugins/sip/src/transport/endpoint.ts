import type { Clock } from '@switchyard/sdk';
import { parseMessage, type ParseLimits, type SipParseError } from '../message';
import type { InboundMessage, RemoteAddress } from './remote';

/** How a UDP or TCP endpoint reports what it received. Called synchronously. */
export interface EndpointHandlers {
  onMessage(inbound: InboundMessage): void;
  /**
   * Bytes that are not a SIP message. For TCP the connection is closed right
   * after this returns when the error broke the framing, so a 400 must be
   * sent from inside the call (a send to `remote` is written synchronously).
   */
  onParseError(info: { remote: RemoteAddress; error: SipParseError }): void;
}

/** What both endpoints share. */
export interface EndpointContext {
  clock: Clock;
  limits: ParseLimits;
  handlers: EndpointHandlers;
}

/** Parses one datagram or TCP frame and hands the result to the handlers. */
export function deliver(ctx: EndpointContext, raw: Buffer, remote: RemoteAddress): void {
  const result = parseMessage(raw, ctx.limits);
  if (result.ok) ctx.handlers.onMessage({ message: result.message, raw, remote, receivedAt: ctx.clock.now() });
  else ctx.handlers.onParseError({ remote, error: result.error });
}
