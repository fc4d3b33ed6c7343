/**
 * @switchyard/plugin-sip-digest-auth — SIP digest authentication (`sip-digest-auth`).
 */
export { sipDigestAuthPlugin as default, sipDigestAuthPlugin, DIGEST_STATUS_KEY, type DigestStatus } from './plugin';
export { SipDigestTokens, type CredentialStore } from './credential-store';
export { DigestEvent, DIGEST_EVENTS } from './events';
export { digestOptionsSchema, MIN_NONCE_LIFETIME, MAX_NONCE_LIFETIME, type DigestOptions } from './options';
export { DIGEST_ERROR_CODES, DigestAuthError, type DigestErrorCode } from './errors';
export { DIGEST_ALGORITHMS, computeHa1, expectedResponse, parseCredentials as parseDigestCredentials, formatChallenge, type DigestAlgorithm } from './digest';
export { parseCredentials as parseCredentialsFile, parseCredentialsInTurns, readCredentials, CredentialsFile, LINES_PER_TURN, type Ha1Table } from './credentials-file';
export { NonceSigner, NONCE_FUTURE_SKEW_MS, type NonceVerdict } from './nonce';
export { NonceCounts, type CountVerdict } from './nonce-counts';
export { DigestAuthenticator, STORE_FAILURE_RETRY_AFTER, type RefusalReason } from './authenticator';

