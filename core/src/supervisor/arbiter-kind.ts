import type { z } from 'zod';
import type { Clock } from '../clock';
import type { LogEventDefinition } from '../events/catalogue';
import type { Logger } from '../logging/logger';
import type { Arbiter, ArbiterPort } from './arbiter';

/** A node of the pair as an arbiter needs to know it. */
export interface ArbiterNode {
  id: string;
  host: string;
  priority: number;
}

/** What an arbiter kind's `create` receives from the agent. */
export interface ArbiterContext {
  cluster: string;
  /** Both nodes of the pair, as configured. */
  nodes: readonly ArbiterNode[];
  /** The nodes whose processes this agent runs (both for `up`, one for `node`). */
  localNodes: readonly string[];
  clock: Clock;
  port: ArbiterPort;
  logger: Logger;
  /** The HA link's timing, which bounds how fast a node learns its peer is gone. */
  haLink: { heartbeatInterval: number; missedHeartbeats: number };
}

/** The parts of the config an arbiter kind's `check` may weigh its options against. */
export interface ArbiterCheckView {
  haLink?: { heartbeatInterval: number; missedHeartbeats: number };
  nodes: readonly { id?: string; host?: string }[];
  multiHost: boolean;
}

/** A problem `check` found, at its full key path (e.g. `['arbiter', 'leaseTtl']` or `['haLink', 'missedHeartbeats']`). */
export interface ArbiterIssue {
  path: readonly (string | number)[];
  message: string;
}

/**
 * An arbiter strategy a plugin offers under `arbiters.<kind>` of its
 * definition, chosen in the config with `arbiter: { kind, ...options }`.
 */
export interface ArbiterKind<Schema extends z.ZodType = z.ZodType> {
  /** Schema of the `arbiter` section without `kind`. */
  readonly options: Schema;
  /** Whether it can decide for nodes on different hosts (`switchyard node`). */
  readonly multiHost: boolean;
  /** The log events it emits through `port.emit` (alarm conditions may name them). */
  readonly events?: readonly LogEventDefinition[];
  /** Cross-key rules (timings against the HA link, …), checked before anything starts. */
  check?(options: z.output<Schema>, view: ArbiterCheckView): ArbiterIssue[];
  create(options: z.output<Schema>, context: ArbiterContext): Arbiter;
}

/** Typed identity for an arbiter kind. */
export function defineArbiter<Schema extends z.ZodType>(kind: ArbiterKind<Schema>): ArbiterKind<Schema> {
  return kind;
}
