/**
 * TCP/TLS framing (RFC 3261 §18.3): a message ends Content-Length bytes
 * after the CRLFCRLF that ends its head. CRLF keep-alives between messages
 * (RFC 5626 §3.5.1) are dropped. Buffering is bounded by maxMessageBytes.
 */
import { headerKey } from './compact';
import { contentLengthOf } from './content-length';
import { parseError } from './errors';
import { resolveParseLimits } from './limits';
import { partialFromHead } from './parse';
import type { ParseLimits, SipParseError, SipParseErrorCode } from './types';

const CRLFCRLF = Buffer.from('\r\n\r\n');

/** Content-Length values of a head (unfolded; compact `l` included). */
function contentLengthValues(head: string): string[] {
  const fields: string[] = [];
  for (const line of head.split('\r\n').slice(1)) {
    if ((line.startsWith(' ') || line.startsWith('\t')) && fields.length > 0) fields[fields.length - 1] += ` ${line}`;
    else fields.push(line);
  }
  const values: string[] = [];
  for (const field of fields) {
    const colon = field.indexOf(':');
    if (colon > 0 && headerKey(field.slice(0, colon)) === 'content-length') values.push(field.slice(colon + 1));
  }
  return values;
}

/**
 * Splits a byte stream into whole SIP messages. Each frame is one message
 * as sent (leading keep-alive CRLFs removed), ready for `parseMessage`.
 * Content-Length is required on streams. After an error the stream cannot
 * be resynchronised: the caller closes the connection (after a 400 built
 * from `error.partial`, when it has what it needs).
 */
export class SipStreamFramer {
  readonly #limits: ParseLimits;
  #buffer: Buffer = Buffer.alloc(0);
  #start = 0;
  #end = 0;
  /** Where the CRLFCRLF search resumes, relative to #start. */
  #scanFrom = 0;
  /** Length of the message at #start once its head has been read. */
  #frameLength: number | undefined;
  #error: SipParseError | undefined;
  /** CRLFs seen in the current run between messages; two make a ping. */
  #crlfRun = 0;
  #pings = 0;

  constructor(limits?: Partial<ParseLimits>) {
    this.#limits = resolveParseLimits(limits);
  }

  /** Bytes held waiting for the rest of a message. */
  get bufferedBytes(): number {
    return this.#end - this.#start;
  }

  /**
   * Adds bytes; returns the messages they complete. `pings` (present when
   * non-zero) counts RFC 5626 CRLFCRLF keep-alives completed by these bytes:
   * answer each with one CRLF. Once `error` is set, every later call returns
   * the same error and no frames.
   */
  push(chunk: Buffer): { frames: Buffer[]; error?: SipParseError; pings?: number } {
    if (this.#error !== undefined) return { frames: [], error: this.#error };
    this.#append(chunk);
    this.#pings = 0;
    const frames: Buffer[] = [];
    for (;;) {
      if (this.#frameLength === undefined) {
        if (!this.#skipKeepAlives()) break;
        const error = this.#readHead();
        if (error !== undefined) {
          this.#error = error;
          this.#buffer = Buffer.alloc(0);
          this.#start = this.#end = 0;
          return { frames, error };
        }
        if (this.#frameLength === undefined) break;
      }
      if (this.#end - this.#start < this.#frameLength) break;
      frames.push(Buffer.from(this.#buffer.subarray(this.#start, this.#start + this.#frameLength)));
      this.#start += this.#frameLength;
      this.#frameLength = undefined;
      this.#scanFrom = 0;
    }
    if (this.#start === this.#end) this.#start = this.#end = 0;
    return this.#pings === 0 ? { frames } : { frames, pings: this.#pings };
  }

  #append(chunk: Buffer): void {
    if (chunk.length === 0) return;
    const pending = this.#end - this.#start;
    if (this.#end + chunk.length > this.#buffer.length) {
      const needed = pending + chunk.length;
      // Grow geometrically so byte-at-a-time input stays linear.
      const target = needed > this.#buffer.length ? Buffer.allocUnsafe(Math.max(needed, this.#buffer.length * 2, 4096)) : this.#buffer;
      this.#buffer.copy(target, 0, this.#start, this.#end);
      this.#buffer = target;
      this.#start = 0;
      this.#end = pending;
    }
    chunk.copy(this.#buffer, this.#end);
    this.#end += chunk.length;
  }

  /** Drops CRLFs before a message; false when nothing (or only a lone CR) is left. */
  #skipKeepAlives(): boolean {
    if (this.#scanFrom === 0) {
      while (this.#end - this.#start >= 2 && this.#buffer[this.#start] === 0x0d && this.#buffer[this.#start + 1] === 0x0a) {
        this.#start += 2;
        if (++this.#crlfRun === 2) {
          this.#pings++;
          this.#crlfRun = 0;
        }
      }
    }
    const pending = this.#end - this.#start;
    const more = pending > 1 || (pending === 1 && this.#buffer[this.#start] !== 0x0d);
    // A message starts here: CRLFs before it do not pair with CRLFs after it.
    if (more) this.#crlfRun = 0;
    return more;
  }

  /** Finds the end of the head and sets #frameLength; an error when the message cannot fit or has no Content-Length. */
  #readHead(): SipParseError | undefined {
    const max = this.#limits.maxMessageBytes;
    const pending = this.#buffer.subarray(this.#start, this.#end);
    const at = pending.indexOf(CRLFCRLF, this.#scanFrom);
    if (at < 0) {
      if (pending.length >= max) return parseError('SIP_PARSE_TOO_LARGE', `no end of header section within ${max} bytes`);
      this.#scanFrom = Math.max(0, pending.length - 3);
      return undefined;
    }
    const headLength = at + 4;
    const head = pending.subarray(0, headLength);
    const fail = (code: SipParseErrorCode, message: string): SipParseError =>
      parseError(code, message, partialFromHead(head, this.#limits));
    if (headLength > max) return fail('SIP_PARSE_TOO_LARGE', `the header section is over ${max} bytes`);
    const contentLength = contentLengthOf(contentLengthValues(pending.subarray(0, at).toString('latin1')));
    if (contentLength.kind === 'absent') return fail('SIP_PARSE_CONTENT_LENGTH', 'a message on a stream transport must carry Content-Length');
    if (contentLength.kind === 'invalid') return fail('SIP_PARSE_CONTENT_LENGTH', contentLength.reason);
    if (headLength + contentLength.length > max) {
      return fail('SIP_PARSE_TOO_LARGE', `the message would be ${headLength + contentLength.length} bytes; the limit is ${max}`);
    }
    this.#frameLength = headLength + contentLength.length;
    return undefined;
  }
}
