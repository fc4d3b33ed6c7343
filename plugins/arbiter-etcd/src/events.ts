import type { LogEventDefinition } from '@switchyard/sdk';

/** What 01-30001 says the primary does meanwhile, by `arbiter.onEtcdLoss`. */
export const ETCD_LOSS_POLICY = {
  failsafe: 'a primary that cannot reach its peer either stops serving before its lease could expire',
  'keep-serving': 'the primary keeps serving even without its peer (onEtcdLoss: keep-serving)',
} as const;

/** Log events of the etcd arbiter (emitted by the agent of `switchyard node`). */
export const EtcdArbiterEvent = {
  Unreachable: '01-30001',
  Reachable: '01-30002',
  LeaseRevoked: '01-30003',
} as const;

export const ETCD_ARBITER_EVENTS: readonly LogEventDefinition[] = [
  {
    id: EtcdArbiterEvent.Unreachable,
    level: 'error',
    message: 'etcd ({endpoints}) unreachable: roles are kept; {policy}',
  },
  { id: EtcdArbiterEvent.Reachable, level: 'info', message: 'etcd ({endpoints}) reachable again' },
  { id: EtcdArbiterEvent.LeaseRevoked, level: 'warn', message: 'Gave up the etcd lease of {node} at once (held the primary key: {held}): {reason}' },
];
