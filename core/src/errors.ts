/**
 * Every error Switchyard raises is created here, with a stable code, a
 * message that says what to do, and the `cause` when there is one.
 * The README's "Error codes" table mirrors {@link ERROR_CODES}.
 */

/** Codes and the one-line remedy printed with them. */
export const ERROR_CODES = {
  SWY_ERR_CONFIG_NOT_FOUND: 'Create switchyard.config.ts (or .json/.yaml) or pass --config FILE.',
  SWY_ERR_CONFIG_LOAD: 'The file could not be read or evaluated; fix the syntax error it names.',
  SWY_ERR_CONFIG_INVALID: 'Fix every key path listed; `switchyard validate` re-checks without starting anything.',
  SWY_ERR_PLUGIN_NOT_FOUND: 'Install the package (npm install @switchyard/plugin-<name>) or fix the name or path.',
  SWY_ERR_PLUGIN_INVALID: 'A plugin module must export (default) the result of definePlugin().',
  SWY_ERR_PLUGIN_OPTIONS: "Fix the plugin's options at the key path shown; the plugin's README lists them.",
  SWY_ERR_PLUGIN_REQUIREMENT: 'Enable the plugin or service the message names, or remove the plugin that needs it.',
  SWY_ERR_PLUGIN_DUPLICATE: 'Each plugin may be enabled once per node.',
  SWY_ERR_PLUGIN_HOOK_FAILED: 'A plugin threw inside a hook; see the cause and report it to the plugin author.',
  SWY_ERR_PLUGIN_TIMEOUT: 'A plugin did not finish a lifecycle hook in time; see which plugin and hook.',
  SWY_ERR_SERVICE_NOT_REGISTERED: 'Register the service token before resolving it, or declare it in `requires`.',
  SWY_ERR_SERVICE_TAKEN:
    'Another plugin (or core) owns that service token; create a token of your own with createToken(), or resolve the existing service instead of replacing it.',
  SWY_ERR_ENGINE_STATE: 'The engine was used in the wrong lifecycle phase (e.g. a plugin added after start).',
  SWY_ERR_STATUS_TRANSITION: 'Illegal node status transition; this is a bug in the caller.',
  SWY_ERR_ROLE_STALE_TERM: 'A role order from an older term was refused; the arbiter has moved on.',
  SWY_ERR_EVENT_UNKNOWN: 'Register the log-event id in the catalogue before emitting it.',
  SWY_ERR_EVENT_DUPLICATE: 'Two definitions for one log-event id; pick another id.',
  SWY_ERR_EVENT_ID_FORMAT: 'Log-event ids look like NN-NNNNN (e.g. 00-04200).',
  SWY_ERR_HALINK_FRAME_TOO_LARGE: 'The peer sent a frame over haLink.maxFrameBytes; the connection was dropped.',
  SWY_ERR_HALINK_FRAME_INVALID: 'The peer sent bytes that are not a Switchyard HA-link frame; the connection was dropped.',
  SWY_ERR_HALINK_AUTH: 'The peer failed HMAC authentication, or a frame on a live link failed its MAC or sequence check (injected, altered or replayed on the path); check that both nodes share haLink.secret and run the same Switchyard version.',
  SWY_ERR_HALINK_TIMEOUT: 'The peer did not finish the handshake in time; the connection was dropped.',
  SWY_ERR_HALINK_CHANNEL: 'Channel names must be unique per node; open each channel once.',
  SWY_ERR_HALINK_PROTOCOL: 'The peer broke the HA-link protocol (unexpected frame, second connection, wrong dialing side); check both nodes run the same Switchyard version and config.',
  SWY_ERR_HALINK_LISTEN: 'The HA link could not listen on its address; free the port or change nodes[].host/haPort.',
  SWY_ERR_MGMT_UNAUTHORIZED: 'Send the bearer token from <runtimeDir>/management.token (the CLI does this).',
  SWY_ERR_MGMT_UNREACHABLE: 'Is `switchyard up` (or `switchyard node` on each host) running for this config? Check management.host/port.',
  SWY_ERR_MGMT_LISTEN: 'The management API could not listen; free management.port (or choose another) and check management.host.',
  SWY_ERR_MGMT_NOT_FOUND: 'No such management API path; `switchyard --help` lists what the CLI can ask.',
  SWY_ERR_MGMT_METHOD_NOT_ALLOWED: 'Use the HTTP method named in the Allow header.',
  SWY_ERR_MGMT_BODY_TOO_LARGE: 'Management API request bodies are limited to 64 KiB; send a shorter body.',
  SWY_ERR_MGMT_BAD_REQUEST: 'Send a JSON object body with the fields the message names (e.g. {"reason": "..."}).',
  SWY_ERR_MGMT_TLS_REQUIRED:
    'A management API on a non-loopback address needs TLS: set management.tls { cert, key } (PEM files), or set management.host to 127.0.0.1.',
  SWY_ERR_MGMT_TLS:
    'The management TLS files (management.tls.cert/key/ca) could not be read or used, or the server certificate is not the trusted one; check the paths, the PEM contents and management.tls.ca.',
  SWY_ERR_MGMT_INTERNAL: "The supervisor failed while answering; see the supervisor's log and the cause.",
  SWY_ERR_SWITCHOVER_REFUSED: 'The switchover was refused; the message says why (no healthy backup, or a veto).',
  SWY_ERR_ALARM_NOT_FOUND: 'No active alarm has that id; `switchyard alarms list` shows the active ones (ids are <condition>@<node>).',
  SWY_ERR_ALARM_STORE:
    'The alarm state file <runtimeDir>/alarms.json could not be read or written; check the permissions and free space of runtimeDir (a corrupt file is kept as alarms.json.corrupt-<time>).',
  SWY_ERR_ALARM_REACTION_FAILED: 'An alarm reaction failed; see the cause, fix the reaction (command, URL, …) or its options under alarms.reactions.',
  SWY_ERR_ALARM_REACTION_TIMEOUT: 'An alarm reaction did not finish within alarms.reactionTimeout and was aborted; make it faster or raise the timeout.',
  SWY_ERR_RUNTIME_DIR_UNSAFE:
    'The runtime folder (runtimeDir) must be a folder owned by the user running Switchyard; chown it to that user, or point runtimeDir at a folder of its own.',
  SWY_ERR_USAGE: 'See `switchyard --help`.',
  SWY_ERR_NODE_NOT_HERE:
    'Give the node with --id, or run `switchyard node` on the host that has the address of exactly one node\'s `host` in the config.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface SwitchyardErrorOptions {
  cause?: unknown;
  /** Structured details (plugin, hook, key path, …) for logs and JSON output. */
  details?: Record<string, unknown>;
}

