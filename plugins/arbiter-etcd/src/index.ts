/**
 * @switchyard/plugin-arbiter-etcd — an arbiter on etcd. This part: the
 * lease-based election it is built on.
 */
export { EtcdElection, type CampaignResult } from './election';
export type { EtcdElectionOptions } from './election-options';
export type { LeaderRecord } from './cluster-view';
export { ETCD_ERROR_CODES, EtcdArbiterError, type EtcdErrorCode } from './errors';
export { MAX_VALUE_BYTES } from './json-value';
