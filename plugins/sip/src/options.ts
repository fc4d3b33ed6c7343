import { z } from 'zod';

const seconds = (what: string) => z.number({ error: `${what} must be a number of seconds` }).positive(`${what} must be greater than 0`);

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
    })
    .refine((r) => r.minExpires <= r.defaultExpires && r.defaultExpires <= r.maxExpires, {
      message: 'registrar expiries must satisfy minExpires <= defaultExpires <= maxExpires',
    })
    .default({ defaultExpires: 3600, minExpires: 60, maxExpires: 7200 }),
  replication: z
    .strictObject({
      /** `async`: answer REGISTER at once; `sync`: answer once the backup acknowledged (or `syncTimeout` passed). */
      mode: z.enum(['async', 'sync']).default('async'),
      syncTimeout: seconds('replication.syncTimeout').default(0.5),
      /** Sync mode, backup silent past `syncTimeout`: `async` answers 200 anyway; `reject` answers 500 with Retry-After (never 200 unacknowledged). */
      onTimeout: z.enum(['async', 'reject']).default('async'),
    })
    .default({ mode: 'async', syncTimeout: 0.5, onTimeout: 'async' }),
  persistence: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** Seconds between batched fsyncs of the bindings journal. */
      flushInterval: seconds('persistence.flushInterval').default(0.2),
    })
    .default({ enabled: true, flushInterval: 0.2 }),
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
