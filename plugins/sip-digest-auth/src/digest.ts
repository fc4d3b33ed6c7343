import crypto from 'node:crypto';

/** Digest algorithms this plugin verifies (RFC 7616 §3.2; RFC 8760 for SIP). `-sess` variants are not offered. */
export const DIGEST_ALGORITHMS = ['SHA-256', 'MD5'] as const;
export type DigestAlgorithm = (typeof DIGEST_ALGORITHMS)[number];

const HASH: Record<DigestAlgorithm, { node: string; hexLength: number }> = {
  'SHA-256': { node: 'sha256', hexLength: 64 },
  MD5: { node: 'md5', hexLength: 32 },
};

/** Hex length of an HA1 (and of a response) for `algorithm`. */
export function hexLength(algorithm: DigestAlgorithm): number {
  return HASH[algorithm].hexLength;
}

/** `algorithm` as a client may write it (case-insensitive), or undefined when it is not one we verify. */
export function digestAlgorithm(name: string): DigestAlgorithm | undefined {
  return DIGEST_ALGORITHMS.find((a) => a.toLowerCase() === name.toLowerCase());
}

/** H(data), lower-case hex. */
export function digestHash(algorithm: DigestAlgorithm, data: string): string {
  return crypto.createHash(HASH[algorithm].node).update(data, 'utf8').digest('hex');
}

/** HA1 = H(username ":" realm ":" password) (RFC 7616 §3.4.2): what the credentials file holds. */
export function computeHa1(algorithm: DigestAlgorithm, user: string, realm: string, password: string): string {
  return digestHash(algorithm, `${user}:${realm}:${password}`);
}

/** What `response` must be for qop=auth (RFC 7616 §3.4.1), given the stored HA1. */
export function expectedResponse(
  algorithm: DigestAlgorithm,
  ha1: string,
  request: { method: string; uri: string; nonce: string; nc: string; cnonce: string; qop: 'auth' },
): string {
  const ha2 = digestHash(algorithm, `${request.method}:${request.uri}`);
  return digestHash(algorithm, `${ha1.toLowerCase()}:${request.nonce}:${request.nc}:${request.cnonce}:${request.qop}:${ha2}`);
}

/** Constant-time comparison of two hex strings (case-insensitive). */
export function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a.toLowerCase(), 'utf8');
  const y = Buffer.from(b.toLowerCase(), 'utf8');
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

/** The auth-params of an `Authorization` / `Proxy-Authorization` value, names lower-cased. */
export interface DigestCredentials {
  scheme: string;
  params: Map<string, string>;
}

const TOKEN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+/;

/**
 * Parses `Digest name=value, name="quoted", …` (RFC 3261 §25.1 auth-params).
 * Returns undefined for anything malformed, including a repeated parameter.
 */
export function parseCredentials(value: string): DigestCredentials | undefined {
  let rest = value.trim();
  const scheme = TOKEN.exec(rest)?.[0];
  if (!scheme) return undefined;
  rest = rest.slice(scheme.length);
  const params = new Map<string, string>();
  let first = true;
  for (;;) {
    rest = rest.replace(/^[ \t]+/, '');
    if (rest === '') break;
    if (!first) {
      if (rest[0] !== ',') return undefined;
      rest = rest.slice(1).replace(/^[ \t]+/, '');
    }
    first = false;
    const name = TOKEN.exec(rest)?.[0];
    if (!name) return undefined;
    rest = rest.slice(name.length).replace(/^[ \t]+/, '');
    if (rest[0] !== '=') return undefined;
    rest = rest.slice(1).replace(/^[ \t]+/, '');
    let paramValue: string;
    if (rest[0] === '"') {
      let out = '';
      let i = 1;
      for (; i < rest.length && rest[i] !== '"'; i++) {
        if (rest[i] === '\\' && i + 1 < rest.length) i++;
        out += rest[i];
      }
      if (i >= rest.length) return undefined;
      paramValue = out;
      rest = rest.slice(i + 1);
    } else {
      const token = TOKEN.exec(rest)?.[0];
      if (token === undefined) return undefined;
      paramValue = token;
      rest = rest.slice(token.length);
    }
    const key = name.toLowerCase();
    if (params.has(key)) return undefined;
    params.set(key, paramValue);
  }
  return { scheme, params };
}

/** A challenge value: `Digest realm="…", nonce="…", algorithm=…, qop="auth"[, stale=true]`. */
export function formatChallenge(challenge: { realm: string; nonce: string; algorithm: DigestAlgorithm; stale: boolean }): string {
  return (
    `Digest realm="${challenge.realm}", nonce="${challenge.nonce}", algorithm=${challenge.algorithm}, qop="auth"` +
    (challenge.stale ? ', stale=true' : '')
  );
}
