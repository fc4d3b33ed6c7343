import {
  headerValues,
  messageCSeq,
  messageTo,
  messageTopVia,
  messageVias,
  formatVia,
  firstLineValue,
  seedVias,
  type SipHeader,
  type SipMessage,
  type SipRequest,
  type SipResponse,
  type Via,
} from '../message';
import { newTag } from './ids';
import { canonicalAddress, sameAddress, type RemoteAddress } from './remote';

/** Options of {@link buildResponse}. */
export interface ResponseOptions {
  /** Where the request came from (fills Via `received` / `rport`). */
  remote: RemoteAddress;
  /** To tag to add (a random one when omitted); ignored for 100 or when To has a tag. */
  toTag?: string;
  /** Added after the copied headers. */
  headers?: SipHeader[];
  body?: Buffer;
  /** Content-Type of `body`; written only when there is a body. */
  contentType?: string;
}

/** The default SIP port (RFC 3261 §19.1.2), for a Via without one. */
const DEFAULT_SIP_PORT = 5060;

/**
 * A response to `request` per RFC 3261 §8.2.6: every Via in order, the top
 * one stamped with `received` (the real source address, when its sent-by
 * host is not that address or the client wrote a `received` of its own) and
 * `rport` (the real source port, when the request carried `rport`, RFC 3581
 * — which also makes `received` mandatory); From, Call-ID and CSeq
 * copied; To copied with a tag added unless the status is 100 or To has one;
 * Timestamp copied into a 100; Content-Length written.
 */
export function buildResponse(request: SipRequest, status: number, reason: string, opts: ResponseOptions): SipResponse {
  const values = headerValues(request, 'Via');
  // The request's Vias were parsed when it was; the stamped top one is kept with the response for responseTarget.
  const parsed = messageVias(request);
  const vias: (Via | undefined)[] = parsed.slice();
  const headers: SipHeader[] = new Array<SipHeader>(values.length);
  for (let i = 0; i < values.length; i++) {
    let value = values[i]!;
    if (i === 0) {
      const stamped = stampTopVia(parsed[0], opts.remote);
      if (stamped !== undefined) {
        value = formatVia(stamped);
        vias[0] = stamped;
      }
    }
    headers[i] = { name: 'Via', value };
  }
  const copy = (name: string, value = firstLineValue(request, name)): void => {
    if (value !== undefined) headers.push({ name, value });
  };
  copy('From');
  copy('To', toWithTag(request, status, opts.toTag));
  copy('Call-ID');
  copy('CSeq');
  if (status === 100) copy('Timestamp'); // RFC 3261 §8.2.6.1
  if (opts.headers !== undefined) for (const header of opts.headers) headers.push(header);
  const body = opts.body ?? EMPTY;
  if (body.length > 0 && opts.contentType !== undefined) headers.push({ name: 'Content-Type', value: opts.contentType });
  headers.push({ name: 'Content-Length', value: String(body.length) });
  const response: SipResponse = { kind: 'response', version: 'SIP/2.0', status, reason, headers, body };
  seedVias(response, vias);
  return response;
}

const EMPTY = Buffer.alloc(0);

/**
 * Where to send a response (RFC 3261 §18.2.2 with RFC 3581). The address is
 * always the real source of the request: the `received` we stamp is that
 * address, and a `received` the client wrote is never honoured (it would
 * make us a reflector towards a host the client chose). UDP: the source port
 * when the request carried `rport` (RFC 3581 §4), else the Via's sent-by
 * port (else 5060). TCP: over the connection the request came on, falling
 * back to a new connection to the source address at the sent-by port (else
 * 5060). Without a readable Via: back to the source. `maddr` is not
 * honoured; we answer unicast only.
 */
export function responseTarget(response: SipResponse, remote: RemoteAddress): RemoteAddress {
  const via = messageTopVia(response);
  const address = canonicalAddress(remote.address);
  if (!via) return { ...remote, address };
  if (remote.transport === 'tcp') {
    const target: RemoteAddress = { address, port: via.port ?? DEFAULT_SIP_PORT, transport: 'tcp' };
    if (remote.connectionId !== undefined) target.connectionId = remote.connectionId;
    return target;
  }
  const port = 'rport' in via.params ? remote.port : (via.port ?? DEFAULT_SIP_PORT);
  return { address, port, transport: 'udp' };
}

/**
 * From a SipParseError's `partial`, a request a 400 can be built for with
 * {@link buildResponse}: undefined unless the request line and a readable
 * top Via, From, To, Call-ID and CSeq were read, and never for an ACK
 * (which gets no response).
 */
export function parsePartialForError(partial: Partial<SipRequest> | undefined): SipRequest | undefined {
  if (!partial?.headers || typeof partial.method !== 'string' || (partial.kind ?? 'request') !== 'request') return undefined;
  const request: SipRequest = {
    kind: 'request',
    version: 'SIP/2.0',
    method: partial.method,
    uri: partial.uri ?? '',
    headers: partial.headers,
    body: EMPTY,
  };
  const cseq = messageCSeq(request);
  if (!messageTopVia(request) || !cseq) return undefined;
  if (['From', 'To', 'Call-ID'].some((name) => firstLineValue(request, name) === undefined)) return undefined;
  if (request.method.toUpperCase() === 'ACK' || cseq.method.toUpperCase() === 'ACK') return undefined;
  return request;
}

// `received` and `rport` are ours to write (RFC 3261 §18.2.1, RFC 3581 §4):
// whatever the client put there is replaced with what the socket saw.
// Undefined when the top Via is unreadable: it is copied as is, and
// responseTarget falls back to the source.
function stampTopVia(via: Via | undefined, remote: RemoteAddress): Via | undefined {
  if (!via) return undefined;
  const rportRequested = 'rport' in via.params;
  const stamp = rportRequested || 'received' in via.params || !sameAddress(via.host, remote.address);
  if (!stamp) return via;
  const params = { ...via.params }; // the parsed Via is the request's, shared and frozen
  if (rportRequested) params.rport = String(remote.port);
  params.received = canonicalAddress(remote.address);
  return { ...via, params };
}

function toWithTag(request: SipMessage, status: number, tag: string | undefined): string | undefined {
  const to = firstLineValue(request, 'To');
  if (to === undefined || status === 100) return to;
  const parsed = messageTo(request);
  const hasTag = parsed ? 'tag' in parsed.params : /;\s*tag\s*=/i.test(to);
  return hasTag ? to : `${to.trimEnd()};tag=${tag ?? newTag()}`;
}
