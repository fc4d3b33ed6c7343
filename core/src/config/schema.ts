import { z } from 'zod';

/**
 * The shape of a Switchyard config. Durations are seconds (fractions
 * allowed), as in the classic options. Semantic rules that span keys
 * (duplicate ports, timing, secrets, plugins) live in `validate.ts`.
 */

const seconds = (what: string) => z.number({ error: `${what} must be a number of seconds` }).positive(`${what} must be greater than 0`);
const port = z.number().int('a port is a whole number').min(1, 'a port is 1-65535').max(65535, 'a port is 1-65535');
const host = z.string().min(1, 'a host must not be empty');

export const nodeSchema = z.strictObject({
  /** Unique node id, used in logs, status and the HA link handshake. */
  id: z.string().regex(/^[a-z0-9][a-z0-9-_]{0,62}$/i, 'a node id is 1-63 letters, digits, "-" or "_"'),
  /** Address the node's HA link listens on and its peer dials. */
  host,
  /** TCP port of the node's HA link. */
  haPort: port,
  /** Higher wins the primary role at start. */
  priority: z.number().int().min(0).max(1000).default(0),
})
  // Other keys are plugin sections (e.g. `sip` of the SIP plugin); validate.ts checks them
  // against the enabled plugins' `nodeOptions` and reports any other key as unknown.
  .catchall(z.unknown());

export const embeddedArbiterSchema = z.strictObject({
  kind: z.literal('embedded'),
  /** Seconds without a heartbeat from a node before the arbiter treats it as down. */
  switchTimeout: seconds('arbiter.switchTimeout').default(1),
  /** Seconds to wait for both nodes at start before assigning roles to whoever is up. */
  startupTimeout: seconds('arbiter.startupTimeout').default(10),
});

export const arbiterSchema = z.discriminatedUnion('kind', [embeddedArbiterSchema], {
  error: 'arbiter.kind must be "embedded" (the etcd arbiter is not available in this version)',
});

export const managementSchema = z.strictObject({
  host: host.default('127.0.0.1'),
  port: port.default(7460),
});

export const haLinkSchema = z.strictObject({
  /** Seconds between heartbeats on the HA link and to the arbiter. */
  heartbeatInterval: seconds('haLink.heartbeatInterval').default(0.1),
  /** Heartbeats missed before the link counts as down. */
  missedHeartbeats: z.number().int().min(1).max(100).default(3),
  /** Shared secret for HMAC authentication; required when nodes are on different hosts. */
  secret: z.string().min(16, 'haLink.secret must be at least 16 characters').optional(),
  /** Largest frame accepted from the peer, in bytes. */
  maxFrameBytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
  /** Seconds a new connection has to complete authentication. */
  handshakeTimeout: seconds('haLink.handshakeTimeout').default(2),
});

export const loggingSchema = z.strictObject({
  level: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
  /** Folder of the per-node JSON log files; default `<runtimeDir>/logs`. */
  dir: z.string().optional(),
});

export const supervisorSchema = z.strictObject({
  /** First restart delay of a dead node, seconds; doubles up to `restartMaxDelay`. */
  restartDelay: seconds('supervisor.restartDelay').default(0.5),
  restartMaxDelay: seconds('supervisor.restartMaxDelay').default(30),
  /** Seconds a node gets to stop gracefully before it is killed. */
  stopTimeout: seconds('supervisor.stopTimeout').default(5),
});

/** A plugin entry: `true` (defaults), `false` (disabled) or its options object. */
export const pluginEntrySchema = z.union([z.boolean(), z.record(z.string(), z.unknown())], {
  error: 'a plugin entry is true, false or an options object',
});

export const configSchema = z.strictObject({
  cluster: z.string().regex(/^[a-z0-9][a-z0-9-_]{0,62}$/i, 'cluster is 1-63 letters, digits, "-" or "_"'),
  nodes: z.array(nodeSchema).length(2, 'a pair has exactly 2 nodes'),
  arbiter: arbiterSchema.default({ kind: 'embedded', switchTimeout: 1, startupTimeout: 10 }),
  management: managementSchema.default({ host: '127.0.0.1', port: 7460 }),
  haLink: haLinkSchema.default({ heartbeatInterval: 0.1, missedHeartbeats: 3, maxFrameBytes: 1024 * 1024, handshakeTimeout: 2 }),
  /** Folder for tokens, state and logs, relative to the config file. */
  runtimeDir: z.string().default('.switchyard'),
  logging: loggingSchema.default({ level: 'info' }),
  supervisor: supervisorSchema.default({ restartDelay: 0.5, restartMaxDelay: 30, stopTimeout: 5 }),
  plugins: z.record(z.string(), pluginEntrySchema).default({}),
});

/** What an operator writes (defaults optional). */
export type SwitchyardConfigInput = z.input<typeof configSchema>;
/** A validated config with every default filled in. */
export type SwitchyardConfig = z.output<typeof configSchema>;
export type NodeConfig = SwitchyardConfig['nodes'][number];

/** Typed identity function for `switchyard.config.ts`. */
export function defineConfig(config: SwitchyardConfigInput): SwitchyardConfigInput {
  return config;
}
