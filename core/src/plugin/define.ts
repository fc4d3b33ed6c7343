import type { z } from 'zod';
import type { PluginEngine } from './plugin-engine';
import type { ServiceToken } from '../tokens';

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
  apply(engine: PluginEngine<z.output<Schema>, z.output<NodeSchema>>): void | Promise<void>;
}

/** Brand that marks an object as made by `definePlugin`. */
export const PLUGIN_BRAND = Symbol.for('switchyard:plugin');

export type Plugin<Schema extends z.ZodType = z.ZodType, NodeSchema extends z.ZodType = z.ZodType> = PluginDefinition<Schema, NodeSchema> & {
  readonly [PLUGIN_BRAND]: true;
};

const NAME = /^[a-z0-9][a-z0-9-]*$/;

/** Defines a plugin. Typed identity plus a brand, so a module can be checked to export a plugin. */
export function definePlugin<Schema extends z.ZodType = z.ZodType, NodeSchema extends z.ZodType = z.ZodType>(
  definition: PluginDefinition<Schema, NodeSchema>,
): Plugin<Schema, NodeSchema> {
  if (!NAME.test(definition.name)) {
    throw new TypeError(`definePlugin: name "${definition.name}" must be kebab-case (a-z, 0-9, -)`);
  }
  return Object.freeze({ ...definition, [PLUGIN_BRAND]: true as const });
}

export function isPlugin(value: unknown): value is Plugin {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[PLUGIN_BRAND] === true;
}
