import type { LogEventDefinition } from '@switchyard/sdk';

/**
 * Log events of `sip-digest-auth` (the `00-` range of the SIP plugins).
 * Put an alarm condition on 00-04270 to watch password guessing, and on
 * 00-04272 for a credentials file that no longer loads.
 */
export const DigestEvent = {
  AuthFailed: '00-04270',
  ReplayRefused: '00-04271',
  CredentialsRejected: '00-04272',
  CredentialsLoaded: '00-04273',
  CredentialsExposed: '00-04274',
  StoreFailed: '00-04275',
} as const;

export const DIGEST_EVENTS: readonly LogEventDefinition[] = [
  {
    id: DigestEvent.AuthFailed,
    level: 'warn',
    message: 'SIP digest authentication refused ({reason}) for user {user} in realm {realm} from {remote} ({method}); answered 403 ({suppressed} more suppressed before this one)',
  },
  {
    id: DigestEvent.ReplayRefused,
    level: 'warn',
    message: 'SIP digest nonce-count replay refused for user {user} from {remote} ({method}, nc {nc}); re-challenged ({suppressed} more suppressed before this one)',
  },
  {
    id: DigestEvent.CredentialsRejected,
    level: 'error',
    message: 'Credentials file {file} rejected ({code}): {reason}; the {kept} credentials loaded before stay in force',
  },
  { id: DigestEvent.CredentialsLoaded, level: 'info', message: 'Credentials file {file} loaded: {count} credentials' },
  {
    id: DigestEvent.CredentialsExposed,
    level: 'warn',
    message: 'Credentials file {file} has mode {mode}: group or others may read its HA1 hashes; chmod 600 it',
  },
  { id: DigestEvent.StoreFailed, level: 'error', message: 'Credential store lookup failed for realm {realm} ({code}): {error}; answered 500 ({suppressed} more suppressed before this one)' },
];
