import { z } from 'zod';
import { isLoopbackHost } from '../management/address';

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

/**
 * `arbiter: { kind, ...options }`. The kind is `embedded` (core, one host)
 * or one a plugin offers (`etcd`); its options are checked against that
 * kind's schema in `arbiter-rules.ts`.
 */
export const arbiterSchema = z.looseObject({
  kind: z
    .string({ error: 'arbiter.kind names the arbiter: "embedded" (one host, the default) or "etcd" (two hosts)' })
    .min(1, 'arbiter.kind names the arbiter: "embedded" (one host, the default) or "etcd" (two hosts)'),
});

const pemFile = (what: string) => z.string({ error: `${what} is the path of a PEM file` }).min(1, `${what} is the path of a PEM file`);

/**
 * `management.tls`: the API serves HTTPS with this certificate and key
 * (PEM files, paths relative to the config file). The CLI trusts the
 * server by `ca` when given (the certificate must then name the address,
 * IP SAN or DNS name), else by pinning the certificate in `cert` itself.
 */
export const managementTlsSchema = z.strictObject({
  cert: pemFile('management.tls.cert'),
  key: pemFile('management.tls.key'),
  ca: pemFile('management.tls.ca').optional(),
});

const TLS_REQUIRED = 'SWY_ERR_MGMT_TLS_REQUIRED';
const tlsRequiredMessage = (where: string) =>
  `the management API would listen on ${where}, which is reachable from the network: set management.tls { cert, key } ` +
  '(PEM files; every endpoint then also needs the token), or set management.host to 127.0.0.1';

export const managementSchema = z.strictObject({
  /** Default: 127.0.0.1 for a pair on one host; each node's own `host` for a pair on two hosts. */
  host: host.optional(),
  port: port.default(7460),
  /** Required when the API listens on a non-loopback address (checked on the whole config, below). */
  tls: managementTlsSchema.optional(),
});

/**
 * A management API off loopback needs TLS. Checked on the whole config, not
 * in `managementSchema`, so that the section still parses on its own and the
 * rules that read it (port clashes) still run when this fails.
 */
function checkManagementExposure(config: { management: z.output<typeof managementSchema>; nodes: { host: string }[]; arbiter: { kind: string } }, ctx: z.RefinementCtx): void {
  const { management, nodes } = config;
  if (management.tls !== undefined) return;
  const issue = (where: string) =>
    ctx.addIssue({ code: 'custom', path: ['management', 'tls'], message: tlsRequiredMessage(where), params: { code: TLS_REQUIRED } });
  if (management.host !== undefined) {
    if (!isLoopbackHost(management.host)) issue(management.host);
    return;
  }
  // Without management.host, the agents of a pair on two hosts serve the API on each node's host.
  // Under the embedded arbiter such a pair is refused by the arbiter rule: it has no such agents.
  const hosts = [...new Set(nodes.map((n) => n.host.trim().toLowerCase()))];
  if (hosts.length < 2 || hosts.every(isLoopbackHost) || config.arbiter.kind === 'embedded') return;
  issue(`each node's host (${hosts.join(', ')})`);
}

export const haLinkSchema = z.strictObject({
  /**
   * Seconds between heartbeats on the HA link and to the arbiter. Short, so
   * that a node's silence is measured finely: with 5 misses the link counts
   * a peer down after 0.25 s, before the embedded arbiter's 0.3 s.
   */
  heartbeatInterval: seconds('haLink.heartbeatInterval').default(0.05),
  /** Heartbeats missed before the link counts as down. */
  missedHeartbeats: z.number().int().min(1).max(100).default(5),
  /** Shared secret for HMAC authentication; required when nodes are on different hosts. */
  secret: z.string().min(16, 'haLink.secret must be at least 16 characters').optional(),
  /** Largest frame accepted from the peer, in bytes. */
  maxFrameBytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
  /** Seconds a new connection has to complete authentication. */
  handshakeTimeout: seconds('haLink.handshakeTimeout').default(2),
});

/** Repeated log events: the first `burst` lines per key pass each `interval`; the rest are counted in one summary line (01-10080). */
export const logRateLimitSchema = z.strictObject({
  burst: z.number().int('logging.rateLimit.burst is a whole number').min(1).max(100_000).default(20),
  interval: seconds('logging.rateLimit.interval').max(86_400).default(60),
});

export const loggingSchema = z.strictObject({
  level: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
  /** Folder of the per-node JSON log files; default `<runtimeDir>/logs`. */
  dir: z.string().optional(),
  /** `file`: JSON lines in `dir`, rotated; `stdout`: readable lines on stdout only, no files (systemd/journald). */
  output: z.enum(['file', 'stdout'], { error: 'logging.output is "file" or "stdout"' }).default('file'),
  /** Size in bytes at which a log file is rotated. */
  maxFileBytes: z.number().int().min(65_536, 'logging.maxFileBytes is at least 65536').max(2 ** 40).default(10 * 1024 * 1024),
  /** Files kept per log, the current one included; the oldest is deleted. */
  maxFiles: z.number().int().min(1, 'logging.maxFiles is at least 1').max(1000).default(5),
  rateLimit: logRateLimitSchema.default({ burst: 20, interval: 60 }),
});

/** Every logging default (zod 4 does not parse a default value through the inner schema). */
export const LOGGING_DEFAULTS = Object.freeze({
  level: 'info',
  output: 'file',
  maxFileBytes: 10 * 1024 * 1024,
  maxFiles: 5,
  rateLimit: { burst: 20, interval: 60 },
} as const);

