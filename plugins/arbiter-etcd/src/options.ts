import { z } from 'zod';
import type { ArbiterCheckView, ArbiterIssue } from '@switchyard/sdk';

const seconds = (what: string) => z.number({ error: `${what} must be a number of seconds` }).positive(`${what} must be greater than 0`);

/**
 * `arbiter: { kind: 'etcd', ... }`. Durations are seconds. The lease TTL is
 * whole seconds, at least 2: etcd 3.4 silently raises shorter TTLs to its
 * minimum (derived from its election timeout: 2 s at the defaults).
 */
export const etcdArbiterOptionsSchema = z.strictObject({
  /** etcd client URLs, e.g. `http://192.0.2.254:2379`; all members of the cluster. */
  endpoints: z
    .array(z.string().regex(/^https?:\/\/[^/\s]+\/?$/, 'an endpoint looks like http://192.0.2.254:2379 (https:// with tls)'), {
      error: 'arbiter.endpoints lists the etcd client URLs, e.g. ["http://192.0.2.254:2379"]',
    })
    .min(1, 'list at least one etcd endpoint'),
  /** Lease TTL in whole seconds: how long a lost host or frozen machine keeps the primary role. */
  leaseTtl: z
    .number()
    .int('arbiter.leaseTtl is whole seconds')
    .min(2, "arbiter.leaseTtl must be at least 2: etcd 3.4's smallest lease TTL at its default election timeout is 2 s, and it silently raises shorter ones")
    .max(60)
    .default(2),
  /** Key prefix of this pair in etcd; default `/switchyard/<cluster>/`. */
  prefix: z.string().regex(/^\/[^\s]*\/$/, 'arbiter.prefix starts and ends with "/" (e.g. /switchyard/demo/)').optional(),
  /** PEM files for an etcd that serves TLS (https:// endpoints). */
  tls: z
    .strictObject({ ca: z.string().min(1).optional(), cert: z.string().min(1).optional(), key: z.string().min(1).optional() })
    .refine((t) => (t.cert === undefined) === (t.key === undefined), { message: 'tls.cert and tls.key go together', path: ['cert'] })
    .optional(),
  /** Seconds between lease keepalives; default leaseTtl / 6, at most 0.5. */
  keepaliveInterval: seconds('arbiter.keepaliveInterval').optional(),
  /** Seconds one etcd request may take before it counts as failed. */
  requestTimeout: seconds('arbiter.requestTimeout').default(0.5),
  /** Seconds a primary cut off from etcd and its peer stops serving before its lease could expire. */
  failsafeMargin: seconds('arbiter.failsafeMargin').default(0.5),
  /** Longest grant the agent gives its primary node at once (seconds): how long a frozen node could still serve. */
  grantWindow: seconds('arbiter.grantWindow').default(0.5),
  /** Seconds without a heartbeat from its node before the agent treats it as frozen. */
  nodeTimeout: seconds('arbiter.nodeTimeout').default(1),
  /**
   * What a primary does while its agent cannot reach etcd. `failsafe`: it
   * serves on only while its peer confirms it over the HA link, and stops
   * before its lease could expire — two primaries never serve at once.
   * `keep-serving` (the classic behaviour): it serves on through any etcd
   * outage, peer or no peer; a partition can then leave two primaries, which
   * `control-vip-scripts` resolves when the HA link returns.
   */
  onEtcdLoss: z
    .enum(['failsafe', 'keep-serving'], { error: 'arbiter.onEtcdLoss is "failsafe" (the default) or "keep-serving"' })
    .default('failsafe'),
});

export type EtcdArbiterOptionsInput = z.input<typeof etcdArbiterOptionsSchema>;
export type EtcdArbiterOptions = z.output<typeof etcdArbiterOptionsSchema> & { requestTimeout: number };

/** The keepalive interval the election uses for these options, seconds. */
export function keepaliveSeconds(o: Pick<EtcdArbiterOptions, 'keepaliveInterval' | 'leaseTtl'>): number {
  return o.keepaliveInterval ?? Math.min(o.leaseTtl / 6, 0.5);
}

/**
 * The timing rules that keep the failsafe bound (a primary cut off from
 * etcd and its peer stops serving before the other node can be elected)
 * and keep a healthy pair from flapping.
 */
export function checkEtcdTimings(o: EtcdArbiterOptions, view: ArbiterCheckView): ArbiterIssue[] {
  const issues: ArbiterIssue[] = [];
  const keepalive = keepaliveSeconds(o);
  const r = (n: number) => Math.round(n * 1000) / 1000;
  if (keepalive > o.leaseTtl / 3) {
    issues.push({
      path: ['arbiter', 'keepaliveInterval'],
      message: `arbiter.keepaliveInterval (${keepalive} s) must be at most leaseTtl / 3 (${r(o.leaseTtl / 3)} s), so two lost keepalives in a row still leave the lease alive`,
    });
  }
  if (o.failsafeMargin < 0.1 || o.leaseTtl - o.failsafeMargin < 2 * keepalive) {
    issues.push({
      path: ['arbiter', 'failsafeMargin'],
      message:
        `arbiter.failsafeMargin (${o.failsafeMargin} s) must be at least 0.1 s and leave leaseTtl − failsafeMargin (${r(o.leaseTtl - o.failsafeMargin)} s) ` +
        `at least two keepalive intervals (${r(2 * keepalive)} s): the primary serves until its last confirmed keepalive + leaseTtl − failsafeMargin`,
    });
  }
  if (o.requestTimeout * 2 >= o.leaseTtl) {
    issues.push({
      path: ['arbiter', 'requestTimeout'],
      message: `arbiter.requestTimeout (${o.requestTimeout} s) must be under half the lease TTL (${o.leaseTtl / 2} s)`,
    });
  }
  const hb = view.haLink?.heartbeatInterval;
  if (hb !== undefined) {
    if (o.nodeTimeout < 3 * hb) {
      issues.push({
        path: ['arbiter', 'nodeTimeout'],
        message: `arbiter.nodeTimeout (${o.nodeTimeout} s) must be at least 3 × haLink.heartbeatInterval (${r(3 * hb)} s): a node reports to its agent once per heartbeat interval`,
      });
    }
    if (o.grantWindow < 2 * hb) {
      issues.push({
        path: ['arbiter', 'grantWindow'],
        message: `arbiter.grantWindow (${o.grantWindow} s) must be at least 2 × haLink.heartbeatInterval (${r(2 * hb)} s): the agent renews the grant once per heartbeat interval`,
      });
    }
    const linkDown = r(hb * (view.haLink?.missedHeartbeats ?? 3));
    if (linkDown >= o.leaseTtl - o.failsafeMargin) {
      issues.push({
        path: ['haLink', 'missedHeartbeats'],
        message:
          `haLink.heartbeatInterval × haLink.missedHeartbeats (${linkDown} s) must be shorter than arbiter.leaseTtl − arbiter.failsafeMargin ` +
          `(${r(o.leaseTtl - o.failsafeMargin)} s), so a primary learns it lost its peer before its failsafe deadline`,
      });
    }
  }
  return issues;
}
