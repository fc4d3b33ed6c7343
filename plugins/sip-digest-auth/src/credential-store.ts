import { createToken } from '@switchyard/sdk';
import type { DigestAlgorithm } from './digest';

/**
 * Where `sip-digest-auth` finds a user's HA1 (RFC 7616 §3.4.2:
 * `H(username ":" realm ":" password)`, lower-case hex). A store never
 * sees a password or a response digest.
 *
 * Provide your own (LDAP, a database, a REST service) from a plugin:
 *
 * ```ts
 * import { definePlugin } from '@switchyard/sdk';
 * import { SipDigestTokens, type CredentialStore } from '@switchyard/plugin-sip-digest-auth';
 *
 * export default definePlugin({
 *   name: 'my-credentials',
 *   version: '1.0.0',
 *   provides: [SipDigestTokens.CredentialStore],
 *   apply(engine) {
 *     const store: CredentialStore = { lookup: (user, realm, algorithm) => myDb.ha1(user, realm, algorithm) };
 *     engine.services.register(SipDigestTokens.CredentialStore, store);
 *   },
 * });
 * ```
 *
 * and leave `plugins.sip-digest-auth.credentials` unset. The store is
 * looked up when the node starts.
 */
export interface CredentialStore {
  /**
   * The HA1 of `user` in `realm` for `algorithm`, or undefined when the user
   * has none (the request is then refused with 403 after its challenge).
   * Called once per authenticated request, on the primary: keep it fast
   * (cache remote answers). A throw or rejection answers the request 500
   * with Retry-After and logs 00-04275.
   */
  lookup(user: string, realm: string, algorithm: DigestAlgorithm): string | undefined | Promise<string | undefined>;
}

/** Services of `sip-digest-auth`. */
export const SipDigestTokens = Object.freeze({
  /** A {@link CredentialStore} a third-party plugin registers, used when `credentials` is not set. */
  CredentialStore: createToken<CredentialStore>('sip-digest-auth:credential-store'),
});
