import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Loads config files and plugin modules, JavaScript or TypeScript, from a
 * CommonJS package. TypeScript goes through tsx's `tsImport` (about 160 ms,
 * against 0.5-1 s for cosmiconfig's TypeScript loader); tsx is loaded only
 * when a TypeScript file is met. A CommonJS file is required rather than
 * imported: import() would start Node's ES module loader (its own modules,
 * and a parse of each CommonJS file for its export names), some 10-20 ms of
 * a node's start that `switchyard up` waits for.
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
  if (isCommonJs(file)) return namespaceOf(require(file) as unknown);
  // module NodeNext keeps this a real import() in the CommonJS output, so .mjs works too.
  return (await import(url)) as Record<string, unknown>;
}

/** Whether Node runs `file` as CommonJS: `.cjs`, or `.js` whose nearest package.json does not say `"type": "module"`. */
export function isCommonJs(file: string): boolean {
  const ext = path.extname(file);
  if (ext === '.cjs') return true;
  if (ext !== '.js') return false;
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    let text: string | undefined;
    try {
      text = fs.readFileSync(path.join(dir, 'package.json'), 'utf8');
    } catch {
      // none here: look further up
    }
    if (text !== undefined) {
      try {
        return (JSON.parse(text) as { type?: unknown }).type !== 'module';
      } catch {
        return false; // Node's own loader will report the broken package.json
      }
    }
    if (path.dirname(dir) === dir) return true;
  }
}

/** What import() gives for a CommonJS module: its exports as `default`, and their own names beside it. */
function namespaceOf(exports: unknown): Record<string, unknown> {
  const namespace: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  if (typeof exports === 'object' && exports !== null) {
    for (const name of Object.keys(exports).sort()) if (name !== 'default') namespace[name] = (exports as Record<string, unknown>)[name];
  }
  namespace['default'] = exports;
  return namespace;
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
