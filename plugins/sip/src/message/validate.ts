/**
 * Checks on a message whose head was read: the Request-URI, the mandatory
 * headers, and the headers the transaction layer relies on (Via, CSeq,
 * From, To, Call-ID). Contact is left to `parseContacts`, so a message with
 * a malformed Contact still reaches the application (which answers 400).
 */
import { isCallId } from './cseq';
import { parseError } from './errors';
import { messageCSeq, messageFrom, messageTo, messageVias } from './fields';
import { countByKey, firstLineByKey, linesByKey, splitHeaderValue } from './headers';
import { isAbsoluteUri, parseUri, uriScheme } from './uri';
import { parseVia } from './via';
import type { NameAddr, SipMessage, SipParseError } from './types';

/** Headers a request must carry (RFC 3261 §8.1.1) and their keys; Max-Forwards is left out on purpose (many clients omit it). */
const MANDATORY_REQUEST_HEADERS = [
  ['To', 'to'],
  ['From', 'from'],
  ['CSeq', 'cseq'],
  ['Call-ID', 'call-id'],
  ['Via', 'via'],
] as const;

/** Request-URI: a valid sip/sips/tel URI without headers (RFC 3261 §19.1.1 table), or another scheme's absoluteURI. */
export function checkRequestUri(uri: string): SipParseError | undefined {
  const scheme = uriScheme(uri);
  if (scheme === 'sip' || scheme === 'sips' || scheme === 'tel') {
    const parsed = parseUri(uri);
    if (parsed === undefined) return parseError('SIP_PARSE_URI', `Request-URI ${JSON.stringify(uri)} is not a valid ${scheme} URI`);
    if (Object.keys(parsed.headers).length > 0) {
      return parseError('SIP_PARSE_URI', `Request-URI ${JSON.stringify(uri)} carries URI headers, which a Request-URI may not`);
    }
    return undefined;
  }
  return isAbsoluteUri(uri) ? undefined : parseError('SIP_PARSE_URI', `Request-URI ${JSON.stringify(uri)} is not an absolute URI`);
}

/** True when a header value holds at least one list element (a character other than `,` SP HT). */
function hasElement(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code !== 0x2c && code !== 0x20 && code !== 0x09) return true;
  }
  return false;
}

function checkVias(message: SipMessage): SipParseError | undefined {
  // The parsed Vias stay with the message for the response; the first problem is named by the loop below.
  const lines = linesByKey(message, 'via');
  if (lines.every((line) => hasElement(line.value)) && !messageVias(message).includes(undefined)) return undefined;
  for (const line of lines) {
    const values = splitHeaderValue(line.value);
    if (values.length === 0) return parseError('SIP_PARSE_VIA', 'a Via header is empty');
    for (const value of values) {
      if (parseVia(value) === undefined) return parseError('SIP_PARSE_VIA', `Via ${JSON.stringify(value)} is malformed`);
    }
  }
  return undefined;
}

function checkCSeq(message: SipMessage): SipParseError | undefined {
  const count = countByKey(message, 'cseq');
  if (count === 0) return undefined;
  if (count > 1) return parseError('SIP_PARSE_CSEQ', 'the message has more than one CSeq');
  const cseq = messageCSeq(message);
  if (cseq === undefined) return parseError('SIP_PARSE_CSEQ', `CSeq ${JSON.stringify(firstLineByKey(message, 'cseq')!.value)} is not "<number below 2^31> <method>"`);
  if (message.kind === 'request' && cseq.method !== message.method) {
    return parseError('SIP_PARSE_CSEQ', `CSeq method ${cseq.method} differs from the request method ${message.method}`);
  }
  return undefined;
}

/** From/To: a name-addr or addr-spec, never `*`. */
function isAddress(address: NameAddr | undefined): boolean {
  return address !== undefined && address.wildcard !== true;
}

const SINGLE_KEYS = { From: 'from', To: 'to', 'Call-ID': 'call-id' } as const;

function checkSingle(message: SipMessage, name: 'From' | 'To' | 'Call-ID'): SipParseError | undefined {
  const count = countByKey(message, SINGLE_KEYS[name]);
  if (count === 0) return undefined;
  if (count > 1) return parseError('SIP_PARSE_HEADER', `the message has more than one ${name}`);
  const value = firstLineByKey(message, SINGLE_KEYS[name])!.value;
  const valid = name === 'Call-ID' ? isCallId(value) : isAddress(name === 'From' ? messageFrom(message) : messageTo(message));
  return valid ? undefined : parseError('SIP_PARSE_HEADER', `${name} ${JSON.stringify(value)} is malformed`);
}

/** The first problem of a read message, in the order: mandatory headers, Via, CSeq, From/To/Call-ID. */
export function checkMessage(message: SipMessage): SipParseError | undefined {
  if (message.kind === 'request') {
    for (const [name, key] of MANDATORY_REQUEST_HEADERS) {
      if (firstLineByKey(message, key) === undefined) return parseError('SIP_PARSE_MISSING_HEADER', `the request has no ${name} header`);
    }
  }
  return checkVias(message) ?? checkCSeq(message) ?? checkSingle(message, 'From') ?? checkSingle(message, 'To') ?? checkSingle(message, 'Call-ID');
}
