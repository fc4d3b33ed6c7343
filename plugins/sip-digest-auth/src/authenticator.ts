import crypto from 'node:crypto';
import { headerValue, headerValues, parseNameAddr, parseUri, parseVia, uriEquals, type InboundRequest, type SipReply } from '@switchyard/plugin-sip';
import { EventRateLimit, escapePeerText, type Clock } from '@switchyard/sdk';

/** Longest piece of client text copied into a log event. */
const MAX_PEER_TEXT = 64;
import type { CredentialStore } from './credential-store';
import { digestAlgorithm, expectedResponse, formatChallenge, hexLength, parseCredentials, sameHex, type DigestAlgorithm, type DigestCredentials } from './digest';
import type { DigestErrorCode } from './errors';
import { DigestEvent } from './events';
import type { NonceCounts } from './nonce-counts';
import type { NonceSigner } from './nonce';
import type { DigestOptions } from './options';

/** Why an authenticated-looking request was refused with 403 (field `reason` of 00-04270). */
export type RefusalReason = 'wrong-password' | 'unknown-user' | 'not-authorized';

/** Seconds a client is told to wait after a credential store failure. */
export const STORE_FAILURE_RETRY_AFTER = 5;

export interface AuthenticatorDeps {
  clock: Clock;
  emit(id: string, fields: Record<string, unknown>): void;
  signer: NonceSigner;
  counts: NonceCounts;
  /** The credential store in force (resolved at start). */
  store(): CredentialStore;
}

type ChallengeKind = 'www' | 'proxy';

/**
 * The decision for one request (RFC 3261 §22, RFC 7616, RFC 8760):
 * undefined to let it through, or the reply — a challenge (401 / 407, one
 * header per algorithm in order of preference, `stale=true` when only the
 * nonce was at fault), 403 for a wrong password, an unknown user or a user
 * registering another's AOR, 400 for unusable credentials, 500 when the
 * store fails. Never logs a response digest, an HA1 or a password.
 */
export class DigestAuthenticator {
  private readonly methods: ReadonlySet<string>;
  private readonly refusals: EventRateLimit;
  private readonly replays: EventRateLimit;
  private readonly storeFailures: EventRateLimit;

  constructor(
    private readonly options: DigestOptions,
    private readonly deps: AuthenticatorDeps,
  ) {
    this.methods = new Set(options.methods);
    this.refusals = new EventRateLimit(deps.clock);
    this.replays = new EventRateLimit(deps.clock);
    this.storeFailures = new EventRateLimit(deps.clock);
  }

  async authenticate(inbound: InboundRequest): Promise<SipReply | undefined> {
    const request = inbound.message;
    if (!this.methods.has(request.method)) return undefined;
    const kind: ChallengeKind = request.method === 'REGISTER' || this.options.otherMethods === 'www' ? 'www' : 'proxy';
    const credentials = this.credentialsFor(headerValues(request, kind === 'www' ? 'Authorization' : 'Proxy-Authorization'));
    if (!credentials) return this.challenge(kind, false);

    const p = credentials.params;
    const user = p.get('username');
    const nonce = p.get('nonce');
    const uri = p.get('uri');
    const response = p.get('response');
    const cnonce = p.get('cnonce');
    const nc = p.get('nc');
    const algorithm = digestAlgorithm(p.get('algorithm') ?? 'MD5');
    if (algorithm === undefined || !this.options.algorithms.includes(algorithm)) return this.challenge(kind, false);
    if (!user || !nonce || !uri || !response || !/^[0-9a-fA-F]+$/.test(response)) return badRequest('incomplete Digest credentials');
    if (p.get('qop') !== 'auth' || !cnonce || !nc || !/^[0-9a-fA-F]{8}$/.test(nc)) return badRequest('Digest credentials need qop=auth, nc and cnonce');
    if (!uriEquals(uri, request.uri)) return badRequest('Digest uri differs from the Request-URI');

    const verdict = this.deps.signer.verify(nonce);
    let ha1: string | undefined;
    try {
      ha1 = await this.deps.store().lookup(user, this.options.realm, algorithm);
      if (ha1 !== undefined && (typeof ha1 !== 'string' || !new RegExp(`^[0-9a-fA-F]{${hexLength(algorithm)}}$`).test(ha1))) {
        throw new TypeError(`the store returned something that is not a ${algorithm} HA1 (${hexLength(algorithm)} hex digits)`);
      }
    } catch (error) {
      return this.storeFailed(error);
    }
    const context = { user, method: request.method, remote: `${inbound.remote.address}:${inbound.remote.port}/${inbound.remote.transport}` };
    // Without a valid nonce the client may simply not have seen our latest challenge: challenge again, never 403.
    if (ha1 === undefined) return verdict.kind === 'valid' ? this.forbid('unknown-user', context) : this.challenge(kind, false);
    const expected = expectedResponse(algorithm, ha1, { method: request.method, uri, nonce, nc, cnonce, qop: 'auth' });
    if (!sameHex(expected, response)) return verdict.kind === 'valid' ? this.forbid('wrong-password', context) : this.challenge(kind, false);
    // The right password with a nonce we cannot use (expired, or signed by another key, e.g. the other node's
    // before a switchover): a new nonce, and `stale=true` tells the client to retry without asking its user.
    if (verdict.kind !== 'valid') return this.challenge(kind, true);
    if (request.method === 'REGISTER' && this.options.sameUserOnly && !registersOwnAor(request, user)) return this.forbid('not-authorized', context);

    const count = Number.parseInt(nc, 16);
    // Only a short digest of what identifies the request is kept per nonce (memory).
    const requestKey = crypto
      .createHash('sha256')
      .update(`${headerValue(request, 'Call-ID') ?? ''}\u0000${headerValue(request, 'CSeq') ?? ''}\u0000${topBranch(request)}`)
      .digest('base64url')
      .slice(0, 16);
    const seen = this.deps.counts.check(nonce, verdict.issuedAt, count, requestKey);
    if (seen === 'replay') {
      this.emitLimited(this.replays, DigestEvent.ReplayRefused, { ...context, user: escapePeerText(user, MAX_PEER_TEXT), nc, realm: this.options.realm });
      return this.challenge(kind, true);
    }
    if (seen === 'forgotten') return this.challenge(kind, true);
    this.deps.counts.record(nonce, verdict.issuedAt, count, requestKey, this.deps.clock.now());
    return undefined;
  }

