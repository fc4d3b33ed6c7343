import path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Loads config files and plugin modules, JavaScript or TypeScript, from a
 * CommonJS package. TypeScript goes through tsx's `tsImport` (about 160 ms,
 * against 0.5-1 s for cosmiconfig's TypeScript loader); tsx is loaded only
 * when a TypeScript file is met.
 */

/** Extensions loaded through tsx. */
export const TS_EXTENSIONS: readonly string[] = ['.ts', '.mts', '.cts'];

/** Extensions a config or plugin file may have. */
export const MODULE_EXTENSIONS: readonly string[] = ['.js', '.cjs', '.mjs', ...TS_EXTENSIONS];

/** Imports the file at `file` (absolute) and returns its module namespace. */
export async function importFile(file: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(file).href;
  if (TS_EXTENSIONS.includes(path.extname(file))) {
    const { tsImport } = await import('tsx/esm/api');
    return (await tsImport(url, { parentURL: url })) as Record<string, unknown>;
  }
  // module NodeNext keeps this a real import() in the CommonJS output, so .mjs works too.
  return (await import(url)) as Record<string, unknown>;
}

function hasDefault(value: unknown): value is { default: unknown } {
  return typeof value === 'object' && value !== null && 'default' in value;
}

/**
 * The default export of a namespace, unwrapped through the CommonJS interop
 * layers: a TypeScript `export default` compiled to CommonJS arrives as
 * `namespace.default.default`. Returns the layers outermost first
 * (`[ns.default, ns.default.default]`); empty when there is no default.
 */
export function defaultExportLayers(namespace: unknown): unknown[] {
  const layers: unknown[] = [];
  let value = namespace;
  while (hasDefault(value) && layers.length < 3) {
    value = value.default;
    layers.push(value);
  }
  return layers;
}

/** The innermost default export (see {@link defaultExportLayers}), or `undefined`. */
export function defaultExport(namespace: unknown): unknown {
  const layers = defaultExportLayers(namespace);
  return layers[layers.length - 1];
}
