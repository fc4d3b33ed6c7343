/**
 * The SIP transport: a UDP+TCP listener with bind retries, a client for
 * out-of-dialog requests, and RFC 3261 response building and routing.
 */
export type { SipTransport, RemoteAddress, InboundMessage } from './remote';
export { SipListener, type SipListenerOptions, type SipBindFailure, type SipBound } from './sip-listener';
export { AnswerBudget, UDP_MAX_PAYLOAD } from './answer-budget';
export type { TcpRefusal } from './tcp-endpoint';
export { SipClient, type SipClientOptions, type SipClientRequest, type ClientResult } from './sip-client';
export { buildResponse, responseTarget, parsePartialForError, type ResponseOptions } from './response';
export { SipTransportError, SIP_TRANSPORT_ERROR_CODES, type SipTransportErrorCode } from './errors';