export const supervisorSchema = z.strictObject({
  /** First restart delay of a dead node, seconds; doubles up to `restartMaxDelay`. */
  restartDelay: seconds('supervisor.restartDelay').default(0.5),
  restartMaxDelay: seconds('supervisor.restartMaxDelay').default(30),
  /** Seconds a node gets to stop gracefully before it is killed. */
  stopTimeout: seconds('supervisor.stopTimeout').default(5),
  /**
   * Seconds between looks at each node's kernel state (Linux `/proc`): a
   * node the kernel is tearing down loses its role at once, 10-25 ms before
   * its exit is reported; 0 waits for the exit report alone.
   */
  exitPoll: z
    .number({ error: 'supervisor.exitPoll must be a number of seconds' })
    .min(0, 'supervisor.exitPoll must be 0 (off) or more')
    .max(1, 'supervisor.exitPoll must be at most 1 s')
    .default(0.002),
});

/** A plugin entry: `true` (defaults), `false` (disabled) or its options object. */
export const pluginEntrySchema = z.union([z.boolean(), z.record(z.string(), z.unknown())], {
  error: 'a plugin entry is true, false or an options object',
});

const EVENT_ID = /^\d{2}-\d{5}$/;
const eventId = z.string().regex(EVENT_ID, 'a log-event id looks like NN-NNNNN (e.g. 00-04200)');
const name = (what: string) => z.string().regex(/^[a-z0-9][a-z0-9-_]{0,62}$/i, `${what} is 1-63 letters, digits, "-" or "_"`);

/**
 * An alarm condition: the log events that raise it (`detect`, from any node)
 * and clear it (`cancel`, from the node that raised it). Which event ids
 * exist, which reactions are defined and which nodes are named is checked
 * in `alarm-rules.ts`.
 */
export const alarmConditionSchema = z.strictObject({
  /** Condition id; an alarm's id is `<condition>@<node>`. */
  id: name('a condition id'),
  detect: z.array(eventId).min(1, 'list at least one log-event id that raises the alarm'),
  cancel: z.array(eventId).default([]),
  severity: z.enum(['critical', 'major', 'minor', 'info'], { error: 'severity is "critical", "major", "minor" or "info"' }),
  /** Seconds after the latest detection at which the alarm clears by itself; absent: an operator or a cancel event clears it. */
  clearAfter: seconds('clearAfter').optional(),
  /** Names under `alarms.reactions`, run when the alarm is raised. */
  reactions: z.array(z.string()).default([]),
  /** Names under `alarms.reactions`, run when the alarm is cleared. */
  clearanceReactions: z.array(z.string()).default([]),
  /** Only events of these nodes (ids, or `supervisor`) raise it; default every node. */
  nodes: z.array(z.string()).min(1, 'list at least one node id, or leave "nodes" out').optional(),
});

/** A reaction: `kind` names a kind an enabled plugin offers; the other keys are its options. */
export const alarmReactionEntrySchema = z.looseObject({
  kind: z.string({ error: 'a reaction needs a "kind" (e.g. "log", "exec", "webhook", "switchover")' }).min(1),
});

export const alarmsSchema = z.strictObject({
  conditions: z.array(alarmConditionSchema).default([]),
  reactions: z.record(name('a reaction name'), alarmReactionEntrySchema).default({}),
  /** Seconds each reaction may run before it is aborted. */
  reactionTimeout: seconds('alarms.reactionTimeout').default(10),
  /** How many cleared alarms are kept (listed and persisted). */
  historySize: z.number().int('alarms.historySize is a whole number').min(0).max(10_000).default(200),
});

export const configSchema = z.strictObject({
  cluster: z.string().regex(/^[a-z0-9][a-z0-9-_]{0,62}$/i, 'cluster is 1-63 letters, digits, "-" or "_"'),
  nodes: z.array(nodeSchema).length(2, 'a pair has exactly 2 nodes'),
  arbiter: arbiterSchema.default({ kind: 'embedded' }),
  management: managementSchema.default({ port: 7460 }),
  haLink: haLinkSchema.default({ heartbeatInterval: 0.05, missedHeartbeats: 5, maxFrameBytes: 1024 * 1024, handshakeTimeout: 2 }),
  /** Folder for tokens, state and logs, relative to the config file. */
  runtimeDir: z.string().default('.switchyard'),
  logging: loggingSchema.default({ ...LOGGING_DEFAULTS, rateLimit: { ...LOGGING_DEFAULTS.rateLimit } }),
  supervisor: supervisorSchema.default({ restartDelay: 0.5, restartMaxDelay: 30, stopTimeout: 5, exitPoll: 0.002 }),
  plugins: z.record(z.string(), pluginEntrySchema).default({}),
  alarms: alarmsSchema.default({ conditions: [], reactions: {}, reactionTimeout: 10, historySize: 200 }),
}).superRefine(checkManagementExposure);

/** What an operator writes (defaults optional). */
export type SwitchyardConfigInput = z.input<typeof configSchema>;
/** A validated config with every default filled in. */
export type SwitchyardConfig = z.output<typeof configSchema>;
export type NodeConfig = SwitchyardConfig['nodes'][number];
export type AlarmsConfig = SwitchyardConfig['alarms'];
export type AlarmConditionConfig = AlarmsConfig['conditions'][number];
export type LoggingConfig = SwitchyardConfig['logging'];

/** Typed identity function for `switchyard.config.ts`. */
export function defineConfig(config: SwitchyardConfigInput): SwitchyardConfigInput {
  return config;
}
