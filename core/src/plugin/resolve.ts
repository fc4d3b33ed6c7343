import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { SwitchyardError, describeError } from '../errors';
import { MODULE_EXTENSIONS, defaultExportLayers, importFile } from '../import-file';
import { isPlugin, type Plugin } from './define';

/** A plugin module found and loaded. */
export interface LoadedPlugin {
  plugin: Plugin;
  /** Absolute path of the file the plugin was loaded from. */
  source: string;
}

/** Official plugins are published as `@switchyard/plugin-<name>`. */
export const OFFICIAL_PLUGIN_SCOPE = '@switchyard/plugin-';

/** `./x`, `../x` and absolute paths name files; anything else names a package. */
export function isPathSpec(spec: string): boolean {
  return spec.startsWith('.') || path.isAbsolute(spec);
}

/**
 * Package names tried for `spec`, in order: a bare name `foo` is the
 * official `@switchyard/plugin-foo` first, then a package literally named
 * `foo`; a scoped name or a name with a `/` is taken as is.
 */
export function packageCandidates(spec: string): string[] {
  if (spec.startsWith('@') || spec.includes('/')) return [spec];
  return [`${OFFICIAL_PLUGIN_SCOPE}${spec}`, spec];
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function locateFile(spec: string, configDir: string): string {
  const base = path.resolve(configDir, spec);
  const tried = MODULE_EXTENSIONS.includes(path.extname(base)) ? [base] : [base, ...MODULE_EXTENSIONS.map((ext) => base + ext)];
  const found = tried.find(isFile);
  if (found !== undefined) return found;
  throw new SwitchyardError(
    'SWY_ERR_PLUGIN_NOT_FOUND',
    `plugin file "${spec}" was not found (tried ${tried.join(', ')}); ` +
      `fix the path, which is relative to the config folder ${configDir}`,
    { details: { plugin: spec, tried } },
  );
}

function locatePackage(spec: string, configDir: string): string {
  // Resolve as if required from a file in the config folder: node_modules of that folder and its parents.
  const requireFromConfig = createRequire(path.join(configDir, 'switchyard.config.js'));
  const tried = packageCandidates(spec);
  const misses: unknown[] = [];
  for (const name of tried) {
    try {
      return requireFromConfig.resolve(name);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') {
        misses.push(error);
        continue;
      }
      // The package exists but cannot be resolved (exports map without a require/default entry, bad package.json).
      throw new SwitchyardError(
        'SWY_ERR_PLUGIN_INVALID',
        `plugin package "${name}" was found but cannot be resolved: ${describeError(error)}; ` +
          `its package.json needs a "main" or an "exports" entry with a "default" condition`,
        { cause: error, details: { plugin: spec, package: name } },
      );
    }
  }
  const install = tried[0]!;
  throw new SwitchyardError(
    'SWY_ERR_PLUGIN_NOT_FOUND',
    `plugin "${spec}" was not found: tried package${tried.length === 1 ? '' : 's'} ${tried.map((t) => `"${t}"`).join(' and ')} ` +
      `from ${configDir}; install it (npm install ${install}), fix the name, or give a path starting with "./"`,
    { cause: misses[misses.length - 1], details: { plugin: spec, tried } },
  );
}

function exportNames(namespace: Record<string, unknown>): string {
  const names = Object.keys(namespace);
  return names.length === 0 ? 'nothing' : names.join(', ');
}

/** The plugin a module exports: its default (through CommonJS layers) or an export named `plugin`. */
function pickPlugin(namespace: Record<string, unknown>, spec: string, source: string): Plugin {
  const defaults = defaultExportLayers(namespace);
  const candidates = [...defaults, ...[namespace, ...defaults].map((layer) => (layer as { plugin?: unknown } | null)?.plugin)];
  const plugin = candidates.find(isPlugin);
  if (plugin !== undefined) {
    if (typeof plugin.apply !== 'function') {
      throw new SwitchyardError('SWY_ERR_PLUGIN_INVALID', `plugin "${spec}" (${source}) has no apply() function; define it with definePlugin({ ..., apply(engine) {} })`, {
        details: { plugin: spec, source },
      });
    }
    return plugin;
  }
  const hint = defaults.some((d) => typeof d === 'function')
    ? '; its default export is a function: export the result of definePlugin({...}) itself'
    : '';
  throw new SwitchyardError(
    'SWY_ERR_PLUGIN_INVALID',
    `plugin "${spec}" (${source}) does not export a plugin: expected a default export, or an export named "plugin", ` +
      `made by definePlugin(); the module exports ${exportNames(namespace)}${hint}`,
    { details: { plugin: spec, source } },
  );
}

/**
 * Finds and loads the plugin named by `spec`, as written in the config's
 * `plugins` section.
 *
 * - `./x`, `../x`, `/abs/x`: a file relative to `configDir`; `.js`, `.cjs`,
 *   `.mjs`, `.ts`, `.mts`, `.cts` (the extension may be left out).
 * - `@scope/name` or `name/sub`: that package.
 * - `foo`: the package `@switchyard/plugin-foo`, else a package named `foo`.
 *
 * Packages are resolved from `configDir` (its `node_modules` and its
 * parents'). Throws a {@link SwitchyardError} with code
 * `SWY_ERR_PLUGIN_NOT_FOUND` (nothing found; the message lists what was
 * tried) or `SWY_ERR_PLUGIN_INVALID` (found, but it failed to load or does
 * not export a `definePlugin()` result).
 */
export async function resolvePlugin(spec: string, configDir: string): Promise<LoadedPlugin> {
  const source = isPathSpec(spec) ? locateFile(spec, configDir) : locatePackage(spec, configDir);
  let namespace: Record<string, unknown>;
  try {
    namespace = await importFile(source);
  } catch (error) {
    throw new SwitchyardError('SWY_ERR_PLUGIN_INVALID', `plugin "${spec}" (${source}) failed to load: ${describeError(error)}; fix the module or reinstall the package`, {
      cause: error,
      details: { plugin: spec, source },
    });
  }
  return { plugin: pickPlugin(namespace, spec, source), source };
}
