import crypto from 'node:crypto';

export { SipUdpClient as UdpClient, statusOf } from '@switchyard/plugin-sip/testing';
import type { SipUdpClient as UdpClient } from '@switchyard/plugin-sip/testing';

/** Every value of header `name` in an answer. */
export function headersOf(answer: string, name: string): string[] {
  return answer
    .split('\r\n')
    .filter((line) => line.toLowerCase().startsWith(`${name.toLowerCase()}:`))
    .map((line) => line.slice(name.length + 1).trim());
}

/** The auth-params of one challenge value (simple: enough for our own challenges). */
export function challengeParams(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of value.replace(/^Digest\s+/i, '').matchAll(/([a-z-]+)=(?:"([^"]*)"|([^,\s]+))/gi)) out[m[1]!.toLowerCase()] = m[2] ?? m[3]!;
  return out;
}

let counter = 0;

export interface RequestSpec {
  method?: string;
  user: string;
  /** To/From user, default `user`. */
  aorUser?: string;
  port: number;
  client: UdpClient;
  /** Extra header lines. */
  headers?: string[];
  callId?: string;
  cseq?: number;
  branch?: string;
}

/** A REGISTER (or another method) from the client to the node, with a Contact for the client. */
export function request(spec: RequestSpec): string {
  counter += 1;
  const method = spec.method ?? 'REGISTER';
  const aor = spec.aorUser ?? spec.user;
  const uri = method === 'REGISTER' ? `sip:127.0.0.1:${spec.port}` : `sip:${aor}@127.0.0.1:${spec.port}`;
  return [
    `${method} ${uri} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${spec.client.port};branch=${spec.branch ?? `z9hG4bK-d${counter}`};rport`,
    `From: <sip:${aor}@127.0.0.1>;tag=f${counter}`,
    `To: <sip:${aor}@127.0.0.1>`,
    `Call-ID: ${spec.callId ?? `digest-${counter}@test`}`,
    `CSeq: ${spec.cseq ?? counter} ${method}`,
    `Contact: <sip:${aor}@127.0.0.1:${spec.client.port}>`,
    'Expires: 300',
    'Max-Forwards: 70',
    ...(spec.headers ?? []),
    'Content-Length: 0',
    '',
    '',
  ].join('\n');
}

export function requestUri(text: string): string {
  return /^\S+ (\S+) SIP\/2\.0/.exec(text)![1]!;
}

/**
 * The test's own digest computation (RFC 7616 §3.4.1, qop=auth), written
 * here with node:crypto rather than borrowed from the plugin, so a wrong
 * formula in the plugin cannot agree with itself.
 */
export function digestAuthorization(opts: {
  algorithm: 'MD5' | 'SHA-256';
  user: string;
  realm: string;
  password: string;
  method: string;
  uri: string;
  nonce: string;
  nc: number;
  cnonce?: string;
  header?: 'Authorization' | 'Proxy-Authorization';
}): string {
  const h = (s: string) => crypto.createHash(opts.algorithm === 'MD5' ? 'md5' : 'sha256').update(s).digest('hex');
  const nc = opts.nc.toString(16).padStart(8, '0');
  const cnonce = opts.cnonce ?? crypto.randomBytes(8).toString('hex');
  const response = h(`${h(`${opts.user}:${opts.realm}:${opts.password}`)}:${opts.nonce}:${nc}:${cnonce}:auth:${h(`${opts.method}:${opts.uri}`)}`);
  return (
    `${opts.header ?? 'Authorization'}: Digest username="${opts.user}", realm="${opts.realm}", nonce="${opts.nonce}", uri="${opts.uri}", ` +
    `response="${response}", algorithm=${opts.algorithm}, qop=auth, nc=${nc}, cnonce="${cnonce}"`
  );
}

/** A credentials file line made by the test itself. */
export function ha1Line(algorithm: 'MD5' | 'SHA-256', user: string, realm: string, password: string): string {
  const ha1 = crypto.createHash(algorithm === 'MD5' ? 'md5' : 'sha256').update(`${user}:${realm}:${password}`).digest('hex');
  return `${user}:${realm}:${algorithm}:${ha1}`;
}
