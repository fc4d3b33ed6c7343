import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config';
import { SwitchyardError } from '../src/errors';
import { resolvePlugin } from '../src/plugin/resolve';
import {
  cjsPlugin,
  configError,
  DEMO_OPTIONS,
  esmPlugin,
  issueAt,
  makeDir,
  pairConfig,
  removeDirs,
  write,
  ZOD_PATH,
} from './config-fixture';
import { rejection } from './support/errors';

afterEach(removeDirs);

/** A temp folder with the given files and a switchyard.config.json enabling `plugins`; returns the folder. */
async function project(plugins: Record<string, unknown>, files: Record<string, string> = {}): Promise<string> {
  const dir = await makeDir();
  for (const [file, content] of Object.entries(files)) await write(dir, file, content);
  await write(dir, 'switchyard.config.json', pairConfig({ plugins }));
  return dir;
}


describe('plugins in the config', () => {
  it('loads a CommonJS plugin file by relative path and parses its options (defaults filled in)', async () => {
    const dir = await project(
      { './plugins/demo.js': { target: 'sip:probe@127.0.0.1' } },
      { 'plugins/demo.js': cjsPlugin({ name: 'demo', options: DEMO_OPTIONS }) },
    );
    const loaded = await loadConfig({ cwd: dir });
    expect(loaded.plugins).toHaveLength(1);
    const [resolved] = loaded.plugins;
    expect(resolved!.name).toBe('./plugins/demo.js');
    expect(resolved!.plugin.name).toBe('demo');
    expect(resolved!.source).toBe(path.join(dir, 'plugins', 'demo.js'));
    expect(resolved!.options).toEqual({ target: 'sip:probe@127.0.0.1', threshold: 3 });
  });

  it('finds a bare name as @switchyard/plugin-<name> in node_modules; `true` means default options', async () => {
    const dir = await project(
      { demo: true },
      {
        'node_modules/@switchyard/plugin-demo/package.json': JSON.stringify({ name: '@switchyard/plugin-demo', main: 'lib/index.js' }),
        'node_modules/@switchyard/plugin-demo/lib/index.js': cjsPlugin({ name: 'demo', options: DEMO_OPTIONS }),
      },
    );
    const loaded = await loadConfig({ cwd: dir });
    expect(loaded.plugins.map((p) => [p.name, p.plugin.name, p.options])).toEqual([['demo', 'demo', { threshold: 3 }]]);
    expect(loaded.plugins[0]!.source).toBe(path.join(dir, 'node_modules/@switchyard/plugin-demo/lib/index.js'));
  });

  it('falls back to a package literally named like the key, and skips entries set to false', async () => {
    const dir = await project(
      { 'acme-check': true, missing: false },
      { 'node_modules/acme-check/index.js': cjsPlugin({ name: 'acme-check' }) },
    );
    const loaded = await loadConfig({ cwd: dir });
    expect(loaded.plugins.map((p) => p.name)).toEqual(['acme-check']);
  });

  it('loads ES module and TypeScript plugin files (default export, also through CommonJS interop)', async () => {
    const ts =
      `import { createRequire } from 'node:module';\n` +
      `const { z } = createRequire(__filename)(${JSON.stringify(ZOD_PATH)});\n` +
      `const brand: symbol = Symbol.for('switchyard:plugin');\n` +
      `export default { [brand]: true, name: 'ts-demo', version: '1.0.0', options: ${DEMO_OPTIONS}, apply(): void {} };\n`;
    const dir = await project(
      { './esm.mjs': { threshold: 5 }, './ts-demo': true },
      { 'esm.mjs': esmPlugin({ name: 'esm-demo', options: DEMO_OPTIONS }), 'ts-demo.ts': ts },
    );
    const loaded = await loadConfig({ cwd: dir });
    expect(loaded.plugins.map((p) => [p.plugin.name, p.options])).toEqual([
      ['esm-demo', { threshold: 5 }],
      ['ts-demo', { threshold: 3 }],
    ]);
    expect(loaded.plugins[1]!.source).toBe(path.join(dir, 'ts-demo.ts'));
  });

  it('reports an unknown plugin as SWY_ERR_PLUGIN_NOT_FOUND at plugins.<name>, naming what was tried', async () => {
    const dir = await project({ 'sip-pass-check': true });
    const error = await configError(loadConfig({ cwd: dir }));
    const issue = issueAt(error, 'plugins.sip-pass-check', 'SWY_ERR_PLUGIN_NOT_FOUND');
    expect(issue.message).toContain('"@switchyard/plugin-sip-pass-check"');
    expect(issue.message).toContain('"sip-pass-check"');
    expect(issue.message).toContain('npm install @switchyard/plugin-sip-pass-check');
  });

  it('reports a missing plugin file with the paths tried', async () => {
    const dir = await project({ './nowhere.js': true });
    const error = await configError(loadConfig({ cwd: dir }));
    const issue = issueAt(error, 'plugins../nowhere.js', 'SWY_ERR_PLUGIN_NOT_FOUND');
    expect(issue.message).toContain(path.join(dir, 'nowhere.js'));
  });

  it('reports bad options as SWY_ERR_PLUGIN_OPTIONS at plugins.<name>.<option>', async () => {
    const dir = await project(
      { './demo.js': { threshold: 0 }, demo2: { treshold: 2 } },
      {
        'demo.js': cjsPlugin({ name: 'demo', options: DEMO_OPTIONS }),
        'node_modules/@switchyard/plugin-demo2/index.js': cjsPlugin({ name: 'demo2', options: DEMO_OPTIONS }),
      },
    );
    const error = await configError(loadConfig({ cwd: dir }));
    expect(issueAt(error, 'plugins../demo.js.threshold', 'SWY_ERR_PLUGIN_OPTIONS').message).toBe('must be at least 1 (got 0)');
    expect(issueAt(error, 'plugins.demo2.treshold', 'SWY_ERR_PLUGIN_OPTIONS').message).toBe(
      'unknown key "treshold"; did you mean "threshold"?',
    );
  });

  it('reports options given to a plugin that takes none', async () => {
    const dir = await project({ './plain.js': { verbose: true } }, { 'plain.js': cjsPlugin({ name: 'plain' }) });
    const error = await configError(loadConfig({ cwd: dir }));
    expect(issueAt(error, 'plugins../plain.js', 'SWY_ERR_PLUGIN_OPTIONS').message).toContain('takes no options');
  });

  it('reports a module that does not export a plugin as SWY_ERR_PLUGIN_INVALID', async () => {
    const dir = await project({ './fake.js': true }, { 'fake.js': 'module.exports = { name: "fake", apply() {} };\n' });
    const error = await configError(loadConfig({ cwd: dir }));
    expect(issueAt(error, 'plugins../fake.js', 'SWY_ERR_PLUGIN_INVALID').message).toContain('definePlugin()');
  });

  it('reports a plugin that fails to load as SWY_ERR_PLUGIN_INVALID with the cause', async () => {
    const dir = await makeDir();
    await write(dir, 'broken.js', 'throw new Error("kaput");\n');
    const error = await rejection(resolvePlugin('./broken.js', dir));
    expect(error.code).toBe('SWY_ERR_PLUGIN_INVALID');
    expect(error.message).toContain('kaput');
    expect((error.cause as Error).message).toBe('kaput');
  });

  it('reports requires.plugins naming a plugin that is not enabled as SWY_ERR_PLUGIN_REQUIREMENT', async () => {
    const dir = await project(
      { './needy.js': true, './base.js': false },
      {
        'needy.js': cjsPlugin({ name: 'needy', requires: ['base'] }),
        'base.js': cjsPlugin({ name: 'base' }),
      },
    );
    const error = await configError(loadConfig({ cwd: dir }));
    const issue = issueAt(error, 'plugins../needy.js.requires', 'SWY_ERR_PLUGIN_REQUIREMENT');
    expect(issue.message).toContain('requires "base"');

    await write(dir, 'switchyard.config.json', pairConfig({ plugins: { './needy.js': true, './base.js': true } }));
    const loaded = await loadConfig({ cwd: dir });
    expect(loaded.plugins.map((p) => p.plugin.name)).toEqual(['needy', 'base']);
  });

  it('reports one plugin enabled under two keys as SWY_ERR_PLUGIN_DUPLICATE', async () => {
    const dir = await project(
      { demo: true, '@switchyard/plugin-demo': true },
      { 'node_modules/@switchyard/plugin-demo/index.js': cjsPlugin({ name: 'demo' }) },
    );
    const error = await configError(loadConfig({ cwd: dir }));
    expect(issueAt(error, 'plugins.@switchyard/plugin-demo', 'SWY_ERR_PLUGIN_DUPLICATE').message).toContain('plugins.demo');
  });
});

describe('resolvePlugin', () => {
  it('accepts a named export `plugin` and a path without extension', async () => {
    const dir = await makeDir();
    await write(dir, 'named.cjs', cjsPlugin({ name: 'named' }).replace('module.exports =', 'exports.plugin ='));
    const { plugin, source } = await resolvePlugin('./named', dir);
    expect(plugin.name).toBe('named');
    expect(source).toBe(path.join(dir, 'named.cjs'));
  });

  it('throws SWY_ERR_PLUGIN_NOT_FOUND for a scoped package that is not installed, trying only that name', async () => {
    const dir = await makeDir();
    const error = await rejection(resolvePlugin('@acme/nothing', dir));
    expect(error.code).toBe('SWY_ERR_PLUGIN_NOT_FOUND');
    expect(error.details.tried).toEqual(['@acme/nothing']);
  });
});
