/**
 * SIP messages as the plugin handles them (RFC 3261 §7). Header names are
 * kept as received for serialisation; look-ups are case-insensitive and
 * accept compact forms (`v f t i m l c k s e`).
 */

export interface SipHeader {
  /** The name as received (or as set). */
  name: string;
  value: string;
}

interface SipMessageBase {
  version: 'SIP/2.0';
  /** In order, as on the wire (after unfolding). */
  headers: SipHeader[];
  body: Buffer;
}

export interface SipRequest extends SipMessageBase {
  kind: 'request';
  method: string;
  /** Request-URI as written. */
  uri: string;
}

export interface SipResponse extends SipMessageBase {
  kind: 'response';
  status: number;
  reason: string;
}

export type SipMessage = SipRequest | SipResponse;

/** A parsed SIP or SIPS URI (RFC 3261 §19.1). */
export interface SipUri {
  scheme: 'sip' | 'sips' | 'tel';
  user?: string;
  password?: string;
  host: string;
  port?: number;
  /** `;name=value` parameters (value `null` for a flag parameter). Names lower-cased. */
  params: Record<string, string | null>;
  /** `?name=value` headers, as written. */
  headers: Record<string, string>;
}

/** A name-addr / addr-spec with header parameters (From, To, Contact, Route). */
export interface NameAddr {
  displayName?: string;
  /** The URI as written (between < > when present). */
  uri: string;
  /** Header parameters after the URI (`;tag=…`, `;expires=…`, `;q=…`). Names lower-cased. */
  params: Record<string, string | null>;
  /** True for `Contact: *`. */
  wildcard?: boolean;
}

export interface Via {
  /** `UDP`, `TCP`, `TLS`, … upper-cased. */
  transport: string;
  host: string;
  port?: number;
  /** `branch`, `received`, `rport` (null when present without value), … Names lower-cased. */
  params: Record<string, string | null>;
}

export interface CSeq {
  seq: number;
  method: string;
}

/** Limits the parser enforces; a message over them is a coded parse error. */
export interface ParseLimits {
  /** Whole message (start line + headers + body), bytes. Default 64 KiB. */
  maxMessageBytes: number;
  /** Number of header fields. Default 256. */
  maxHeaders: number;
  /** One header line after unfolding, bytes. Default 8 KiB. */
  maxHeaderLineBytes: number;
}

export const DEFAULT_PARSE_LIMITS: ParseLimits = Object.freeze({
  maxMessageBytes: 64 * 1024,
  maxHeaders: 256,
  maxHeaderLineBytes: 8 * 1024,
});

/** Codes of SIP parse errors (stable; logged with the plugin's 00-04210 event). */
export type SipParseErrorCode =
  | 'SIP_PARSE_EMPTY'
  | 'SIP_PARSE_START_LINE'
  | 'SIP_PARSE_VERSION'
  | 'SIP_PARSE_HEADER'
  | 'SIP_PARSE_MISSING_HEADER'
  | 'SIP_PARSE_CONTENT_LENGTH'
  | 'SIP_PARSE_TOO_LARGE'
  | 'SIP_PARSE_TOO_MANY_HEADERS'
  | 'SIP_PARSE_CSEQ'
  | 'SIP_PARSE_VIA'
  | 'SIP_PARSE_URI'
  | 'SIP_PARSE_ENCODING';

export interface SipParseError {
  code: SipParseErrorCode;
  message: string;
  /** What could be read before the error, so a 400 can still copy Via/From/To/Call-ID/CSeq. */
  partial?: Partial<SipRequest>;
}

export type ParseResult = { ok: true; message: SipMessage } | { ok: false; error: SipParseError };
