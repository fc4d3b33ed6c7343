import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultExportLayers, importFile, isCommonJs } from '../src/import-file';
import { tempDir } from '../src/testing/cleanup';

/**
 * Config and plugin files: CommonJS is required (no ES module loader at a
 * node's start), ES modules are imported, and both give the namespace
 * import() gives.
 */
function write(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
}

/** The compiled module (run by plain node below). */
const COMPILED = path.resolve(__dirname, '..', 'dist', 'import-file.js');

/** What tsc emits for `export const plugin = …; export default plugin;` with module CommonJS. */
const COMPILED_TS = 'Object.defineProperty(exports, "__esModule", { value: true });\nexports.plugin = { name: "demo" };\nexports.default = exports.plugin;\n';

describe('importFile', () => {
  it('tells CommonJS from ES modules as Node does: .cjs, and .js unless the nearest package.json says "type": "module"', () => {
    const dir = tempDir('switchyard-import-');
    write(dir, {
      'cjs-pkg/package.json': '{"name":"a"}',
      'cjs-pkg/lib/deep/p.js': '',
      'esm-pkg/package.json': '{"name":"b","type":"module"}',
      'esm-pkg/lib/p.js': '',
      'esm-pkg/lib/q.cjs': '',
      'esm-pkg/inner/package.json': '{"type":"commonjs"}',
      'esm-pkg/inner/p.js': '',
    });
    expect(isCommonJs(path.join(dir, 'cjs-pkg/lib/deep/p.js'))).toBe(true);
    expect(isCommonJs(path.join(dir, 'esm-pkg/lib/p.js'))).toBe(false);
    expect(isCommonJs(path.join(dir, 'esm-pkg/lib/q.cjs'))).toBe(true);
    expect(isCommonJs(path.join(dir, 'esm-pkg/inner/p.js'))).toBe(true);
    expect(isCommonJs(path.join(dir, 'esm-pkg/lib/x.mjs'))).toBe(false);
    expect(isCommonJs(path.join(dir, 'cjs-pkg/x.ts'))).toBe(false);
  });

  it('requires a CommonJS file, and gives the same default layers and names as import() of it', async () => {
    const dir = tempDir('switchyard-import-');
    write(dir, { 'package.json': '{"name":"c"}', 'plugin.js': COMPILED_TS });
    const file = path.join(dir, 'plugin.js');
    const namespace = await importFile(file);
    expect(require.cache[file]?.exports).toBe(namespace['default']); // required, not imported
    // Node's own import() of the same file, in a plain node process (vitest has its own import()).
    const script = path.join(dir, 'compare.cjs');
    fs.writeFileSync(
      script,
      `const { importFile, defaultExportLayers } = require(${JSON.stringify(COMPILED)});\n` +
        `const file = ${JSON.stringify(file)};\n` +
        '(async () => {\n' +
        '  const mine = await importFile(file);\n' +
        "  const theirs = await import(require('node:url').pathToFileURL(file).href);\n" +
        '  const [a, b] = [defaultExportLayers(mine), defaultExportLayers(theirs)];\n' +
        '  process.stdout.write(JSON.stringify({ layers: a.length, same: a.length === b.length && a.every((l, i) => l === b[i]), plugin: mine.plugin === theirs.plugin, viaRequire: require.cache[file] !== undefined }));\n' +
        '})();\n',
    );
    const out = execFileSync(process.execPath, [script], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ layers: 2, same: true, plugin: true, viaRequire: true });
  });

  it('imports an ES module .js (in a "type": "module" package) and an .mjs', async () => {
    const dir = tempDir('switchyard-import-');
    write(dir, { 'package.json': '{"name":"d","type":"module"}', 'p.js': 'export default { name: "esm-js" };\n', 'q.mjs': 'export const plugin = { name: "mjs" };\n' });
    expect(defaultExportLayers(await importFile(path.join(dir, 'p.js')))).toEqual([{ name: 'esm-js' }]);
    expect((await importFile(path.join(dir, 'q.mjs')))['plugin']).toEqual({ name: 'mjs' });
  });
});
