import { codedErrorClass } from '@switchyard/sdk';

/**
 * Every error code of the etcd arbiter, with the remedy printed with it
 * (its README and docs/operator/errors.md list it: `npm run docs` writes both tables from this one).
 */
export const ETCD_ERROR_CODES = Object.freeze({
  SWY_ERR_ETCD_OPTIONS_INVALID: 'Fix the etcd option at the key path shown (endpoints, prefix, nodeId, leaseTtl, …); docs/operator/deploy.md ("etcd arbiter options") lists them.',
  SWY_ERR_ETCD_TLS_FILE: "A TLS file (ca, cert or key) could not be read; check the path and that the agent's user may read it.",
  SWY_ERR_ETCD_NOT_RUNNING: 'Call start() before using the election, and do not use it after stop().',
  SWY_ERR_ETCD_NO_LEASE:
    'There is no etcd lease right now (etcd unreachable, or the lease was just lost); a new one is granted in the background: retry once `connected` is true.',
  SWY_ERR_ETCD_UNREACHABLE:
    'etcd did not answer within requestTimeout; check the endpoints, that etcd runs and has quorum (`etcdctl endpoint health`), and the network in between.',
  SWY_ERR_ETCD_VALUE_INVALID: 'Published state and message bodies must be JSON-serialisable (no BigInt, no cycles); send plain data.',
  SWY_ERR_ETCD_VALUE_TOO_LARGE: 'Published state and messages are limited to 64 KiB of JSON each; send less.',
});

export type EtcdErrorCode = keyof typeof ETCD_ERROR_CODES;

/** The one error class of the etcd arbiter: a stable code, a message that says what happened, the cause. */
export class EtcdArbiterError extends codedErrorClass('EtcdArbiterError', ETCD_ERROR_CODES) {}
