/**
 * Errors of the message layer. Parse failures are values (`SipParseError`,
 * never thrown); building an unsendable message is a thrown `SipMessageError`.
 */
import type { SipParseError, SipParseErrorCode, SipRequest } from './types';

/** Every code `parseMessage` and `SipStreamFramer` can report. */
export const SIP_PARSE_ERROR_CODES: readonly SipParseErrorCode[] = Object.freeze([
  'SIP_PARSE_EMPTY',
  'SIP_PARSE_START_LINE',
  'SIP_PARSE_VERSION',
  'SIP_PARSE_HEADER',
  'SIP_PARSE_MISSING_HEADER',
  'SIP_PARSE_CONTENT_LENGTH',
  'SIP_PARSE_TOO_LARGE',
  'SIP_PARSE_TOO_MANY_HEADERS',
  'SIP_PARSE_CSEQ',
  'SIP_PARSE_VIA',
  'SIP_PARSE_URI',
  'SIP_PARSE_ENCODING',
] as const);

/** Builds a parse error value (only sets `partial` when there is one). */
export function parseError(code: SipParseErrorCode, message: string, partial?: Partial<SipRequest>): SipParseError {
  return partial === undefined ? { code, message } : { code, message, partial };
}

/** Code of {@link SipMessageError}. */
export const SIP_MESSAGE_INVALID = 'SWY_ERR_SIP_MESSAGE_INVALID';

/**
 * Thrown when code builds a message that could not be parsed back: a header
 * name that is not a token, a CR or LF in a value (header injection), a
 * method that is not a token, a status outside 100–699.
 */
export class SipMessageError extends Error {
  readonly code = SIP_MESSAGE_INVALID;

  constructor(message: string) {
    super(`${message}; fix the code that builds this SIP message (values must not contain CR or LF)`);
    this.name = 'SipMessageError';
  }
}
