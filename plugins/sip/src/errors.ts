/**
 * Every error code of the SIP plugin, with the remedy printed with it. The
 * classes live next to the code that throws them (transport, message
 * builder, journal); this is the one table plugins/sip/README.md and docs/operator/errors.md are generated from (npm run docs).
 */
import { SIP_MESSAGE_INVALID } from './message/errors';
import { JOURNAL_ERROR_CODES } from './store/journal-error';
import { REPLICATION_VERSION_ERROR } from './store/replication-protocol';
import { SIP_TRANSPORT_ERROR_CODES } from './transport/errors';

export const SIP_ERROR_CODES = Object.freeze({
  ...SIP_TRANSPORT_ERROR_CODES,
  ...JOURNAL_ERROR_CODES,
  [SIP_MESSAGE_INVALID]: 'A SIP message built in code could not be parsed back (CR/LF in a value, a bad header name or method); fix the code that builds it.',
  [REPLICATION_VERSION_ERROR]:
    'The peer replicates bindings in another format (an older Switchyard); nothing it sends is applied. Upgrade both nodes of the pair to the same version together.',
});

export type SipErrorCode = keyof typeof SIP_ERROR_CODES;
