import { firstLineValue, headerValues, type SipHeader, type SipRequest } from '../message';
import { canonicalAddress, type RemoteAddress } from './remote';

/**
 * Largest UDP payload a response may have: an IPv4 datagram's 65,535 bytes
 * less the IP and UDP headers. A larger send fails with `EMSGSIZE`.
 */
export const UDP_MAX_PAYLOAD = 65_507;

/** Room left for a reason phrase longer than the one measured ("OK"). */
const REASON_SLACK = 64;

/**
 * How large an answer to one request may grow over the transport it came
 * on, measured before anything is stored or sent: the response headers
 * copied from the request (Via, From, To, Call-ID, CSeq) are counted once,
 * and each header added on top by its wire size. Over UDP the limit is one
 * datagram; TCP has none (a stream carries any size).
 */
export class AnswerBudget {
  /** Bytes an answer may take in all. */
  readonly limit: number;
  private base: number | undefined;

  private constructor(
    limit: number,
    private readonly request: SipRequest | undefined,
    private readonly remote: RemoteAddress | undefined,
  ) {
    this.limit = limit;
    if (request === undefined) this.base = 0;
  }

  /** The budget of an answer to `request` from `remote`; nothing is measured until it is asked. */
  static for(request: SipRequest, remote: RemoteAddress, udpLimit = UDP_MAX_PAYLOAD): AnswerBudget {
    if (remote.transport !== 'udp') return new AnswerBudget(Number.POSITIVE_INFINITY, undefined, undefined);
    return new AnswerBudget(udpLimit, request, remote);
  }

  /** Bytes of the answer with `headers` added (an upper bound). */
  sizeWith(headers: readonly SipHeader[]): number {
    this.base ??= bareAnswerBytes(this.request!, this.remote!) + REASON_SLACK;
    let size = this.base;
    for (const header of headers) size += headerBytes(header);
    return size;
  }

  /** Whether an answer with `headers` added fits the transport. */
  fits(headers: readonly SipHeader[]): boolean {
    return this.sizeWith(headers) <= this.limit;
  }

  /**
   * The longest prefix of `optional` (best first) that fits beside `fixed`;
   * how many were left out is `optional.length - result.length`.
   */
  fitPrefix(fixed: readonly SipHeader[], optional: readonly SipHeader[]): SipHeader[] {
    let size = this.sizeWith(fixed);
    const kept: SipHeader[] = [];
    for (const header of optional) {
      size += headerBytes(header);
      if (size > this.limit) break;
      kept.push(header);
    }
    return kept;
  }
}

/** Longest `;rport=65535` and `;received=` the top Via may gain, besides the address. */
const VIA_STAMP_BYTES = ';rport=65535'.length + ';received='.length;
/** `;tag=` and the 16 hex digits a To gains. */
const TO_TAG_BYTES = ';tag='.length + 16;

/**
 * An upper bound on the bytes of a 200 OK to `request` without added
 * headers, as `buildResponse` writes it — counted from the request's lines,
 * without building the response: the status line, each Via (the top one
 * with room for `received` and `rport`), From, To with a tag, Call-ID,
 * CSeq, `Content-Length: 0` and the empty line.
 */
function bareAnswerBytes(request: SipRequest, remote: RemoteAddress): number {
  let size = 'SIP/2.0 200 OK\r\n'.length;
  const vias = headerValues(request, 'Via');
  for (const value of vias) size += 'Via: \r\n'.length + Buffer.byteLength(value);
  if (vias.length > 0) size += VIA_STAMP_BYTES + Buffer.byteLength(canonicalAddress(remote.address));
  for (const name of ['From', 'To', 'Call-ID', 'CSeq']) {
    const value = firstLineValue(request, name);
    if (value !== undefined) size += headerBytes({ name, value });
  }
  size += TO_TAG_BYTES;
  return size + 'Content-Length: 0\r\n\r\n'.length;
}

/** `Name: value\r\n` in bytes. */
function headerBytes(header: SipHeader): number {
  return Buffer.byteLength(header.name) + 2 + Buffer.byteLength(header.value) + 2;
}
