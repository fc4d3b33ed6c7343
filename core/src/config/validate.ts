import path from 'node:path';
import type { z } from 'zod';
import { ConfigInvalidError, type ConfigIssue } from '../errors';
import { checkAlarms, type ResolvedAlarmReaction } from './alarm-rules';
import { checkArbiter, type ResolvedArbiter } from './arbiter-rules';
import { checkNodeSections } from './node-sections';
import { runtimeDirWarning } from '../fs/runtime-dir';
import { resolvePluginEntries, type PluginEntry, type ResolvedPlugin } from './plugin-entries';
import { checkRules, isMultiHost, type ConfigView } from './rules';
import { configSchema, nodeSchema, pluginEntrySchema, type NodeConfig, type SwitchyardConfig } from './schema';
import { PARSE_OPTIONS, toConfigIssues } from './zod-issues';

export type { ResolvedPlugin } from './plugin-entries';
export type { ResolvedAlarmReaction } from './alarm-rules';
export type { ResolvedArbiter } from './arbiter-rules';

/** A config that passed every check, with its plugins loaded. */
export interface ValidatedConfig {
  /** The config with every default filled in. */
  config: SwitchyardConfig;
  /** The file it came from, when it came from a file. */
  file?: string;
  /** Folder that relative paths (plugins, runtimeDir) are resolved against. */
  configDir: string;
  /** Enabled plugins in config order, options parsed. */
  plugins: ResolvedPlugin[];
  /** True when the nodes run on different hosts. */
  multiHost: boolean;
  /** `config.runtimeDir`, absolute. */
  runtimeDir: string;
  /** `alarms.reactions`, each with the plugin kind that runs it and its options parsed. */
  alarmReactions: ResolvedAlarmReaction[];
  /** The arbiter kind and its options parsed (also in `config.arbiter`, defaults filled in). */
  arbiter: ResolvedArbiter;
  /** What is allowed but probably not meant (plugins' `nodeOptions.warn`), with key paths; printed by `validate`, logged at start. */
  warnings: ConfigIssue[];
}

export interface ValidateContext {
  /** The config file, named in the error. */
  file?: string;
  /** Folder that relative paths are resolved against (the config file's folder). */
  configDir: string;
}

const CODE = 'SWY_ERR_CONFIG_INVALID';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

type View = ConfigView & { plugins: Record<string, PluginEntry> };

/** The view of a fully parsed config. */
function viewOf(config: SwitchyardConfig): View {
  return { ...config, nodes: config.nodes.map((node, index) => ({ index, node })) };
}

/**
 * When the whole config fails its schema, each section (and each node and
 * plugin entry) is parsed alone, so the cross-key rules and plugin checks
 * still run on the parts that are right, and problems zod skipped (it stops
 * at a wrong node count before looking at the nodes) are found too: the
 * operator gets every problem in one go, not one per attempt.
 */
function partialView(raw: unknown): { view: View; issues: ConfigIssue[] } {
  const view: View = { nodes: [], plugins: {} };
  const issues: ConfigIssue[] = [];
  if (!isRecord(raw)) return { view, issues };
  const parse = <T>(schema: z.ZodType<T>, value: unknown, at: (string | number)[]): T | undefined => {
    const result = schema.safeParse(value, PARSE_OPTIONS);
    if (result.success) return result.data;
    issues.push(...toConfigIssues(result.error.issues, schema, at, CODE));
    return undefined;
  };
  const shape = configSchema.shape;
  view.management = parse(shape.management, raw.management, ['management']);
  view.haLink = parse(shape.haLink, raw.haLink, ['haLink']);
  view.arbiter = parse(shape.arbiter, raw.arbiter, ['arbiter']);
  view.supervisor = parse(shape.supervisor, raw.supervisor, ['supervisor']);
  if (Array.isArray(raw.nodes)) {
    raw.nodes.forEach((value: unknown, index) => {
      const node = parse(nodeSchema, value, ['nodes', index]) ?? validFields(value);
      if (node !== undefined) view.nodes.push({ index, node });
    });
  }
  if (isRecord(raw.plugins)) {
    for (const [key, value] of Object.entries(raw.plugins)) {
      const entry = parse(pluginEntrySchema, value, ['plugins', key]);
      if (entry !== undefined) view.plugins[key] = entry;
    }
  }
  return { view, issues };
}

/** The fields of a broken node that are right on their own (its issues are already reported). */
function validFields(value: unknown): Partial<NodeConfig> | undefined {
  if (!isRecord(value)) return undefined;
  const node: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(nodeSchema.shape)) {
    if (!Object.hasOwn(value, key)) continue;
    const result = schema.safeParse(value[key]);
    if (result.success) node[key] = result.data;
  }
  return node as Partial<NodeConfig>;
}

