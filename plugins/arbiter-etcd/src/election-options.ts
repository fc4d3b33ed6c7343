import type { Clock } from '@switchyard/sdk';
import { z } from 'zod';
import { EtcdArbiterError } from './errors';

/** Options of {@link EtcdElection}. */
export interface EtcdElectionOptions {
  /** etcd client URLs, e.g. `['http://192.0.2.254:2379']` (`https://` when etcd serves TLS). */
  endpoints: string[];
  /** Key prefix of this cluster, e.g. `/switchyard/demo/`; always ends with `/`. */
  prefix: string;
  /** This agent's node id (1-63 letters, digits, `-` or `_`, as in the Switchyard config). */
  nodeId: string;
  /** Lease TTL in whole seconds, at least 2 (etcd 3.4's smallest at its default election timeout). */
  leaseTtl: number;
  /** PEM file paths, read by `start()`; `cert` and `key` go together. */
  tls?: { ca?: string; cert?: string; key?: string };
  clock: Clock;
  /** Seconds between keepalives; default `leaseTtl / 6`, at most 0.5. */
  keepaliveInterval?: number;
  /** Milliseconds one etcd call may take before it counts as failed; default 500. */
  requestTimeout?: number;
  /**
   * Called whenever leader, highestTerm, connected, peers, the lease (id) or
   * the inbox change: once per batch of changes, from a microtask right after
   * them, so every property already shows the whole batch and the callback
   * never runs inside one of your own calls. Not for `leaseConfirmedAt`
   * moving on (every keepalive). Never after stop(). What it throws is swallowed.
   */
  onChange?: () => void;
  /** Receives each message sent to this node (see `EtcdElection.send`), once. */
  onMessage?: (from: string, body: unknown) => void;
}

/** The options with defaults applied and times in milliseconds. */
export interface ResolvedElectionOptions {
  endpoints: string[];
  prefix: string;
  nodeId: string;
  leaseTtl: number;
  tls: { ca?: string; cert?: string; key?: string } | undefined;
  clock: Clock;
  keepaliveIntervalMs: number;
  requestTimeoutMs: number;
  onChange: () => void;
  onMessage: (from: string, body: unknown) => void;
}

/** The node-id rule of the Switchyard config: also safe as one etcd key segment. */
export const NODE_ID = /^[a-z0-9][a-z0-9-_]{0,62}$/i;

const schema = z
  .object({
    endpoints: z.array(z.string().regex(/^https?:\/\/[^/\s]+\/?$/, 'an endpoint looks like http://host:2379 or https://host:2379')).min(1),
    prefix: z
      .string()
      .regex(/^[^\s]*\/$/, 'the prefix ends with "/" (e.g. /switchyard/demo/)')
      .min(2, 'the prefix must not be "/" alone: give each cluster its own prefix'),
    nodeId: z.string().regex(NODE_ID, 'a node id is 1-63 letters, digits, "-" or "_"'),
    leaseTtl: z.number().int('the lease TTL is whole seconds').min(2, 'etcd 3.4 raises lease TTLs under 2 s silently: use 2 or more'),
    tls: z
      .object({ ca: z.string().min(1).optional(), cert: z.string().min(1).optional(), key: z.string().min(1).optional() })
      .strict()
      .refine((t) => (t.cert === undefined) === (t.key === undefined), { message: 'cert and key go together', path: ['cert'] })
      .optional(),
    keepaliveInterval: z.number().positive().optional(),
    requestTimeout: z.number().int().min(10).optional(),
  })
  .superRefine((o, ctx) => {
    // A keepalive must be able to fail a few times in a row and still land within the TTL.
    if (o.keepaliveInterval !== undefined && o.keepaliveInterval > o.leaseTtl / 3) {
      ctx.addIssue({ code: 'custom', path: ['keepaliveInterval'], message: `must be at most leaseTtl / 3 (${(o.leaseTtl / 3).toFixed(2)} s)` });
    }
    if (o.requestTimeout !== undefined && o.requestTimeout >= (o.leaseTtl * 1000) / 2) {
      ctx.addIssue({ code: 'custom', path: ['requestTimeout'], message: `must be under half the lease TTL (${o.leaseTtl * 500} ms)` });
    }
  });

/** Validates the options (key paths in the message) and applies the defaults. */
export function resolveElectionOptions(options: EtcdElectionOptions): ResolvedElectionOptions {
  const parsed = schema.safeParse(options);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `Key "${i.path.join('.')}": ${i.message}`);
  if (typeof options.clock?.setTimeout !== 'function') problems.push('Key "clock": give a Clock (SystemClock in production)');
  if (!parsed.success || problems.length > 0) {
    throw new EtcdArbiterError('SWY_ERR_ETCD_OPTIONS_INVALID', ['etcd election options are invalid:', ...problems.map((p) => `  - ${p}`)].join('\n'));
  }
  const o = parsed.data;
  const onChange = options.onChange;
  const onMessage = options.onMessage;
  return {
    endpoints: o.endpoints,
    prefix: o.prefix,
    nodeId: o.nodeId,
    leaseTtl: o.leaseTtl,
    tls: o.tls,
    clock: options.clock,
    keepaliveIntervalMs: Math.round(1000 * (o.keepaliveInterval ?? Math.min(o.leaseTtl / 6, 0.5))),
    requestTimeoutMs: o.requestTimeout ?? 500,
    // The callbacks run inside etcd event handlers: an exception there must not break the election.
    onChange: () => {
      try {
        onChange?.();
      } catch {
        /* the caller's problem, not the election's */
      }
    },
    onMessage: (from, body) => {
      try {
        onMessage?.(from, body);
      } catch {
        /* as above */
      }
    },
  };
}
