/**
 * Typical SIP messages, as SIPp and common phones send them, for the parse
 * and registrar micro-benchmarks.
 */

const crlf = (lines: string[], body = ''): Buffer => Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`);

/** A REGISTER of `user` with one Contact, as SIPp's register scenario writes it. */
export function registerBytes(opts: { user?: string; contact?: string; callId?: string; cseq?: number; expires?: number } = {}): Buffer {
  const user = opts.user ?? 'alice';
  const contact = opts.contact ?? `sip:${user}@192.0.2.10:5062;transport=udp`;
  return crlf([
    'REGISTER sip:example.com SIP/2.0',
    'Via: SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bK-1234-1-0;rport',
    'Max-Forwards: 70',
    `From: "${user}" <sip:${user}@example.com>;tag=1234SIPpTag001`,
    `To: "${user}" <sip:${user}@example.com>`,
    `Call-ID: ${opts.callId ?? '1-1234@192.0.2.10'}`,
    `CSeq: ${opts.cseq ?? 1} REGISTER`,
    `Contact: <${contact}>;expires=${opts.expires ?? 3600}`,
    'User-Agent: SIPp/bench',
    'Allow: INVITE, ACK, CANCEL, BYE, OPTIONS',
    'Expires: 3600',
    'Content-Length: 0',
  ]);
}

/** An OPTIONS keep-alive probe. */
export const OPTIONS = crlf([
  'OPTIONS sip:example.com SIP/2.0',
  'Via: SIP/2.0/UDP 192.0.2.20:5060;branch=z9hG4bK-opt-1;rport',
  'Max-Forwards: 70',
  'From: <sip:probe@192.0.2.20>;tag=probe1',
  'To: <sip:example.com>',
  'Call-ID: opt-1@192.0.2.20',
  'CSeq: 1 OPTIONS',
  'Accept: application/sdp',
  'Content-Length: 0',
]);

const SDP = [
  'v=0',
  'o=bob 2890844527 2890844527 IN IP4 192.0.2.30',
  's=-',
  'c=IN IP4 192.0.2.30',
  't=0 0',
  'm=audio 49172 RTP/AVP 0 8 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:101 telephone-event/8000',
  '',
].join('\r\n');

/** An INVITE with an SDP offer, through one proxy (two Vias, Record-Route). */
export const INVITE = crlf(
  [
    'INVITE sip:alice@example.com SIP/2.0',
    'Via: SIP/2.0/UDP proxy.example.net:5060;branch=z9hG4bK-proxy-77',
    'Via: SIP/2.0/UDP 192.0.2.30:5060;received=192.0.2.30;branch=z9hG4bK-bob-77;rport=5060',
    'Record-Route: <sip:proxy.example.net;lr>',
    'Max-Forwards: 69',
    'From: "Bob" <sip:bob@example.net>;tag=a6c85cf',
    'To: "Alice" <sip:alice@example.com>',
    'Call-ID: a84b4c76e66710@192.0.2.30',
    'CSeq: 314159 INVITE',
    'Contact: <sip:bob@192.0.2.30:5060>',
    'Allow: INVITE, ACK, CANCEL, BYE, OPTIONS',
    'Supported: replaces, timer',
    'User-Agent: BenchPhone/1.0',
    'Content-Type: application/sdp',
    `Content-Length: ${Buffer.byteLength(SDP)}`,
  ],
  SDP,
);
