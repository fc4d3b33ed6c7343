import { codedErrorClass } from '@switchyard/sdk';

/** Every error code of `sip-iptakeover-monitoring`, with the remedy printed with it (its README and docs/operator/errors.md list it: `npm run docs` writes both tables from this one). */
export const VIP_ERROR_CODES = Object.freeze({
  SWY_ERR_VIP_SCRIPT_UNSAFE:
    'Give the VIP script as the absolute path of an executable file owned by root or the user Switchyard runs as, not writable by group or others, in folders with the same owners and not writable by group or others (chown root, chmod go-w), as keepalived requires with enable_script_security.',
  SWY_ERR_VIP_INTERFACE:
    'The interface for the VIP cannot be found from the SIP listener address (a host name, 0.0.0.0 or ::, or an address no interface carries); set plugins.sip-iptakeover-monitoring.interface.',
});

export type VipErrorCode = keyof typeof VIP_ERROR_CODES;

/** The one error class of the plugin: a stable code, a message that says what happened, the cause. */
export class VipError extends codedErrorClass('VipError', VIP_ERROR_CODES) {}
