import path from 'node:path';
import { z } from 'zod';
import { DIGEST_ALGORITHMS } from './digest';

/** Methods that can never be challenged (RFC 3261 §22.1: ACK and CANCEL have no answer a client could resend). */
const UNCHALLENGEABLE = new Set(['ACK', 'CANCEL']);
const METHOD = /^[A-Z][A-Z-]*$/;

/** Bounds of `nonceLifetime`, seconds. */
export const MIN_NONCE_LIFETIME = 5;
export const MAX_NONCE_LIFETIME = 3600;

/** `plugins.sip-digest-auth` options. */
export const digestOptionsSchema = z.strictObject({
  /** The protection space named in challenges (`realm="…"`); clients pick their credentials by it. */
  realm: z
    .string({ error: 'realm must be a string such as "sip.example.com"' })
    .min(1, 'realm must not be empty')
    .max(128, 'realm must be at most 128 characters')
    .refine((r) => !/["\\\u0000-\u001f\u007f]/.test(r), { message: 'realm must not contain quotes, backslashes or control characters' }),
  /**
   * Absolute path of the HA1 credentials file (`user:realm:algorithm:HA1`
   * lines). Omit it only when another plugin provides the credential store
   * (the `SipDigestTokens.CredentialStore` service).
   */
  credentials: z
    .string({ error: 'credentials must be the absolute path of the HA1 file' })
    .refine((p) => path.isAbsolute(p), { message: 'credentials must be an absolute path (e.g. /etc/switchyard/sip-users.ha1)' })
    .optional(),
  /** Algorithms offered, in order of preference (one challenge header each, RFC 8760 §2.4). */
  algorithms: z
    .array(z.enum(DIGEST_ALGORITHMS, { error: `algorithms may hold ${DIGEST_ALGORITHMS.map((a) => `"${a}"`).join(' and ')}` }))
    .min(1, 'algorithms must name at least one algorithm')
    .refine((list) => new Set(list).size === list.length, { message: 'algorithms must not repeat an algorithm' })
    .default(['SHA-256', 'MD5']),
  /** Seconds a nonce is accepted; an older one gets a new challenge with `stale=true` (no new password prompt). */
  nonceLifetime: z
    .number({ error: 'nonceLifetime must be a number of seconds' })
    .min(MIN_NONCE_LIFETIME, `nonceLifetime must be at least ${MIN_NONCE_LIFETIME} seconds`)
    .max(MAX_NONCE_LIFETIME, `nonceLifetime must be at most ${MAX_NONCE_LIFETIME} seconds`)
    .default(300),
  /** Request methods challenged. REGISTER gets 401 + WWW-Authenticate; other methods get `otherMethods`. */
  methods: z
    .array(
      z
        .string()
        .regex(METHOD, 'methods must be SIP method names in upper case, e.g. "REGISTER"')
        .refine((m) => !UNCHALLENGEABLE.has(m), { message: 'ACK and CANCEL cannot be challenged (RFC 3261 §22.1); remove them' }),
    )
    .min(1, 'methods must name at least one method (e.g. ["REGISTER"])')
    .default(['REGISTER']),
  /**
   * How methods other than REGISTER are challenged: `proxy` (407 +
   * Proxy-Authenticate, as the SIP entry point of a domain does) or `www`
   * (401 + WWW-Authenticate, as a user agent server does).
   */
  otherMethods: z.enum(['proxy', 'www'], { error: 'otherMethods must be "proxy" (407) or "www" (401)' }).default('proxy'),
  /**
   * Key that signs nonces (at least 32 characters). Give both nodes the same
   * one (the config file is shared) so a nonce from one node verifies on the
   * other after a switchover. Default: a random key per node process.
   */
  secret: z.string({ error: 'secret must be a string of at least 32 characters' }).min(32, 'secret must be at least 32 characters').optional(),
  /** For REGISTER, the digest user must be the user part of the To URI (RFC 3261 §10.3 step 3). */
  sameUserOnly: z.boolean({ error: 'sameUserOnly must be true or false' }).default(true),
  /** Seconds between two safety-net checks of the credentials file (a change is normally seen at once). */
  reloadInterval: z
    .number({ error: 'reloadInterval must be a number of seconds' })
    .min(0.1, 'reloadInterval must be at least 0.1 seconds')
    .max(300, 'reloadInterval must be at most 300 seconds')
    .default(5),
  /** Nonces whose highest nonce-count is remembered (replay protection); the oldest are forgotten first. */
  maxTrackedNonces: z
    .number({ error: 'maxTrackedNonces must be a whole number' })
    .int('maxTrackedNonces must be a whole number')
    .min(100, 'maxTrackedNonces must be at least 100')
    .max(10_000_000, 'maxTrackedNonces must be at most 10000000')
    .default(100_000),
});

export type DigestOptions = z.output<typeof digestOptionsSchema>;
