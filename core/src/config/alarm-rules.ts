import type { z } from 'zod';
import type { AlarmReactionKind } from '../alarms/reaction';
import { describeError, type ConfigIssue } from '../errors';
import { CORE_EVENTS, LOG_ONLY_EVENTS } from '../events/core-events';
import type { ResolvedPlugin } from './plugin-entries';
import { alarmConditionSchema, alarmReactionEntrySchema, type AlarmConditionConfig } from './schema';
import { suggestKey } from './suggest';
import { PARSE_OPTIONS, formatKeyPath, toConfigIssues } from './zod-issues';

/** A configured reaction whose kind an enabled plugin offers, its options parsed by the kind's schema. */
export interface ResolvedAlarmReaction {
  /** The key under `alarms.reactions`. */
  name: string;
  kind: string;
  /** Name of the plugin that offers the kind. */
  plugin: string;
  definition: AlarmReactionKind;
  /** The entry without `kind`, after the kind's schema parsed it (defaults filled in). */
  options: unknown;
}

/** The node id that names the supervisor's own events in `alarms.conditions[].nodes`. */
export const SUPERVISOR_NODE = 'supervisor';

const CODE = 'SWY_ERR_CONFIG_INVALID';

type Path = (string | number)[];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `unknown <what> "x"; did you mean "y"?`, or the fallback advice. */
function unknownName(what: string, value: string, known: Iterable<string>, otherwise: string): string {
  const hint = suggestKey(value, known);
  return hint === undefined ? `unknown ${what} "${value}"; ${otherwise}` : `unknown ${what} "${value}"; did you mean "${hint}"?`;
}

interface Catalogue {
  events: Set<string>;
  kinds: Map<string, { plugin: string; definition: AlarmReactionKind }>;
  issues: ConfigIssue[];
}

/** Event ids and reaction kinds the enabled plugins declare; two plugins offering one kind is a problem. */
function catalogueOf(plugins: readonly ResolvedPlugin[]): Catalogue {
  const events = new Set<string>(CORE_EVENTS.map((e) => e.id));
  const kinds = new Map<string, { plugin: string; definition: AlarmReactionKind }>();
  const issues: ConfigIssue[] = [];
  for (const { name, plugin } of plugins) {
    for (const def of plugin.events ?? []) events.add(def.id);
    for (const [kind, definition] of Object.entries(plugin.alarmReactions ?? {})) {
      const first = kinds.get(kind);
      if (first !== undefined) {
        issues.push({
          path: formatKeyPath(['plugins', name]),
          message: `plugin "${plugin.name}" offers alarm reaction kind "${kind}", which plugin "${first.plugin}" offers too; enable only one of them`,
          code: 'SWY_ERR_PLUGIN_DUPLICATE',
        });
      } else kinds.set(kind, { plugin: plugin.name, definition });
    }
  }
  return { events, kinds, issues };
}

function checkConditions(
  raw: readonly unknown[],
  reactionNames: readonly string[],
  nodeIds: readonly string[],
  catalogue: Catalogue,
  eventAdvice: string,
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const ids = new Map<string, number>();
  const nodes = [...nodeIds, SUPERVISOR_NODE];
  raw.forEach((value, index) => {
    // Shape problems are the schema's to report; only conditions that parse are checked here.
    const parsed = alarmConditionSchema.safeParse(value);
    if (!parsed.success) return;
    const condition: AlarmConditionConfig = parsed.data;
    const at = (...rest: Path) => formatKeyPath(['alarms', 'conditions', index, ...rest]);
    const first = ids.get(condition.id);
    if (first !== undefined) {
      issues.push({
        path: at('id'),
        message: `duplicate condition id "${condition.id}" (also alarms.conditions[${first}].id); give each condition its own id`,
        code: CODE,
      });
    } else ids.set(condition.id, index);
    for (const list of ['detect', 'cancel'] as const) {
      condition[list].forEach((id, j) => {
        if (!catalogue.events.has(id)) {
          issues.push({ path: at(list, j), message: unknownName('log-event id', id, catalogue.events, eventAdvice), code: CODE });
        } else if (LOG_ONLY_EVENTS.has(id)) {
          issues.push({
            path: at(list, j),
            message: `"${id}" is written by the log itself (a rate-limit summary), never emitted to the alarm engine: a condition on it would never fire; watch the event that floods instead`,
            code: CODE,
          });
        } else if (list === 'cancel' && condition.detect.includes(id)) {
          issues.push({
            path: at(list, j),
            message: `"${id}" is also in detect; an event cannot both raise and clear the alarm, remove it from one list`,
            code: CODE,
          });
        }
      });
    }
    for (const list of ['reactions', 'clearanceReactions'] as const) {
      condition[list].forEach((name, j) => {
        if (reactionNames.includes(name)) return;
        const otherwise =
          reactionNames.length === 0
            ? `define it under alarms.reactions (e.g. "${name}": { "kind": "log" })`
            : `define it under alarms.reactions or use one of: ${reactionNames.join(', ')}`;
        issues.push({ path: at(list, j), message: unknownName('reaction', name, reactionNames, otherwise), code: CODE });
      });
    }
    condition.nodes?.forEach((node, j) => {
      if (nodes.includes(node)) return;
      issues.push({ path: at('nodes', j), message: unknownName('node', node, nodes, `use one of: ${nodes.join(', ')}`), code: CODE });
    });
  });
  return issues;
}

