import path from 'node:path';
import type { Clock } from '../clock';
import type { AlarmReactionContext } from '../alarms/reaction';
import type { ConfiguredReaction } from '../alarms/alarm-engine';
import { SUPERVISOR_NODE } from '../config/alarm-rules';
import type { ValidatedConfig } from '../config/validate';
import { CoreTokens } from '../core-tokens';
import { Engine } from '../engine/engine';
import { SwitchyardError, describeError } from '../errors';
import type { LogEventCatalogue, LogEventRecord } from '../events/catalogue';
import type { Logger } from '../logging/logger';
import type { SwitchoverResult } from '../management/types';
import { runsIn } from '../plugin/define';
import type { Arbiter } from './arbiter';

/** The supervisor's own node id: its engine's, and the `node` of its events (`alarms.conditions[].nodes` names it). */
export const SUPERVISOR_ID = SUPERVISOR_NODE;

export interface SupervisorEngineOptions {
  clock: Clock;
  catalogue: LogEventCatalogue;
  logger: Logger;
  onEvent(record: LogEventRecord): void;
  arbiter: () => Arbiter;
}

/**
 * The supervisor's engine (node id `supervisor`): the enabled plugins of
 * scope `supervisor` or `both`, which see both nodes through the alarm
 * hooks. Plugins' `requestSwitchover` here is an operator-like request
 * (the primary's `beforeSwitchover` taps are consulted).
 */
export function createSupervisorEngine(validated: ValidatedConfig, options: SupervisorEngineOptions): Engine {
  const engine = new Engine({
    nodeId: SUPERVISOR_ID,
    cluster: validated.config.cluster,
    clock: options.clock,
    logger: options.logger,
    catalogue: options.catalogue,
    dataDir: path.join(validated.runtimeDir, 'data', SUPERVISOR_ID),
    onEvent: options.onEvent,
  });
  engine.container.register(CoreTokens.ArbiterClient, {
    useValue: { requestSwitchover: (reason: string, by: string) => options.arbiter().requestSwitchover(reason, by) },
  });
  for (const resolved of validated.plugins) {
    if (runsIn(resolved.plugin, 'supervisor')) engine.use(resolved.plugin, resolved.options);
  }
  return engine;
}

/**
 * Asks for a switchover only while `awayFrom` is the primary; the arbiter
 * reads the primary again synchronously, so the check and the request see
 * the same primary.
 */
export function switchoverAwayFrom(arbiter: Arbiter, awayFrom: string, reason: string, by: string): Promise<SwitchoverResult> {
  const primary = arbiter.primary;
  if (primary !== awayFrom) {
    return Promise.resolve({ ok: false, term: arbiter.term, primary, reason: `${awayFrom} is not the primary (${primary ?? 'no node'} is)` });
  }
  return arbiter.requestSwitchover(reason, by);
}

/**
 * Creates every configured reaction from its kind. A kind's own coded error
 * (e.g. an unsafe command) is thrown as it is; anything else is wrapped
 * with the reaction's name.
 */
export function createReactions(
  validated: ValidatedConfig,
  contextFor: (name: string) => AlarmReactionContext,
): Map<string, ConfiguredReaction> {
  const reactions = new Map<string, ConfiguredReaction>();
  for (const { name, kind, plugin, definition, options } of validated.alarmReactions) {
    try {
      reactions.set(name, { kind, instance: definition.create(options, contextFor(name)) });
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      if (typeof code === 'string' && code.startsWith('SWY_ERR_')) throw error;
      throw new SwitchyardError(
        'SWY_ERR_ALARM_REACTION_FAILED',
        `Alarm reaction "${name}" (kind ${kind} of plugin ${plugin}) could not be created: ${describeError(error)}`,
        { cause: error, details: { reaction: name, kind, plugin } },
      );
    }
  }
  return reactions;
}
