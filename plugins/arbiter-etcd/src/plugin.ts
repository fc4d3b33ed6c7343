import { defineArbiter, definePlugin } from '@switchyard/sdk';
import { EtcdArbiter } from './etcd-arbiter';
import { ETCD_ARBITER_EVENTS } from './events';
import { checkEtcdTimings, etcdArbiterOptionsSchema } from './options';

/** Arbiter kind `etcd`: a lease-based election on a real etcd cluster, one agent per host. */
export const etcdArbiterKind = defineArbiter({
  options: etcdArbiterOptionsSchema,
  multiHost: true,
  events: ETCD_ARBITER_EVENTS,
  check: (options, view) => checkEtcdTimings(options, view),
  create: (options, context) => new EtcdArbiter(options, context),
});

/**
 * `arbiter-etcd`: offers arbiter kind `etcd`. Choosing
 * `arbiter: { kind: 'etcd', ... }` loads it; it has no node hooks.
 */
export const arbiterEtcdPlugin = definePlugin({
  name: 'arbiter-etcd',
  version: '0.1.0',
  scope: 'supervisor',
  events: ETCD_ARBITER_EVENTS,
  arbiters: { etcd: etcdArbiterKind },
  apply() {
    // Nothing to tap: the agent creates the arbiter from its kind.
  },
});
