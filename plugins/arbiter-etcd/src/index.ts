/**
 * @switchyard/plugin-arbiter-etcd — an arbiter on etcd. This part: the
 * lease-based election it is built on.
 */
export { EtcdElection, type CampaignResult } from './election';
export type { EtcdElectionOptions } from './election-options';
export type { LeaderRecord } from './cluster-view';
export { ETCD_ERROR_CODES, EtcdArbiterError, type EtcdErrorCode } from './errors';
export { MAX_VALUE_BYTES } from './json-value';
// The arbiter strategy and the plugin that offers it (kind `etcd`).
export { arbiterEtcdPlugin as default, arbiterEtcdPlugin, etcdArbiterKind } from './plugin';
export { EtcdArbiter, type ElectionPort } from './etcd-arbiter';
export { etcdArbiterOptionsSchema, checkEtcdTimings, type EtcdArbiterOptions, type EtcdArbiterOptionsInput } from './options';
export { grantDeadline, type GrantInputs } from './grant';
export { EtcdArbiterEvent, ETCD_ARBITER_EVENTS } from './events';
