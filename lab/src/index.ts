/**
 * @switchyard/lab — a two-host network lab from Linux network namespaces,
 * for Switchyard's multi-host tests and for trying a pair on one machine.
 * Needs root, `ip` (iproute2) and, for the arbiter, `etcd`/`etcdctl`.
 */
export { Lab, type LabOptions, type LabHost, type LabClient, type LabRunResult } from './lab';
export type { LabProcess, LabExit, LabSpawnOptions } from './processes';
export { sweepLabs, type SweepOptions } from './sweep';
export { registryDir as labRegistryDir, type LabRecord, type LabRecordProcess } from './registry';
export { LAB_ERROR_CODES, LabError, isLabError, type LabErrorCode } from './errors';
export { ADDRESSES, type HostName, type LabPlace, type LinkKind } from './topology';
export { ETCD_HEARTBEAT_MS, ETCD_ELECTION_MS } from './etcd';
export { LabPair, labConfig, nodePid, NODES, SIP, type NodeId, type Probe, type ProbeAnswer } from './pair';
export { startProbe } from './probe';
export { FAULT_KINDS, NODE_FAULTS, PAIR_OPTION_FAULTS, injectFault, type ActiveFault, type FaultContext, type FaultKind, type FaultRole, type FaultSpec, type PairRoles } from './faults';
export {
  doublePrimaries,
  doublePrimaryViolations,
  isDoublePrimaryViolation,
  longestOutage,
  lostRegistrations,
  servingSpans,
  withoutInFlightAcrossFreezes,
  withHeldRepliesAtSendTime,
  type Freeze,
  type AckedRegistration,
  type DoublePrimary,
  type FoundRegistration,
  type LostRegistration,
  type Outage,
  type Span,
} from './invariants';
export { queryRegistrations } from './registrations';
export { startSippRegisterLoad, registerLoadUsers, REGISTER_LOAD_SCENARIO, type RegisterLoad, type SippRegisterLoadOptions } from './sipp-registrations';
export { RegisterTally, parseRegisterLogLine, sippTimestampMs, type RegisterCounts, type RegisterLogRecord } from './sipp-register-log';
export { waitForSettledPair, type SettledPair } from './settle';
export { NodeDisks, FILLER_FILE } from './node-disks';
export { HostClocks, fakeTimeLibrary } from './host-clocks';
export { findLeaks, snapshotResources, type Leak, type ResourceSnapshot } from './leaks';
