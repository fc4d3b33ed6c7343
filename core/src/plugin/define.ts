import type { z } from 'zod';
import type { AlarmReactionKind } from '../alarms/reaction';
import type { ArbiterKind } from '../supervisor/arbiter-kind';
import type { LogEventDefinition } from '../events/catalogue';
import type { PluginEngine } from './plugin-engine';
import type { ServiceToken } from '../tokens';

/**
 * Where a plugin's `apply()` runs: in each node process (`node`, the
 * default), in the supervisor's own engine (`supervisor`: it sees both
 * nodes, e.g. alarm hooks), or in both.
 */
export type PluginScope = 'node' | 'supervisor' | 'both';

/** What a plugin needs before it can be applied; checked at assembly. */
export interface PluginRequirements {
  /** Names of plugins that must be enabled on the same node (applied first). */
  plugins?: readonly string[];
  /** Service tokens that must be registered once every plugin is applied. */
  services?: readonly ServiceToken<unknown>[];
}

/** A section a plugin adds to each node's entry in the config, e.g. `nodes[].sip`. */
export interface PluginNodeOptions<Schema extends z.ZodType = z.ZodType> {
  /** The key under each node, e.g. `sip`. */
  readonly key: string;
  readonly schema: Schema;
  /** Whether every node must have the section. Default false. */
  readonly required?: boolean;
  /**
   * Checks across nodes (e.g. two nodes on one host with the same SIP port).
   * Return one problem per finding, with the path inside the section.
   */
  check?(sections: readonly NodeSection<z.output<Schema>>[]): NodeSectionIssue[];
  /**
   * Warnings, not errors: `switchyard validate` prints them (exit 0) and
   * `up` / `node` log them at start. `context.plugins` names the enabled
   * plugins (by name), e.g. to warn when a companion plugin is missing.
   */
  warn?(sections: readonly NodeSection<z.output<Schema>>[], context: { plugins: readonly string[] }): NodeSectionIssue[];
}

export interface NodeSection<T> {
  index: number;
  nodeId: string;
  host: string;
  value: T;
}

export interface NodeSectionIssue {
  index: number;
  path: readonly (string | number)[];
  message: string;
}

/**
 * A Switchyard plugin. `apply()` taps hooks and registers services; it must
 * not open sockets or start timers (do that in a `start` tap), because every
 * plugin is applied and checked before anything starts.
 */
export interface PluginDefinition<Schema extends z.ZodType = z.ZodType, NodeSchema extends z.ZodType = z.ZodType> {
  /** Kebab-case plugin name, e.g. `sip-pass-check`. */
  readonly name: string;
  readonly version: string;
  /** zod schema of the options object; validated before anything starts. */
  readonly options?: Schema;
  readonly requires?: PluginRequirements;
  /** Service tokens this plugin registers in `apply()` (documentation and requirement checks). */
  readonly provides?: readonly ServiceToken<unknown>[];
  /** A per-node section of the config this plugin owns (e.g. `nodes[].sip`). */
  readonly nodeOptions?: PluginNodeOptions<NodeSchema>;
  /**
   * The log events this plugin emits. The engine registers them (owner: the
   * plugin) before any plugin is applied, and config validation accepts
   * them in `alarms.conditions[].detect` / `cancel`.
   */
  readonly events?: readonly LogEventDefinition[];
  /** Where `apply()` runs; default `node`. */
  readonly scope?: PluginScope;
  /**
   * Alarm reaction kinds this plugin offers, by kind name (`webhook`, …),
   * usable in `alarms.reactions.<name>.kind` once the plugin is enabled.
   * Reactions run in the supervisor process, whatever the plugin's scope.
   */
  readonly alarmReactions?: Readonly<Record<string, AlarmReactionKind>>;
  /**
   * Arbiter kinds this plugin offers (`etcd`, …), chosen with
   * `arbiter: { kind, ...options }`. They run in the agent process
   * (`switchyard up` / `switchyard node`), whatever the plugin's scope.
   */
  readonly arbiters?: Readonly<Record<string, ArbiterKind>>;
  /**
   * Addresses only the primary may serve (UDP and TCP), from the plugin's
   * options. On one host the agent of `switchyard up` binds each once and
   * hands the bound sockets to the primary (`engine.primarySockets`), so
   * the address moves with the role and requests wait in the socket
   * instead of being refused while it moves.
   */
  primarySockets?(options: z.output<Schema>): readonly PrimarySocketSpec[];
  apply(engine: PluginEngine<z.output<Schema>, z.output<NodeSchema>>): void | Promise<void>;
}

/** One address only the primary serves: `name` is how the plugin asks for it (`engine.primarySockets.take(name)`). */
export interface PrimarySocketSpec {
  name: string;
  host: string;
  port: number;
}

/** Brand that marks an object as made by `definePlugin`. */
export const PLUGIN_BRAND = Symbol.for('switchyard:plugin');

export type Plugin<Schema extends z.ZodType = z.ZodType, NodeSchema extends z.ZodType = z.ZodType> = PluginDefinition<Schema, NodeSchema> & {
  readonly [PLUGIN_BRAND]: true;
};

const NAME = /^[a-z0-9][a-z0-9-]*$/;
const SCOPES = new Set<string>(['node', 'supervisor', 'both']);

/** Defines a plugin. Typed identity plus a brand, so a module can be checked to export a plugin. */
export function definePlugin<Schema extends z.ZodType = z.ZodType, NodeSchema extends z.ZodType = z.ZodType>(
  definition: PluginDefinition<Schema, NodeSchema>,
): Plugin<Schema, NodeSchema> {
  if (!NAME.test(definition.name)) {
    throw new TypeError(`definePlugin: name "${definition.name}" must be kebab-case (a-z, 0-9, -)`);
  }
  if (definition.scope !== undefined && !SCOPES.has(definition.scope)) {
    throw new TypeError(`definePlugin: plugin "${definition.name}" has scope "${String(definition.scope)}"; use "node", "supervisor" or "both"`);
  }
  for (const kind of Object.keys(definition.alarmReactions ?? {})) {
    if (!NAME.test(kind)) {
      throw new TypeError(`definePlugin: alarm reaction kind "${kind}" of plugin "${definition.name}" must be kebab-case (a-z, 0-9, -)`);
    }
  }
  return Object.freeze({ ...definition, [PLUGIN_BRAND]: true as const });
}

/** Whether `plugin.apply()` runs in a node process (`node`) or in the supervisor (`supervisor`). */
export function runsIn(plugin: Pick<PluginDefinition, 'scope'>, where: 'node' | 'supervisor'): boolean {
  const scope = plugin.scope ?? 'node';
  return scope === 'both' || scope === where;
}

export function isPlugin(value: unknown): value is Plugin {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[PLUGIN_BRAND] === true;
}