async function resolveReaction(
  name: string,
  value: unknown,
  catalogue: Catalogue,
  kindAdvice: string,
): Promise<{ reaction?: ResolvedAlarmReaction; issues: ConfigIssue[] }> {
  const entry = alarmReactionEntrySchema.safeParse(value);
  if (!entry.success) return { issues: [] };
  const { kind, ...raw } = entry.data;
  const prefix: Path = ['alarms', 'reactions', name];
  const offered = catalogue.kinds.get(kind);
  if (offered === undefined) {
    return { issues: [{ path: formatKeyPath([...prefix, 'kind']), message: unknownName('reaction kind', kind, catalogue.kinds.keys(), kindAdvice), code: CODE }] };
  }
  const schema: z.ZodType = offered.definition.options;
  let result;
  try {
    result = await schema.safeParseAsync(raw, PARSE_OPTIONS);
  } catch (error) {
    const message = `the "${kind}" reaction of plugin "${offered.plugin}" threw while checking its options: ${describeError(error)}; report it to the plugin author`;
    return { issues: [{ path: formatKeyPath(prefix), message, code: 'SWY_ERR_PLUGIN_OPTIONS' }] };
  }
  if (!result.success) return { issues: toConfigIssues(result.error.issues, schema, prefix, 'SWY_ERR_PLUGIN_OPTIONS') };
  return { reaction: { name, kind, plugin: offered.plugin, definition: offered.definition, options: result.data }, issues: [] };
}

/**
 * Checks `alarms` against what the enabled plugins declare: every event id
 * in `detect`/`cancel` exists (core or a plugin's `events`), condition ids
 * are unique, reaction names exist, named nodes exist, each reaction's kind
 * is offered by an enabled plugin and its options pass the kind's schema.
 * Returns the reactions resolved, in config order.
 *
 * `failedPlugins` are plugin keys that did not load: their events and kinds
 * are unknown, which the messages say.
 */
export async function checkAlarms(
  raw: unknown,
  plugins: readonly ResolvedPlugin[],
  nodeIds: readonly string[],
  failedPlugins: readonly string[] = [],
  /** Event ids declared outside the enabled plugins (the arbiter kind's). */
  extraEvents: readonly string[] = [],
): Promise<{ reactions: ResolvedAlarmReaction[]; issues: ConfigIssue[] }> {
  if (!isRecord(raw)) return { reactions: [], issues: [] };
  const catalogue = catalogueOf(plugins);
  for (const id of extraEvents) catalogue.events.add(id);
  const unloaded = failedPlugins.length === 0 ? '' : ` (plugin ${failedPlugins.map((p) => `"${p}"`).join(', ')} did not load, so what it declares is unknown)`;
  const eventAdvice =
    `neither core nor an enabled plugin declares it; a plugin's ids are known once it is enabled and lists them in its \`events\`${unloaded}`;
  const kindAdvice =
    catalogue.kinds.size === 0
      ? `no enabled plugin offers alarm reactions; enable "alarm-reactions" (@switchyard/plugin-alarm-reactions) for log, exec, webhook and switchover${unloaded}`
      : `enabled plugins offer: ${[...catalogue.kinds.keys()].join(', ')}${unloaded}`;
  const rawReactions = isRecord(raw.reactions) ? raw.reactions : {};
  const issues = [...catalogue.issues];
  if (Array.isArray(raw.conditions)) {
    issues.push(...checkConditions(raw.conditions, Object.keys(rawReactions), nodeIds, catalogue, eventAdvice));
  }
  const results = await Promise.all(Object.entries(rawReactions).map(([name, value]) => resolveReaction(name, value, catalogue, kindAdvice)));
  issues.push(...results.flatMap((r) => r.issues));
  return { reactions: results.flatMap((r) => (r.reaction ? [r.reaction] : [])), issues };
}
