/** `serializeMessage`: a SipMessage onto the wire. */
import { headerKey } from './compact';
import { SipMessageError } from './errors';
import { isToken } from './scan';
import type { SipMessage } from './types';

/** True when `text` holds a CR or LF (header injection). */
function hasCrLf(text: string): boolean {
  return text.indexOf('\r') >= 0 || text.indexOf('\n') >= 0;
}

function startLine(message: SipMessage): string {
  if (message.kind === 'request') {
    if (!isToken(message.method)) throw new SipMessageError(`method ${JSON.stringify(message.method)} is not a token`);
    if (message.uri === '' || /[\s]/.test(message.uri)) {
      throw new SipMessageError(`Request-URI ${JSON.stringify(message.uri)} is empty or contains whitespace`);
    }
    return `${message.method} ${message.uri} SIP/2.0`;
  }
  if (!Number.isInteger(message.status) || message.status < 100 || message.status > 699) {
    throw new SipMessageError(`status ${message.status} is not an integer from 100 to 699`);
  }
  if (hasCrLf(message.reason)) throw new SipMessageError('the reason phrase contains CR or LF');
  return `SIP/2.0 ${message.status} ${message.reason}`;
}

/**
 * Writes the start line, each header as stored (name as stored, one line
 * each), a correct `Content-Length` (replacing any existing one, at the
 * first one's place, else last), CRLF line endings, then the body.
 * @throws SipMessageError when the message could not be parsed back (a
 * header name that is not a token, CR/LF in a value, a bad method or status).
 */
export function serializeMessage(message: SipMessage): Buffer {
  const lines = [startLine(message)];
  const contentLength = `Content-Length: ${message.body.length}`;
  let wroteLength = false;
  for (const { name, value } of message.headers) {
    if (!isToken(name)) throw new SipMessageError(`header name ${JSON.stringify(name)} is not a token`);
    if (hasCrLf(value)) throw new SipMessageError(`the value of header ${name} contains CR or LF`);
    if (headerKey(name) === 'content-length') {
      if (!wroteLength) lines.push(contentLength);
      wroteLength = true;
      continue;
    }
    lines.push(`${name}: ${value}`);
  }
  if (!wroteLength) lines.push(contentLength);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8');
  return message.body.length === 0 ? head : Buffer.concat([head, message.body]);
}
