import type { Clock, TimerHandle } from '@switchyard/sdk';
import { canonicalHeaderName, headerValue, headerValues, parseCSeq, parseVia, type SipHeader, type SipRequest, type SipResponse } from '../message';
import { SipTransportError, describeError } from './errors';
import { newBranch, newCallId, newTag } from './ids';
import { formatHostPort, type InboundMessage, type SipTransport } from './remote';
import type { SipListener } from './sip-listener';

/** Options of {@link SipClient}. */
export interface SipClientOptions {
  listener: SipListener;
  clock: Clock;
  /** Host written in Via, From and Call-ID; default the listener's host. */
  viaHost?: string;
}

/** One request for {@link SipClient.request}. */
export interface SipClientRequest {
  method: string;
  /** Request-URI, also the To URI unless `headers` has a To. */
  uri: string;
  target: { host: string; port: number; transport?: SipTransport };
  /** Added after the generated headers; a From, To or Max-Forwards here replaces the generated one. */
  headers?: SipHeader[];
  body?: Buffer;
  /** Seconds to wait for a final response. */
  timeout: number;
}

/** The outcome of a request. A timeout is local: it is never a (408) response. */
export type ClientResult =
  | { ok: true; response: SipResponse; /** ms from send to the final response */ rtt: number }
  | { ok: false; reason: 'timeout' | 'send-failed' | 'not-listening'; detail: string };

interface PendingRequest {
  method: string;
  sentAt: number;
  timer: TimerHandle | undefined;
  finish(result: ClientResult): void;
}

/** Headers the client writes itself and a caller may not set. */
const OWNED_HEADERS = new Set(['Via', 'Call-ID', 'CSeq', 'Content-Length']);
/** Generated headers a caller's header of the same name replaces. */
const REPLACEABLE_HEADERS = new Set(['From', 'To', 'Max-Forwards']);

/**
 * Sends out-of-dialog SIP requests (OPTIONS probes and the like) through the
 * listener and waits for the final response. Responses reach it through
 * {@link SipClient.handleResponse}, which the plugin calls for every inbound
 * response. No retransmission: one send, one deadline.
 */
export class SipClient {
  private readonly pending = new Map<string, PendingRequest>();

  constructor(private readonly options: SipClientOptions) {}

  /** Requests waiting for their final response. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /**
   * Sends a request with a fresh branch, Call-ID and From tag and resolves
   * with the first final (>= 200) response whose top Via branch and CSeq
   * method match; 1xx responses are consumed and change nothing. Rejects only
   * for a caller error (SWY_ERR_SIP_REQUEST_INVALID, SWY_ERR_SIP_OPTIONS, or
   * the message layer's error for a request that cannot be serialised).
   */
  async request(opts: SipClientRequest): Promise<ClientResult> {
    if (!(opts.timeout > 0)) throw new SipTransportError('SWY_ERR_SIP_OPTIONS', `SipClient.request: timeout must be > 0 seconds (got ${opts.timeout}).`);
    const { listener, clock } = this.options;
    if (!listener.listening) {
      const { host, port } = listener.localAddress;
      return { ok: false, reason: 'not-listening', detail: `the SIP listener on ${formatHostPort(host, port)} is not bound on both UDP and TCP` };
    }
    const transport = opts.target.transport ?? 'udp';
    const branch = newBranch();
    const request = this.buildRequest(opts, transport, branch);
    const target = formatHostPort(opts.target.host, opts.target.port);
    return new Promise<ClientResult>((resolve, reject) => {
      const settle = (): boolean => {
        if (this.pending.get(branch) !== entry) return false;
        this.pending.delete(branch);
        entry.timer?.cancel();
        return true;
      };
      const entry: PendingRequest = {
        method: opts.method,
        sentAt: clock.monotonic(),
        timer: undefined,
        finish: (result) => {
          if (settle()) resolve(result);
        },
      };
      this.pending.set(branch, entry);
      entry.timer = clock.setTimeout(
        () => entry.finish({ ok: false, reason: 'timeout', detail: `no final response to ${opts.method} from ${target} within ${opts.timeout} s` }),
        opts.timeout * 1000,
      );
      listener
        .send(request, { address: opts.target.host, port: opts.target.port, transport })
        .catch((error: unknown) => {
          if (error instanceof SipTransportError) entry.finish({ ok: false, reason: 'send-failed', detail: describeError(error) });
          else if (settle()) reject(error as Error); // not a network failure: the request itself is bad (e.g. CR/LF in a header)
        });
    });
  }

  /**
   * Offers an inbound response to the pending requests; true when it
   * belonged to one (a matching 1xx included), false otherwise (including a
   * late response to a request that already timed out).
   */
  handleResponse(inbound: InboundMessage): boolean {
    const message = inbound.message;
    if (message.kind !== 'response') return false;
    const top = headerValues(message, 'Via')[0];
    const branch = top === undefined ? undefined : parseVia(top)?.params.branch;
    const entry = branch ? this.pending.get(branch) : undefined;
    if (!entry) return false;
    const cseqLine = headerValue(message, 'CSeq');
    const cseq = cseqLine === undefined ? undefined : parseCSeq(cseqLine);
    if (!cseq || cseq.method.toUpperCase() !== entry.method.toUpperCase()) return false;
    if (message.status >= 200) entry.finish({ ok: true, response: message, rtt: this.options.clock.monotonic() - entry.sentAt });
    return true;
  }

  /** Ends every pending request with `not-listening` (the plugin is stopping). */
  close(): void {
    for (const entry of [...this.pending.values()]) entry.finish({ ok: false, reason: 'not-listening', detail: 'the SIP client was closed' });
  }

  private buildRequest(opts: SipClientRequest, transport: SipTransport, branch: string): SipRequest {
    const extra = opts.headers ?? [];
    const given = new Set(extra.map((h) => canonicalHeaderName(h.name)));
    const owned = [...given].filter((name) => OWNED_HEADERS.has(name));
    if (owned.length > 0) {
      throw new SipTransportError('SWY_ERR_SIP_REQUEST_INVALID', `SipClient.request: headers must not contain ${owned.join(', ')}; the client writes them.`);
    }
    const listenerAddress = this.options.listener.localAddress;
    const host = this.options.viaHost ?? listenerAddress.host;
    const uriHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
    const body = opts.body ?? Buffer.alloc(0);
    const generated: SipHeader[] = [
      { name: 'Via', value: `SIP/2.0/${transport.toUpperCase()} ${formatHostPort(host, listenerAddress.port)};branch=${branch};rport` },
      { name: 'Max-Forwards', value: '70' },
      { name: 'From', value: `<sip:switchyard@${uriHost}>;tag=${newTag()}` },
      { name: 'To', value: `<${opts.uri}>` },
      { name: 'Call-ID', value: newCallId(host) },
      { name: 'CSeq', value: `1 ${opts.method}` },
    ];
    const headers = [
      ...generated.filter((h) => !(REPLACEABLE_HEADERS.has(h.name) && given.has(h.name))),
      ...extra,
      { name: 'Content-Length', value: String(body.length) },
    ];
    return { kind: 'request', version: 'SIP/2.0', method: opts.method, uri: opts.uri, headers, body };
  }
}
