import { codedErrorClass } from '@switchyard/sdk';

/** Every error code of `sip-nic-monitoring`, with the remedy printed with it (its README and docs/operator/errors.md list it: `npm run docs` writes both tables from this one). */
export const SIP_NIC_ERROR_CODES = Object.freeze({
  SWY_ERR_SIP_NIC_ADDRESS:
    'The SIP listener address is not one an interface carries (a host name, 0.0.0.0 or ::); set nodes[].sipNic.address (classic sip-nic-address) to the SIP NIC\'s address.',
});

export type SipNicErrorCode = keyof typeof SIP_NIC_ERROR_CODES;

export class SipNicError extends codedErrorClass('SipNicError', SIP_NIC_ERROR_CODES) {}
