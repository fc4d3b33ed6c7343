import { codedErrorClass } from '@switchyard/core';

/** Error codes of `@switchyard/sdk/network`, each with its remedy. */
export const NETWORK_ERROR_CODES = Object.freeze({
  SWY_ERR_NETWORK_ADDRESS:
    'The address to watch is not an IPv4/IPv6 literal or is unspecified (0.0.0.0, ::); configure the literal address the interface carries.',
});

export type NetworkErrorCode = keyof typeof NETWORK_ERROR_CODES;

/** An error of the interface watcher, with a `code` from {@link NETWORK_ERROR_CODES} and its `remedy`. */
export class NetworkError extends codedErrorClass('NetworkError', NETWORK_ERROR_CODES) {}