/** The one error class of Switchyard. `code` is stable; `message` says what to do. */
export class SwitchyardError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: SwitchyardErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SwitchyardError';
    this.code = code;
    this.details = options.details ?? {};
  }

  /** The remedy line for this error's code. */
  get remedy(): string {
    return ERROR_CODES[this.code];
  }
}

export function isSwitchyardError(value: unknown, code?: ErrorCode): value is SwitchyardError {
  return value instanceof SwitchyardError && (code === undefined || value.code === code);
}

/**
 * A plugin's own error code (`SWY_ERR_<AREA>_<PROBLEM>`), listed in the
 * plugin's errors module and README table rather than in {@link ERROR_CODES}.
 */
export type PluginErrorCode = `SWY_ERR_${string}`;

/** One problem found while validating a config, with its key path. */
export interface ConfigIssue {
  /** Dotted key path, e.g. `nodes[1].haPort` or `plugins.sip-pass-check.oosCheck`. */
  path: string;
  message: string;
  /** A core code, or a plugin's code when its option schema named one (see `toConfigIssues`). */
  code: ErrorCode | PluginErrorCode;
}

/** Renders a key path the way ESLint does: `Key "nodes[1].haPort"`. */
export function formatIssue(issue: ConfigIssue): string {
  const where = issue.path === '' ? 'Config' : `Key "${issue.path}"`;
  return `${where}: ${issue.message} [${issue.code}]`;
}

export class ConfigInvalidError extends SwitchyardError {
  readonly issues: readonly ConfigIssue[];
  readonly file: string | undefined;

  constructor(issues: readonly ConfigIssue[], file?: string) {
    const head = `${file ?? 'configuration'} is invalid (${issues.length} problem${issues.length === 1 ? '' : 's'}):`;
    super('SWY_ERR_CONFIG_INVALID', [head, ...issues.map((i) => `  - ${formatIssue(i)}`)].join('\n'), {
      details: { file, issues },
    });
    this.issues = issues;
    this.file = file;
  }
}

/** The message of an unknown thrown value, for logs. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/**
 * A coded error class for a plugin's own table of codes (`SWY_ERR_<AREA>_<PROBLEM>` → remedy),
 * shaped like {@link SwitchyardError}: `code`, a message that says what happened, `remedy`, `cause`.
 *
 * ```ts
 * export const MY_ERROR_CODES = { SWY_ERR_MY_THING: 'What to do about it.' } as const;
 * export class MyPluginError extends codedErrorClass('MyPluginError', MY_ERROR_CODES) {}
 * ```
 */
export function codedErrorClass<Codes extends Readonly<Record<string, string>>>(name: string, codes: Codes) {
  return class CodedError extends Error {
    readonly code: Extract<keyof Codes, string>;

    constructor(code: Extract<keyof Codes, string>, message: string, options: { cause?: unknown } = {}) {
      super(message, options.cause === undefined ? undefined : { cause: options.cause });
      this.name = name;
      this.code = code;
    }

    /** The remedy line for this error's code. */
    get remedy(): string {
      return codes[this.code] as string;
    }
  };
}
