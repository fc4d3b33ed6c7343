import net from 'node:net';
import os from 'node:os';
import { z } from 'zod';

const seconds = (what: string) => z.number({ error: `${what} must be a number of seconds` }).positive(`${what} must be greater than 0`);

/** Default `registrar.maxContactsPerAor`. */
export const DEFAULT_MAX_CONTACTS_PER_AOR = 10;

/**
 * Memory a binding may take at most, bytes, counted generously: the stored
 * binding (Contact URI up to 1 KiB, Call-ID up to 256 bytes, AOR up to
 * 256 bytes), its expiry-queue entry, and its copies in the replication
 * log and the journal buffers.
 */
export const BINDING_BUDGET_BYTES = 8192;

/**
 * Default `registrar.maxBindings`: an eighth of the host's memory at
 * {@link BINDING_BUDGET_BYTES} a binding, between 1,000 and 1,000,000
 * (8 GiB → 131,072).
 */
export function defaultMaxBindings(totalMemory = os.totalmem()): number {
  return Math.min(1_000_000, Math.max(1000, Math.floor(totalMemory / 8 / BINDING_BUDGET_BYTES)));
}

/** `plugins.sip` options. Durations are seconds. */
export const sipOptionsSchema = z.strictObject({
  /** Seconds between attempts to bind a SIP port that could not be opened (00-04200). */
  bindRetryInterval: seconds('bindRetryInterval').default(5),
  /** `Retry-After` (whole seconds) in the backup's 503 answers. */
  retryAfter: z.number().int().min(0).max(3600).default(5),
  registrar: z
    .strictObject({
      defaultExpires: z.number().int().positive().default(3600),
      minExpires: z.number().int().positive().default(60),
      maxExpires: z.number().int().positive().default(7200),
      /** Contacts one address-of-record may hold; more are refused with 403. */
      maxContactsPerAor: z.number().int().min(1).max(1000).default(DEFAULT_MAX_CONTACTS_PER_AOR),
      /** Bindings the node holds in all; a REGISTER adding more is refused with 503. Default sized to memory ({@link defaultMaxBindings}). */
      maxBindings: z.number().int().min(1).default(() => defaultMaxBindings()),
    })
    .refine((r) => r.minExpires <= r.defaultExpires && r.defaultExpires <= r.maxExpires, {
      message: 'registrar expiries must satisfy minExpires <= defaultExpires <= maxExpires',
    })
    .default(() => ({
      defaultExpires: 3600,
      minExpires: 60,
      maxExpires: 7200,
      maxContactsPerAor: DEFAULT_MAX_CONTACTS_PER_AOR,
      maxBindings: defaultMaxBindings(),
    })),
  tcp: z
    .strictObject({
      /** Inbound TCP connections open at once, from everyone; more are closed on arrival. */
      maxConnections: z.number().int().min(1).max(65535).default(1024),
      /** Inbound TCP connections open at once from one source address. */
      maxConnectionsPerSource: z.number().int().min(1).max(65535).default(32),
      /** Seconds a message may take to arrive once its first byte did; a slower sender is disconnected. */
      messageTimeout: seconds('tcp.messageTimeout').default(10),
      /** Seconds without a byte either way after which a connection is closed. */
      idleTimeout: seconds('tcp.idleTimeout').default(60),
    })
    .refine((t) => t.maxConnectionsPerSource <= t.maxConnections, {
      message: 'tcp.maxConnectionsPerSource must not exceed tcp.maxConnections',
    })
    .default({ maxConnections: 1024, maxConnectionsPerSource: 32, messageTimeout: 10, idleTimeout: 60 }),
  replication: z
    .strictObject({
      /** `async`: answer REGISTER at once; `sync`: answer once the backup acknowledged (or `syncTimeout` passed). */
      mode: z.enum(['async', 'sync']).default('async'),
      syncTimeout: seconds('replication.syncTimeout').default(0.5),
      /** Sync mode, backup silent past `syncTimeout`: `async` answers 200 anyway; `reject` answers 500 with Retry-After (never 200 unacknowledged). */
      onTimeout: z.enum(['async', 'reject']).default('async'),
    })
    .refine((r) => !(r.mode === 'async' && r.onTimeout === 'reject'), {
      message: "replication.onTimeout 'reject' needs replication.mode 'sync' (async mode never waits for the backup)",
      path: ['onTimeout'],
    })
    .default({ mode: 'async', syncTimeout: 0.5, onTimeout: 'async' }),
  persistence: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** Seconds between batched fsyncs of the bindings journal. */
      flushInterval: seconds('persistence.flushInterval').default(0.2),
    })
    .default({ enabled: true, flushInterval: 0.2 }),
  /**
   * The pair's one public SIP address (UDP and TCP), held by the primary
   * only: a client points at it and never needs a node's own port. On one
   * host set `arbiter.fence` so a frozen primary is killed and the address
   * freed for the new one. Unset: clients use the nodes' own addresses.
   */
  public: z
    .strictObject({
      /** An IPv4 or IPv6 address of this host (not a wildcard): answers leave from it. */
      host: z.string().refine((h) => net.isIP(h) !== 0 && !['0.0.0.0', '::'].includes(h), {
        message: 'public.host must be an IPv4 or IPv6 address of this host, not a name or a wildcard (answers must leave from it)',
      }),
      port: z.number().int().min(1).max(65535),
    })
    .optional(),
  /** Largest SIP message accepted, bytes. */
  maxMessageBytes: z.number().int().min(1024).max(65535).default(65535),
});

export type SipOptions = z.output<typeof sipOptionsSchema>;

/** `nodes[].sip`: where each node's SIP listener binds. */
export const sipNodeSchema = z.strictObject({
  /** Address to bind; default: the node's `host`. */
  host: z.string().min(1).optional(),
  port: z.number().int().min(1).max(65535),
});

export type SipNodeOptions = z.output<typeof sipNodeSchema>;
