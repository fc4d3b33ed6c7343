import path from 'node:path';
import { cosmiconfig, type CosmiconfigResult, type Loader } from 'cosmiconfig';
import { SwitchyardError, describeError } from '../errors';
import { MODULE_EXTENSIONS, defaultExport, importFile } from '../import-file';
import { validateConfig, type ValidatedConfig } from './validate';

/** Where a config is searched for, in each folder from the working directory up. */
export const CONFIG_SEARCH_PLACES: readonly string[] = [
  'package.json',
  '.switchyardrc',
  '.switchyardrc.json',
  '.switchyardrc.yaml',
  '.switchyardrc.yml',
  'switchyard.config.ts',
  'switchyard.config.mjs',
  'switchyard.config.js',
  'switchyard.config.json',
  'switchyard.config.yaml',
  'switchyard.config.yml',
];

export interface LoadConfigOptions {
  /** A config file to load instead of searching (relative to `cwd`). */
  configPath?: string;
  /** Folder to resolve `configPath` against and to start the search from; default `process.cwd()`. */
  cwd?: string;
}

/**
 * JS and TS configs are imported by us rather than by cosmiconfig: TS through
 * tsx (fast, no `typescript` at run time, no temporary file beside the
 * config), and both unwrapped through CommonJS interop layers.
 */
const loadModule: Loader = async (filepath) => {
  const namespace = await importFile(filepath);
  const config = defaultExport(namespace);
  // Without this, a search would skip the file as empty and quietly pick another config.
  if (config === undefined) throw new Error('it has no default export; write `export default defineConfig({ ... })`');
  return config;
};

function explorer() {
  // A fresh explorer per load, without cache: a re-validation must see the file as it is now.
  return cosmiconfig('switchyard', {
    searchPlaces: [...CONFIG_SEARCH_PLACES],
    searchStrategy: 'none',
    cache: false,
    loaders: Object.fromEntries(MODULE_EXTENSIONS.map((ext) => [ext, loadModule])),
  });
}

function loadError(error: unknown, file: string | undefined): SwitchyardError {
  const where = file ?? 'the config file';
  return new SwitchyardError('SWY_ERR_CONFIG_LOAD', `${where} could not be loaded: ${describeError(error)}`, {
    cause: error,
    details: { file },
  });
}

async function loadFile(file: string): Promise<NonNullable<CosmiconfigResult>> {
  let result: CosmiconfigResult;
  try {
    result = await explorer().load(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new SwitchyardError('SWY_ERR_CONFIG_NOT_FOUND', `config file ${file} does not exist; fix the --config path`, {
        cause: error,
        details: { file },
      });
    }
    throw loadError(error, file);
  }
  if (result === null) {
    // Only package.json yields no result: it has no "switchyard" key.
    throw new SwitchyardError('SWY_ERR_CONFIG_NOT_FOUND', `${file} has no "switchyard" key; add one or pass a Switchyard config file`, {
      details: { file },
    });
  }
  return result;
}

async function search(cwd: string): Promise<NonNullable<CosmiconfigResult>> {
  const finder = explorer();
  // Walk up ourselves: cosmiconfig's own upward search also reads the user's global config folder.
  for (let dir = cwd; ; dir = path.dirname(dir)) {
    let result: CosmiconfigResult;
    try {
      result = await finder.search(dir);
    } catch (error) {
      throw loadError(error, (error as { filepath?: string }).filepath);
    }
    if (result !== null) return result;
    if (path.dirname(dir) === dir) break;
  }
  throw new SwitchyardError(
    'SWY_ERR_CONFIG_NOT_FOUND',
    `no Switchyard config found in ${cwd} or its parent folders (looked for ${CONFIG_SEARCH_PLACES.join(', ')}, ` +
      `package.json with a "switchyard" key); create switchyard.config.ts there or pass --config FILE`,
    { details: { cwd, searchPlaces: CONFIG_SEARCH_PLACES } },
  );
}

/**
 * Finds, loads and validates the Switchyard config.
 *
 * With `configPath`, loads that file; otherwise searches `cwd` and each
 * parent folder for {@link CONFIG_SEARCH_PLACES} (in that order within a
 * folder). TypeScript configs are loaded through tsx. Relative paths in the
 * config (`runtimeDir`, plugin paths) are resolved against the config
 * file's folder.
 *
 * Throws `SWY_ERR_CONFIG_NOT_FOUND` (no file), `SWY_ERR_CONFIG_LOAD`
 * (syntax or evaluation error; `cause` and `details.file` set) or a
 * {@link ConfigInvalidError} listing every problem (see `validateConfig`).
 */
export async function loadConfig(opts: LoadConfigOptions = {}): Promise<ValidatedConfig> {
  const cwd = path.resolve(opts.cwd ?? process.cwd());
  const found = opts.configPath === undefined ? await search(cwd) : await loadFile(path.resolve(cwd, opts.configPath));
  return validateConfig(found.config, { file: found.filepath, configDir: path.dirname(found.filepath) });
}
