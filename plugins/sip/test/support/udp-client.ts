import { SipUdpClient, statusOf } from '../../src/testing';

/** A tiny SIP-over-UDP client for in-process tests: send raw text, read the raw answers. */
export { SipUdpClient as UdpProbe, statusOf };
type UdpProbe = SipUdpClient;

let counter = 0;

/** A REGISTER for `user` from the probe (no Contact = query). */
export function register(probe: UdpProbe, port: number, user: string, expires?: number, withContact = true): string {
  counter += 1;
  return [
    `REGISTER sip:127.0.0.1:${port} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${probe.port};branch=z9hG4bK-t${counter};rport`,
    `From: <sip:${user}@127.0.0.1>;tag=f${counter}`,
    `To: <sip:${user}@127.0.0.1>`,
    `Call-ID: call-${user}-${counter}@test`,
    `CSeq: ${counter} REGISTER`,
    ...(withContact ? [`Contact: <sip:${user}@127.0.0.1:${probe.port}>`] : []),
    ...(expires === undefined ? [] : [`Expires: ${expires}`]),
    'Max-Forwards: 70',
    'Content-Length: 0',
    '',
    '',
  ].join('\n');
}

export function options(probe: UdpProbe, port: number): string {
  counter += 1;
  return [
    `OPTIONS sip:ping@127.0.0.1:${port} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${probe.port};branch=z9hG4bK-o${counter}`,
    `From: <sip:probe@127.0.0.1>;tag=o${counter}`,
    `To: <sip:ping@127.0.0.1>`,
    `Call-ID: opt-${counter}@test`,
    `CSeq: 1 OPTIONS`,
    'Content-Length: 0',
    '',
    '',
  ].join('\n');
}

