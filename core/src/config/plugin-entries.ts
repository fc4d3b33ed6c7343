import { describeError, isSwitchyardError, type ConfigIssue } from '../errors';
import { runsIn, type Plugin } from '../plugin/define';
import { resolvePlugin } from '../plugin/resolve';
import { formatKeyPath, PARSE_OPTIONS, toConfigIssues } from './zod-issues';

/** A plugin enabled in the config, loaded, with its options parsed. */
export interface ResolvedPlugin {
  /** The key under `plugins` in the config (a name, package or path). */
  name: string;
  plugin: Plugin;
  /** The options after the plugin's schema parsed them (defaults filled in). */
  options: unknown;
  /** Absolute path of the file the plugin was loaded from. */
  source: string;
}

/** A `plugins` entry that passed the config schema. */
export type PluginEntry = boolean | Record<string, unknown>;

interface EntryResult {
  plugin?: ResolvedPlugin;
  /** The plugin loaded, even if its options failed: what it declares (node sections, events) stays known. */
  loaded?: ResolvedPlugin;
  issues: ConfigIssue[];
}

async function parseOptions(key: string, plugin: Plugin, raw: Record<string, unknown>): Promise<ConfigIssue[] | { value: unknown }> {
  const prefix = ['plugins', key];
  const schema = plugin.options;
  if (schema === undefined) {
    if (Object.keys(raw).length === 0) return { value: raw };
    return [
      {
        path: formatKeyPath(prefix),
        message: `plugin "${plugin.name}" takes no options (got ${Object.keys(raw).join(', ')}); write "${key}": true`,
        code: 'SWY_ERR_PLUGIN_OPTIONS',
      },
    ];
  }
  try {
    const result = await schema.safeParseAsync(raw, PARSE_OPTIONS);
    if (result.success) return { value: result.data };
    return toConfigIssues(result.error.issues, schema, prefix, 'SWY_ERR_PLUGIN_OPTIONS');
  } catch (error) {
    // A refinement that throws is the plugin's bug, but the operator still needs to know where.
    return [
      {
        path: formatKeyPath(prefix),
        message: `plugin "${plugin.name}" threw while checking its options: ${describeError(error)}; report it to the plugin author`,
        code: 'SWY_ERR_PLUGIN_OPTIONS',
      },
    ];
  }
}

async function resolveEntry(key: string, entry: Record<string, unknown>, configDir: string): Promise<EntryResult> {
  let loaded;
  try {
    loaded = await resolvePlugin(key, configDir);
  } catch (error) {
    if (!isSwitchyardError(error)) throw error;
    return { issues: [{ path: formatKeyPath(['plugins', key]), message: error.message, code: error.code }] };
  }
  const parsed = await parseOptions(key, loaded.plugin, entry);
  if (Array.isArray(parsed)) return { loaded: { name: key, plugin: loaded.plugin, options: undefined, source: loaded.source }, issues: parsed };
  const plugin = { name: key, plugin: loaded.plugin, options: parsed.value, source: loaded.source };
  return { plugin, loaded: plugin, issues: [] };
}

/** Plugins that `requires.plugins` names but that are not enabled; one plugin enabled twice under two keys. */
function checkRequirements(enabledKeys: readonly string[], plugins: readonly ResolvedPlugin[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  // A requirement is met by a plugin's own name or by its config key (also when that key failed to load,
  // which is reported once, at its own key).
  const available = new Set<string>([...enabledKeys, ...plugins.map((p) => p.plugin.name)]);
  const byName = new Map<string, ResolvedPlugin>();
  for (const resolved of plugins) {
    const first = byName.get(resolved.plugin.name);
    if (first !== undefined) {
      issues.push({
        path: formatKeyPath(['plugins', resolved.name]),
        message: `plugin "${resolved.plugin.name}" is already enabled as ${formatKeyPath(['plugins', first.name])}; keep one of the two entries`,
        code: 'SWY_ERR_PLUGIN_DUPLICATE',
      });
    } else byName.set(resolved.plugin.name, resolved);
    for (const name of resolved.plugin.requires?.plugins ?? []) {
      const target = byNameOrKey(plugins, name);
      if (target === undefined || coversScope(target.plugin, resolved.plugin)) continue;
      issues.push({
        path: formatKeyPath(['plugins', resolved.name, 'requires']),
        message:
          `plugin "${resolved.plugin.name}" (scope ${resolved.plugin.scope ?? 'node'}) requires "${name}", which runs only in scope ` +
          `${target.plugin.scope ?? 'node'}; a required plugin must run wherever the plugin that needs it runs`,
        code: 'SWY_ERR_PLUGIN_REQUIREMENT',
      });
    }
    const missing = (resolved.plugin.requires?.plugins ?? []).filter((name) => !available.has(name));
    if (missing.length > 0) {
      issues.push({
        path: formatKeyPath(['plugins', resolved.name, 'requires']),
        message:
          `plugin "${resolved.plugin.name}" requires ${missing.map((m) => `"${m}"`).join(', ')}, which ${missing.length === 1 ? 'is' : 'are'} not enabled; ` +
          `add ${missing.map((m) => `"${m}": true`).join(', ')} under plugins, or remove "${resolved.name}"`,
        code: 'SWY_ERR_PLUGIN_REQUIREMENT',
      });
    }
  }
  return issues;
}

function byNameOrKey(plugins: readonly ResolvedPlugin[], name: string): ResolvedPlugin | undefined {
  return plugins.find((p) => p.plugin.name === name) ?? plugins.find((p) => p.name === name);
}

/** Whether `required` is applied in every process `plugin` is applied in. */
function coversScope(required: Plugin, plugin: Plugin): boolean {
  return (['node', 'supervisor'] as const).every((where) => !runsIn(plugin, where) || runsIn(required, where));
}

/**
 * Loads every enabled plugin entry (`true` or an options object; `false` is
 * skipped), parses its options with the plugin's schema (`true` means `{}`)
 * and checks `requires.plugins`. Returns the plugins in config order and
 * every problem found; never throws for a config mistake.
 */
export async function resolvePluginEntries(
  entries: Readonly<Record<string, PluginEntry>>,
  configDir: string,
): Promise<{ plugins: ResolvedPlugin[]; loaded: ResolvedPlugin[]; issues: ConfigIssue[] }> {
  const enabled = Object.entries(entries).filter((pair): pair is [string, true | Record<string, unknown>] => pair[1] !== false);
  const results = await Promise.all(enabled.map(([key, entry]) => resolveEntry(key, entry === true ? {} : entry, configDir)));
  const plugins = results.flatMap((r) => (r.plugin ? [r.plugin] : []));
  const loaded = results.flatMap((r) => (r.loaded ? [r.loaded] : []));
  const issues = results.flatMap((r) => r.issues);
  issues.push(...checkRequirements(enabled.map(([key]) => key), plugins));
  return { plugins, loaded, issues };
}
