/**
 * Reads the start line and header section of a message: CRLF lines,
 * unfolding, UTF-8 and size limits. Keeps reading after the first error so
 * the caller can still answer 400 with the Via/From/To/Call-ID/CSeq that
 * were well formed.
 */
import { isAscii, isUtf8 } from 'node:buffer';
import { isToken, trimLws } from './scan';
import { parseStartLine, type StartLine } from './start-line';
import type { ParseLimits, SipHeader, SipParseErrorCode } from './types';

const CRLF = Buffer.from('\r\n');
const CRLFCRLF = Buffer.from('\r\n\r\n');

/**
 * The head from `offset` through its empty line as one string, when it is
 * all ASCII (nearly every message): then each line is a slice of it, with
 * no per-line buffer, UTF-8 check or decoding. Undefined otherwise (the
 * byte-wise path reads it, and finds what is wrong).
 */
function asciiHead(data: Buffer, offset: number): string | undefined {
  const end = data.indexOf(CRLFCRLF, offset);
  if (end < 0) return undefined;
  const region = data.subarray(offset, end + 4);
  return isAscii(region) ? region.toString('latin1') : undefined;
}

/** Byte offset of the next CRLF at or after byte `pos`, in the ASCII head that starts at byte `offset`; -1 when none. */
function asciiEol(ascii: string, offset: number, pos: number): number {
  const at = ascii.indexOf('\r\n', pos - offset);
  return at < 0 ? -1 : offset + at;
}

export interface Head {
  /** The parsed start line, when it was well formed. */
  startLine?: StartLine;
  /** Well-formed header fields, unfolded, in order. */
  headers: SipHeader[];
  /** Offset of the first body byte; undefined when the empty line was not reached. */
  bodyOffset?: number;
  /** The first problem found, in line order. */
  error?: { code: SipParseErrorCode; message: string };
}

type LastLine = 'none' | 'kept' | 'skipped';

/**
 * Reads from `offset` (the first byte of the start line) up to and including
 * the empty line. Never throws.
 */
export function readHead(data: Buffer, offset: number, limits: ParseLimits): Head {
  const head: Head = { headers: [] };
  const fail = (code: SipParseErrorCode, message: string): void => {
    head.error ??= { code, message };
  };
  let pos = offset;
  let sawStartLine = false;
  let last: LastLine = 'none';
  let currentBytes = 0;
  const ascii = asciiHead(data, offset);
  for (;;) {
    // In `ascii`, character i is byte offset + i.
    const eol = ascii === undefined ? data.indexOf(CRLF, pos) : asciiEol(ascii, offset, pos);
    if (eol < 0) {
      if (sawStartLine) fail('SIP_PARSE_HEADER', 'the header section does not end with an empty line (CRLF CRLF)');
      else fail('SIP_PARSE_START_LINE', 'the start line does not end with CRLF');
      break;
    }
    const lineBytes = eol - pos;
    const firstByte = data[pos];
    const text = lineBytes === 0 ? '' : ascii === undefined ? decodeLine(data.subarray(pos, eol), limits, fail) : checkLine(ascii.slice(pos - offset, eol - offset), limits, fail);
    pos = eol + 2;
    if (lineBytes === 0) {
      if (!sawStartLine) fail('SIP_PARSE_START_LINE', 'the message has no start line');
      head.bodyOffset = pos;
      break;
    }
    if (!sawStartLine) {
      sawStartLine = true;
      if (text === undefined) continue;
      const parsed = parseStartLine(text);
      if (parsed.ok) head.startLine = parsed.line;
      else fail(parsed.code, parsed.message);
      continue;
    }
    const current = head.headers[head.headers.length - 1];
    const folded = firstByte === 0x20 || firstByte === 0x09;
    if (folded) {
      if (last === 'none') fail('SIP_PARSE_HEADER', 'a continuation line (starting with SP/HT) precedes the first header');
      if (last !== 'kept' || text === undefined) {
        if (last === 'kept') dropLast(head);
        last = last === 'none' ? 'none' : 'skipped';
        continue;
      }
      currentBytes += lineBytes;
      if (currentBytes > limits.maxHeaderLineBytes) {
        fail('SIP_PARSE_TOO_LARGE', `header ${current.name} is longer than ${limits.maxHeaderLineBytes} bytes`);
        dropLast(head);
        last = 'skipped';
        continue;
      }
      const piece = trimLws(text);
      if (piece !== '') current.value = current.value === '' ? piece : `${current.value} ${piece}`;
      continue;
    }
    last = 'skipped';
    if (text === undefined) continue;
    const colon = text.indexOf(':');
    const name = colon < 0 ? '' : trimLws(text.slice(0, colon));
    if (!isToken(name)) {
      fail('SIP_PARSE_HEADER', `${JSON.stringify(text.slice(0, 80))} is not "name: value"`);
      continue;
    }
    if (head.headers.length >= limits.maxHeaders) {
      fail('SIP_PARSE_TOO_MANY_HEADERS', `the message has more than ${limits.maxHeaders} header fields`);
      break;
    }
    head.headers.push({ name, value: trimLws(text.slice(colon + 1)) });
    currentBytes = lineBytes;
    last = 'kept';
  }
  return head;
}

function dropLast(head: Head): void {
  head.headers.pop();
}

/** One physical line as text, or undefined (after recording why) when it is unusable. */
function decodeLine(
  raw: Buffer,
  limits: ParseLimits,
  fail: (code: SipParseErrorCode, message: string) => void,
): string | undefined {
  if (raw.length > limits.maxHeaderLineBytes) {
    fail('SIP_PARSE_TOO_LARGE', `a line is longer than ${limits.maxHeaderLineBytes} bytes`);
    return undefined;
  }
  if (!isUtf8(raw)) {
    fail('SIP_PARSE_ENCODING', 'the start line or a header is not valid UTF-8');
    return undefined;
  }
  return checkLine(raw.toString('utf8'), limits, fail);
}

/** One line as text (decoded by `decodeLine`, or sliced from an ASCII head): the length and CR/LF checks. */
function checkLine(text: string, limits: ParseLimits, fail: (code: SipParseErrorCode, message: string) => void): string | undefined {
  // ASCII: characters are bytes. (Decoded UTF-8 was measured in bytes; it has no more characters than bytes.)
  if (text.length > limits.maxHeaderLineBytes) {
    fail('SIP_PARSE_TOO_LARGE', `a line is longer than ${limits.maxHeaderLineBytes} bytes`);
    return undefined;
  }
  if (text.indexOf('\r') >= 0 || text.indexOf('\n') >= 0) {
    fail('SIP_PARSE_HEADER', 'a line contains a bare CR or LF');
    return undefined;
  }
  return text;
}
