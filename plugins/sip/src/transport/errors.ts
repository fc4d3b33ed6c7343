import { codedErrorClass, describeError } from '@switchyard/sdk';

/**
 * Errors the SIP transport raises, each with a stable code and a remedy.
 * Until the package has one errors module, this is the transport's; the
 * codes are meant to move there unchanged.
 */

/** Codes and the one-line remedy printed with them. */
export const SIP_TRANSPORT_ERROR_CODES = {
  SWY_ERR_SIP_NOT_LISTENING:
    'The SIP listener is not bound on this transport (stopped, or still retrying the bind); see the 00-04200 bind-failure event.',
  SWY_ERR_SIP_SEND_FAILED: 'The message could not be sent to the target; check its address, port and reachability (see the cause).',
  SWY_ERR_SIP_OPTIONS: 'Fix the SIP listener or client option named in the message.',
  SWY_ERR_SIP_REQUEST_INVALID: 'Remove the header the message names from `headers`; the SIP client writes it itself.',
} as const;

export type SipTransportErrorCode = keyof typeof SIP_TRANSPORT_ERROR_CODES;

/** The one error class of the SIP transport. `code` is stable; `message` says what happened. */
export class SipTransportError extends codedErrorClass('SipTransportError', SIP_TRANSPORT_ERROR_CODES) {}

/** `EADDRINUSE`-style code of a Node system error, or `UNKNOWN`. */
export function errnoOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'UNKNOWN';
}

export { describeError };
