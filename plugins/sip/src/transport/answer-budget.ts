import { serializeMessage, type SipHeader, type SipRequest } from '../message';
import type { RemoteAddress } from './remote';
import { buildResponse } from './response';

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
  private readonly base: number;

  private constructor(limit: number, base: number) {
    this.limit = limit;
    this.base = base;
  }

  /** The budget of an answer to `request` from `remote`. */
  static for(request: SipRequest, remote: RemoteAddress, udpLimit = UDP_MAX_PAYLOAD): AnswerBudget {
    if (remote.transport !== 'udp') return new AnswerBudget(Number.POSITIVE_INFINITY, 0);
    const bare = buildResponse(request, 200, 'OK', { remote, toTag: '0123456789abcdef' });
    return new AnswerBudget(udpLimit, serializeMessage(bare).length + REASON_SLACK);
  }

  /** Bytes of the answer with `headers` added (an upper bound). */
  sizeWith(headers: readonly SipHeader[]): number {
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

/** `Name: value\r\n` in bytes. */
function headerBytes(header: SipHeader): number {
  return Buffer.byteLength(header.name) + 2 + Buffer.byteLength(header.value) + 2;
}
