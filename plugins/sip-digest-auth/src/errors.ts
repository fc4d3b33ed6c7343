import { codedErrorClass } from '@switchyard/sdk';

/** Every error code of `sip-digest-auth`, with the remedy printed with it (its README and docs/operator/errors.md list it: `npm run docs` writes both tables from this one). */
export const DIGEST_ERROR_CODES = Object.freeze({
  SWY_ERR_DIGEST_CREDENTIALS_READ:
    'The credentials file could not be read; check plugins.sip-digest-auth.credentials names an existing file the node\'s user may read.',
  SWY_ERR_DIGEST_CREDENTIALS_LINE:
    'Fix the line named in the message: each line is user:realm:algorithm:HA1 (algorithm MD5 with 32 hex digits or SHA-256 with 64), # starts a comment; make lines with switchyard-digest-ha1.',
  SWY_ERR_DIGEST_STORE:
    'Give exactly one credential store: set plugins.sip-digest-auth.credentials to an HA1 file, or enable a plugin that registers the SipDigestTokens.CredentialStore service, not both.',
  SWY_ERR_DIGEST_LOOKUP:
    'The credential store failed to answer; the request got 500 with Retry-After. See the cause, and the plugin that provides the store.',
});

export type DigestErrorCode = keyof typeof DIGEST_ERROR_CODES;

export class DigestAuthError extends codedErrorClass('DigestAuthError', DIGEST_ERROR_CODES) {}