/** Issues in first-seen order, each path-and-message once. */
function unique(issues: readonly ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.path}\0${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Validates a whole config before anything starts: its shape (zod), the
 * rules that span keys (unique ids and ports, a secret for multi-host
 * pairs, timings), and its plugins (found, loaded, options parsed,
 * requirements met).
 *
 * Collects every problem and throws one {@link ConfigInvalidError} with an
 * issue per problem, each with a key path such as `nodes[1].haPort` or
 * `plugins.sip-pass-check.oosCheck` and a code (`SWY_ERR_CONFIG_INVALID`,
 * `SWY_ERR_PLUGIN_NOT_FOUND`, `SWY_ERR_PLUGIN_INVALID`,
 * `SWY_ERR_PLUGIN_OPTIONS`, `SWY_ERR_PLUGIN_REQUIREMENT`,
 * `SWY_ERR_PLUGIN_DUPLICATE`), and `alarms` against what core and the
 * enabled plugins declare (event ids, reaction kinds and their options).
 */
export async function validateConfig(raw: unknown, ctx: ValidateContext): Promise<ValidatedConfig> {
  if (raw === undefined || raw === null) {
    throw new ConfigInvalidError(
      [{ path: '', message: 'the config is empty; export an object with at least "cluster" and "nodes"', code: CODE }],
      ctx.file,
    );
  }
  const parsed = configSchema.safeParse(raw, PARSE_OPTIONS);
  let view: View;
  const issues: ConfigIssue[] = [];
  if (parsed.success) view = viewOf(parsed.data);
  else {
    const partial = partialView(raw);
    view = partial.view;
    issues.push(...unique([...toConfigIssues(parsed.error.issues, configSchema, [], CODE), ...partial.issues]));
  }

  issues.push(...checkRules(view));
  const { plugins, loaded, issues: pluginIssues } = await resolvePluginEntries(view.plugins, ctx.configDir);
  issues.push(...pluginIssues);
  // A plugin whose options failed is still loaded: its node sections and event ids stay known, so one bad
  // option is one issue, not one more per node section and alarm condition.
  const nodeSections = checkNodeSections(isRecord(raw) ? raw.nodes : undefined, loaded);
  issues.push(...nodeSections.issues);
  const enabledKeys = Object.entries(view.plugins).flatMap(([key, entry]) => (entry === false ? [] : [key]));
  const failed = enabledKeys.filter((key) => !loaded.some((p) => p.name === key));
  const nodeIds = view.nodes.flatMap(({ node }) => (node.id === undefined ? [] : [node.id]));
  const nodeList = view.nodes.map(({ node }) => node);
  const arbiter = await checkArbiter(isRecord(raw) ? raw.arbiter : undefined, {
    plugins,
    configDir: ctx.configDir,
    multiHost: isMultiHost(nodeList),
    hosts: [...new Set(nodeList.flatMap((n) => (n.host === undefined ? [] : [n.host])))],
    nodes: nodeList,
    ...(view.haLink ? { haLink: view.haLink } : {}),
  });
  issues.push(...arbiter.issues);
  const arbiterEvents = (arbiter.arbiter?.definition.events ?? []).map((e) => e.id);
  const alarms = await checkAlarms(isRecord(raw) ? raw.alarms : undefined, loaded, nodeIds, failed, arbiterEvents);
  issues.push(...alarms.issues);

  if (!parsed.success || issues.length > 0 || !arbiter.arbiter) throw new ConfigInvalidError(issues, ctx.file);
  const config = parsed.data;
  config.arbiter = { kind: arbiter.arbiter.kind, ...arbiter.arbiter.options };
  config.nodes.forEach((node, i) => Object.assign(node, nodeSections.sections[i]));
  const runtimeDir = path.resolve(ctx.configDir, config.runtimeDir);
  const warnings = [...nodeSections.warnings];
  const folder = runtimeDirWarning(runtimeDir);
  if (folder !== undefined) warnings.push({ path: 'runtimeDir', message: folder, code: 'SWY_ERR_RUNTIME_DIR_UNSAFE' });
  warnings.push(...unfencedPrimarySockets(plugins, config.arbiter, isMultiHost(config.nodes)));
  return {
    config,
    ...(ctx.file === undefined ? {} : { file: ctx.file }),
    configDir: ctx.configDir,
    plugins,
    multiHost: isMultiHost(config.nodes),
    runtimeDir,
    alarmReactions: alarms.reactions,
    arbiter: arbiter.arbiter,
    warnings,
  };
}

/**
 * On one host, a plugin's primary socket (an address only the primary
 * reads, handed from primary to primary) without `arbiter.fence`: a frozen
 * primary keeps it, so nobody serves that address until it thaws.
 */
function unfencedPrimarySockets(plugins: readonly ResolvedPlugin[], arbiter: { kind: string; fence?: unknown }, multiHost: boolean): ConfigIssue[] {
  if (multiHost || arbiter.kind !== 'embedded' || arbiter.fence === true) return [];
  const named = plugins.flatMap(({ plugin, options }) => (plugin.primarySockets?.(options) ?? []).map((spec) => `${spec.name} (${spec.host}:${spec.port})`));
  if (named.length === 0) return [];
  return [
    {
      path: 'arbiter.fence',
      message:
        `the primary socket${named.length > 1 ? 's' : ''} ${named.join(', ')} pass${named.length > 1 ? '' : 'es'} from primary to primary, ` +
        'but arbiter.fence is off: a frozen primary keeps it, and nobody serves that address until the frozen process thaws; set arbiter.fence: true',
      code: 'SWY_ERR_CONFIG_INVALID',
    },
  ];
}