  /** The first Digest credentials for our realm (a request may carry some for other realms, RFC 3261 §22.3). */
  private credentialsFor(values: readonly string[]): DigestCredentials | undefined {
    for (const value of values) {
      const parsed = parseCredentials(value);
      if (parsed && parsed.scheme.toLowerCase() === 'digest' && parsed.params.get('realm') === this.options.realm) return parsed;
    }
    return undefined;
  }

  private challenge(kind: ChallengeKind, stale: boolean): SipReply {
    const name = kind === 'www' ? 'WWW-Authenticate' : 'Proxy-Authenticate';
    const nonce = this.deps.signer.issue();
    return {
      status: kind === 'www' ? 401 : 407,
      reason: kind === 'www' ? 'Unauthorized' : 'Proxy Authentication Required',
      headers: this.options.algorithms.map((algorithm: DigestAlgorithm) => ({
        name,
        value: formatChallenge({ realm: this.options.realm, nonce, algorithm, stale }),
      })),
    };
  }

  private forbid(reason: RefusalReason, context: { user: string; method: string; remote: string }): SipReply {
    this.emitLimited(this.refusals, DigestEvent.AuthFailed, { ...context, user: escapePeerText(context.user, MAX_PEER_TEXT), reason, realm: this.options.realm });
    return { status: 403, reason: 'Forbidden' };
  }

  private storeFailed(cause: unknown): SipReply {
    // The store's message may carry text from elsewhere (a directory's answer): escaped like client text.
    this.emitLimited(this.storeFailures, DigestEvent.StoreFailed, {
      realm: this.options.realm,
      code: 'SWY_ERR_DIGEST_LOOKUP' satisfies DigestErrorCode,
      error: escapePeerText(cause instanceof Error ? cause.message : String(cause), MAX_PEER_TEXT),
    });
    return { status: 500, reason: 'Server Internal Error', headers: [{ name: 'Retry-After', value: String(STORE_FAILURE_RETRY_AFTER) }] };
  }

  private emitLimited(limit: EventRateLimit, id: string, fields: Record<string, unknown>): void {
    const suppressed = limit.admit();
    if (suppressed !== null) this.deps.emit(id, { ...fields, suppressed });
  }
}

function badRequest(why: string): SipReply {
  return { status: 400, reason: `Bad Request (${why})` };
}

/** Whether the To URI's user part is `user` (the AOR a REGISTER changes belongs to the authenticated user). */
function registersOwnAor(request: InboundRequest['message'], user: string): boolean {
  const to = headerValue(request, 'To');
  const uri = to === undefined ? undefined : parseNameAddr(to);
  return uri !== undefined && parseUri(uri.uri)?.user === user;
}

function topBranch(request: InboundRequest['message']): string {
  const top = headerValues(request, 'Via')[0];
  return (top === undefined ? undefined : parseVia(top)?.params.branch) ?? '';
}
