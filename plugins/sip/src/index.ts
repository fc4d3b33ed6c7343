/**
 * @switchyard/plugin-sip — the SIP service plugin (`sip`).
 */
export { sipPlugin as default, sipPlugin } from './plugin';
export { SipTokens, getSipHooks, type SipApi, type SipRequestOptions, type SipRequestResult, type SipStatus } from './sip-api';
export { createSipHooks, type SipHooks, type InboundRequest, type SipReply } from './sip-hooks';
export { SipEvent, SIP_EVENTS } from './events';
export { sipOptionsSchema, sipNodeSchema, type SipOptions, type SipNodeOptions } from './options';
export * from './message';
export type { InboundMessage, RemoteAddress, SipTransport } from './transport';
export { SIP_ERROR_CODES, type SipErrorCode } from './errors';
export type { Binding, BindingChange } from './store';
