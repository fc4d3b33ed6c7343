/**
 * The SIP message layer: a strict, bounded RFC 3261 parser and serialiser,
 * header access, URIs, name-addrs, Via and CSeq, and TCP framing. The rest
 * of the plugin imports only from here (see CONTRACT.md).
 */
export * from './types';
export { parseMessage } from './parse';
export { serializeMessage } from './serialize';
export { canonicalHeaderName, compactHeaderName } from './compact';
export {
  headerValue,
  headerValues,
  setHeader,
  appendHeader,
  removeHeader,
  isListHeader,
  type HeaderSource,
  type HeaderTarget,
} from './headers';
export {
  messageCSeq,
  messageFrom,
  messageTo,
  messageVias,
  messageTopVia,
  messageContacts,
  firstLineValue,
  seedVias,
} from './fields';
export { parseUri, formatUri } from './uri';
export { uriEquals, aorKey, contactMatchKey } from './uri-equals';
export { parseNameAddr, formatNameAddr, parseContacts } from './name-addr';
export { parseVia, formatVia } from './via';
export { parseCSeq, MAX_CSEQ } from './cseq';
export { SipStreamFramer } from './stream-framer';
export { SIP_PARSE_ERROR_CODES, SipMessageError, SIP_MESSAGE_INVALID } from './errors';
