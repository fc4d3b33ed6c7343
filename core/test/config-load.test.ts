import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config';
import { isSwitchyardError, SwitchyardError } from '../src/errors';
import { makeDir, pairConfig, removeDirs, SCHEMA_PATH, write } from './config-fixture';
import { rejection } from './support/errors';

afterEach(removeDirs);


describe('loadConfig: finding and loading the file', () => {
  it('loads a TypeScript config written with defineConfig, with defaults filled in', async () => {
    const dir = await makeDir();
    const file = await write(
      dir,
      'switchyard.config.ts',
      `import { defineConfig } from ${JSON.stringify(SCHEMA_PATH)};
const port: number = 7501;
export default defineConfig({
  cluster: 'ts-pair',
  nodes: [
    { id: 'a', host: '127.0.0.1', haPort: port },
    { id: 'b', host: '127.0.0.1', haPort: port + 1 },
  ],
  runtimeDir: 'state',
});
`,
    );
    const loaded = await loadConfig({ cwd: dir });
    expect(loaded.file).toBe(file);
    expect(loaded.configDir).toBe(dir);
    expect(loaded.config.cluster).toBe('ts-pair');
    expect(loaded.config.nodes.map((n) => n.haPort)).toEqual([7501, 7502]);
    expect(loaded.config.haLink.heartbeatInterval).toBe(0.05);
    expect(loaded.config.management.port).toBe(7460);
    expect(loaded.runtimeDir).toBe(path.join(dir, 'state'));
    expect(loaded.multiHost).toBe(false);
    expect(loaded.plugins).toEqual([]);
  });

  it('finds switchyard.config.yaml by search', async () => {
    const dir = await makeDir();
    await write(
      dir,
      'switchyard.config.yaml',
      `cluster: yaml-pair
nodes:
  - { id: a, host: 127.0.0.1, haPort: 7601 }
  - { id: b, host: 127.0.0.1, haPort: 7602 }
`,
    );
    const loaded = await loadConfig({ cwd: dir });
    expect(loaded.config.cluster).toBe('yaml-pair');
    expect(loaded.file).toBe(path.join(dir, 'switchyard.config.yaml'));
  });

  it('finds .switchyardrc.json from a subfolder, and resolves runtimeDir against the config folder', async () => {
    const dir = await makeDir();
    await write(dir, '.switchyardrc.json', pairConfig({ cluster: 'rc-pair', runtimeDir: 'run' }));
    const cwd = path.join(dir, 'deep', 'er');
    await write(cwd, '.keep', '');
    const loaded = await loadConfig({ cwd });
    expect(loaded.config.cluster).toBe('rc-pair');
    expect(loaded.file).toBe(path.join(dir, '.switchyardrc.json'));
    expect(loaded.runtimeDir).toBe(path.join(dir, 'run'));
  });

  it('finds the "switchyard" key of package.json, and skips a package.json without one', async () => {
    const dir = await makeDir();
    await write(dir, 'package.json', { name: 'ops', switchyard: pairConfig({ cluster: 'pkg-pair' }) });
    await write(dir, 'app/package.json', { name: 'app' });
    const loaded = await loadConfig({ cwd: path.join(dir, 'app') });
    expect(loaded.config.cluster).toBe('pkg-pair');
    expect(loaded.file).toBe(path.join(dir, 'package.json'));
  });

  it('loads the file given as configPath, relative to cwd, instead of searching', async () => {
    const dir = await makeDir();
    await write(dir, 'switchyard.config.json', pairConfig({ cluster: 'searched' }));
    await write(dir, 'conf/other.yml', `cluster: given\nnodes: ${JSON.stringify(pairConfig().nodes)}\n`);
    const loaded = await loadConfig({ cwd: dir, configPath: 'conf/other.yml' });
    expect(loaded.config.cluster).toBe('given');
    expect(loaded.runtimeDir).toBe(path.join(dir, 'conf', '.switchyard'));
  });

  it('loads an ES module config (.mjs)', async () => {
    const dir = await makeDir();
    await write(dir, 'switchyard.config.mjs', `export default ${JSON.stringify(pairConfig({ cluster: 'mjs-pair' }))};\n`);
    expect((await loadConfig({ cwd: dir })).config.cluster).toBe('mjs-pair');
  });

  it('reports SWY_ERR_CONFIG_NOT_FOUND with the file names searched when there is no config', async () => {
    const dir = await makeDir();
    const error = await rejection(loadConfig({ cwd: dir }));
    expect(error.code).toBe('SWY_ERR_CONFIG_NOT_FOUND');
    expect(error.message).toContain('switchyard.config.ts');
    expect(error.message).toContain('.switchyardrc.yaml');
    expect(error.message).toContain('--config');
  });

  it('reports SWY_ERR_CONFIG_NOT_FOUND for a --config path that does not exist', async () => {
    const dir = await makeDir();
    const error = await rejection(loadConfig({ cwd: dir, configPath: 'nope.json' }));
    expect(error.code).toBe('SWY_ERR_CONFIG_NOT_FOUND');
    expect(error.message).toContain(path.join(dir, 'nope.json'));
  });

  it('reports SWY_ERR_CONFIG_LOAD with the file and cause for a YAML syntax error', async () => {
    const dir = await makeDir();
    const file = await write(dir, 'switchyard.config.yaml', 'cluster: [unclosed\nnodes: {\n');
    const error = await rejection(loadConfig({ cwd: dir }));
    expect(error.code).toBe('SWY_ERR_CONFIG_LOAD');
    expect(error.details.file).toBe(file);
    expect(error.message).toContain(file);
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('reports SWY_ERR_CONFIG_LOAD for a TypeScript config that throws while evaluating', async () => {
    const dir = await makeDir();
    const file = await write(dir, 'switchyard.config.ts', `const x: number = 1;\nthrow new Error('boom ' + x);\nexport default {};\n`);
    const error = await rejection(loadConfig({ cwd: dir }));
    expect(isSwitchyardError(error, 'SWY_ERR_CONFIG_LOAD')).toBe(true);
    expect(error.details.file).toBe(file);
    expect(error.message).toContain('boom 1');
  });

  it('reports an empty config file as an invalid config, not a crash', async () => {
    const dir = await makeDir();
    await write(dir, 'empty.json', '');
    const error = await rejection(loadConfig({ cwd: dir, configPath: 'empty.json' }));
    expect(error.code).toBe('SWY_ERR_CONFIG_INVALID');
    expect(error.message).toContain('empty');
  });
});
