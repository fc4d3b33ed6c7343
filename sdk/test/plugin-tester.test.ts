import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PluginTester, type BehaviourExpectation, type Plugin } from '../src/index';
import { assertBuilt, runCli } from '../src/testing';

/**
 * A file-watching monitor written as a third party would ship it (plain CommonJS on the SDK), kept in a
 * temp folder so that `switchyard validate` (the real CLI) can load it from a config there, and the
 * tester's expected lines can be checked against what the CLI prints.
 */
const PLUGIN_SOURCE = `
const fs = require('node:fs');
const { definePlugin } = require(${JSON.stringify(require.resolve('@switchyard/sdk'))});
const { z } = require(${JSON.stringify(require.resolve('zod'))});
module.exports = definePlugin({
  name: 'state-file',
  version: '1.0.0',
  options: z.strictObject({ file: z.string().min(1), interval: z.number().int().min(1).default(1) }),
  events: [
    { id: '77-00001', level: 'warn', message: 'State file says {state}' },
    { id: '77-00002', level: 'info', message: 'State file is up again' },
  ],
  apply(engine) {
    const monitor = engine.monitors.register('state');
    let down = false;
    const read = () => { try { return fs.readFileSync(engine.options.file, 'utf8').trim(); } catch { return 'missing'; } };
    engine.hooks.start.tapPromise('state-file', async () => {
      engine.clock.setInterval(() => {
        const state = read();
        if (state !== 'up' && !down) { down = true; monitor.fail('state ' + state); engine.events.emit('77-00001', { state }); }
        if (state === 'up' && down) { down = false; monitor.ok(); engine.events.emit('77-00002'); }
      }, engine.options.interval * 1000);
    });
  },
});
`;

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-plugin-tester-test-'));
const pluginDir = path.join(root, 'node_modules', 'state-file');
fs.mkdirSync(pluginDir, { recursive: true });
fs.writeFileSync(path.join(pluginDir, 'package.json'), JSON.stringify({ name: 'state-file', version: '1.0.0', main: 'index.js' }));
fs.writeFileSync(path.join(pluginDir, 'index.js'), PLUGIN_SOURCE);
const stateFile = createRequire(path.join(root, 'x.js'))('state-file') as Plugin;
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** A monitor case on one node: the file says `down`, so the node becomes unavailable and logs 77-00001. */
const downOnOneNode = (expectation: BehaviourExpectation) => ({
  name: 'a file saying down makes the node unavailable',
  options: ({ dir }: { dir: string }) => ({ file: path.join(dir, 'state') }),
  steps: [
    { stimulus: ({ dir }: { dir: string }) => fs.writeFileSync(path.join(dir, 'state'), 'up') },
    { order: 'primary' as const },
    { advance: 1 },
    { stimulus: ({ dir }: { dir: string }) => fs.writeFileSync(path.join(dir, 'state'), 'down') },
    { advance: 1 },
  ],
  expect: expectation,
});

describe('PluginTester option cases', () => {
  it('an invalid case lists exactly the lines switchyard validate prints for the same entry', async () => {
    assertBuilt();
    const entry = { file: '', interval: 0, intervall: 2 };
    fs.writeFileSync(
      path.join(root, 'switchyard.config.json'),
      JSON.stringify({
        cluster: 'plugin-tester',
        nodes: [
          { id: 'node-a', host: '127.0.0.1', haPort: 7001, priority: 100 },
          { id: 'node-b', host: '127.0.0.1', haPort: 7002, priority: 50 },
        ],
        plugins: { 'state-file': entry },
      }),
    );
    const cli = await runCli(['validate', '--config', path.join(root, 'switchyard.config.json')]);
    expect(cli.code).toBe(2);
    const printed = cli.stderr.split('\n').filter((l) => l.startsWith('  - ')).map((l) => l.slice(4));
    expect(printed).toEqual([
      'Key "plugins.state-file.file": must be at least 1 character long (got "") [SWY_ERR_PLUGIN_OPTIONS]',
      'Key "plugins.state-file.interval": must be at least 1 (got 0) [SWY_ERR_PLUGIN_OPTIONS]',
      'Key "plugins.state-file.intervall": unknown key "intervall"; did you mean "interval"? [SWY_ERR_PLUGIN_OPTIONS]',
    ]);
    // The same lines pass as the tester's expected errors: what a test asserts is what users see.
    const results = await new PluginTester(stateFile).verify({ invalid: [{ options: entry, errors: printed }] });
    expect(results).toEqual([{ kind: 'invalid', name: JSON.stringify(entry) }]);
  });

  it('fails an invalid case whose expected message differs from what users see, showing both', async () => {
    const [result] = await new PluginTester(stateFile).verify({
      invalid: [{ name: 'interval 0', options: { file: 'x', interval: 0 }, errors: ['Key "plugins.state-file.interval": must be positive'] }],
    });
    expect(result!.failure).toContain('expected switchyard validate to print:\n  - Key "plugins.state-file.interval": must be positive');
    expect(result!.failure).toContain('but it prints:\n  - Key "plugins.state-file.interval": must be at least 1 (got 0) [SWY_ERR_PLUGIN_OPTIONS]');
  });

  it('passes valid options and fails a "valid" case the CLI would refuse', async () => {
    const results = await new PluginTester(stateFile).verify({ valid: [{ options: { file: '/tmp/x' } }, { name: 'no file', options: {} }] });
    expect(results[0]!.failure).toBeUndefined();
    expect(results[1]!.failure).toBe(
      'expected the options to be valid, but switchyard validate prints:\n' +
        '  - Key "plugins.state-file.file": is required; set it to a string [SWY_ERR_PLUGIN_OPTIONS]',
    );
  });

  it.each(['@acme/state-file', './dist/index.js', './plugin'])('names the plugin by the key the config uses: %s', async (key) => {
    const [result] = await new PluginTester(stateFile, { key }).verify({
      invalid: [{ options: { file: 'x', interval: 0 }, errors: [`Key "plugins.${key}.interval": must be at least 1 (got 0) [SWY_ERR_PLUGIN_OPTIONS]`] }],
    });
    expect(result!.failure).toBeUndefined();
  });

  it('refuses a key it cannot stand in for', () => {
    expect(() => new PluginTester(stateFile, { key: './src/index.ts' })).toThrow(/key "\.\/src\/index\.ts" cannot be used/);
    expect(() => new PluginTester(stateFile, { key: '/abs/plugin.js' })).toThrow(/cannot be used/);
    expect(() => new PluginTester(stateFile, { key: '../plugin.js' })).toThrow(/cannot be used/);
  });
});

describe('PluginTester behaviour cases', () => {
  it('passes when the events, status and role are those expected', async () => {
    const [result] = await new PluginTester(stateFile).verify({
      behaviour: [downOnOneNode({ events: ['77-00001'], status: 'unavailable', role: 'primary' })],
    });
    expect(result).toEqual({ kind: 'behaviour', name: 'a file saying down makes the node unavailable' });
  });

  it('fails, saying what differs, when the expectation is wrong', async () => {
    const [result] = await new PluginTester(stateFile).verify({
      behaviour: [downOnOneNode({ events: ['77-00002'], status: 'running' })],
    });
    expect(result!.failure).toContain('events: expected [77-00002], got [77-00001]');
    expect(result!.failure).toContain('status: expected running, got unavailable');
  });

  it('a pair switches over when the primary fails, and a wrong expected primary is caught', async () => {
    const pairCase = (primary: 'node-a' | 'node-b') => ({
      name: `primary ${primary}`,
      pair: true,
      // Each node watches its own file; only node-a's says down.
      options: ({ dir, nodeId }: { dir: string; nodeId: string }) => {
        fs.writeFileSync(path.join(dir, nodeId), nodeId === 'node-a' ? 'down' : 'up');
        return { file: path.join(dir, nodeId) };
      },
      steps: [{ advance: 3 }],
      expect: { primary, role: primary === 'node-b' ? ('backup' as const) : ('primary' as const), events: ['77-00001'] },
    });
    const results = await new PluginTester(stateFile).verify({ behaviour: [pairCase('node-b'), pairCase('node-a')] });
    expect(results[0]!.failure).toBeUndefined();
    expect(results[1]!.failure).toBe('role: expected primary, got backup; primary: expected node-a, got node-b');
  });

  it('removes each case folder afterwards, also when the case fails', async () => {
    const seen: string[] = [];
    await new PluginTester(stateFile).verify({
      behaviour: [
        {
          name: 'throws',
          options: ({ dir }) => ({ file: path.join(dir, 'state') }),
          steps: [{ stimulus: ({ dir }) => (seen.push(dir), fs.writeFileSync(path.join(dir, 'f'), 'x')) }, { stimulus: () => { throw new Error('boom'); } }],
          expect: { status: 'running' },
        },
      ],
    });
    expect(seen).toHaveLength(1);
    expect(fs.existsSync(seen[0]!)).toBe(false);
  });

  it("removes a pair's node data folders too", async () => {
    const seen: string[] = [];
    await new PluginTester(stateFile).verify({
      behaviour: [
        {
          name: 'pair',
          pair: true,
          options: ({ dir }) => ({ file: path.join(dir, 'state') }),
          steps: [{ stimulus: ({ pair }) => void seen.push(pair!.a.engine.dataDir, pair!.b.engine.dataDir) }],
          expect: { primary: 'node-a' },
        },
      ],
    });
    expect(seen).toHaveLength(2);
    for (const dir of seen) expect(fs.existsSync(dir)).toBe(false);
  });
});

describe('PluginTester checks the test author', () => {
  it('refuses a behaviour case that expects nothing, and an invalid case with no errors, before running anything', () => {
    const tester = new PluginTester(stateFile);
    expect(() => tester.run({ behaviour: [{ name: 'nothing', steps: [{ advance: 1 }], expect: {} }] })).toThrow(
      /behaviour\[0\] \(nothing\) expects nothing .*a case that cannot fail tests nothing/,
    );
    expect(() => tester.run({ invalid: [{ options: {}, errors: [] }] })).toThrow(/invalid\[0\] lists no errors/);
    expect(() => tester.run({ behaviour: [{ name: 'x', steps: [{ advance: 1, order: 'primary' } as never], expect: { status: 'running' } }] })).toThrow(
      /step 0 must have exactly one of advance, order, stimulus/,
    );
  });

  it('registers one test per case with the framework given, and a registered test fails when its case does', async () => {
    const tests = new Map<string, () => unknown>();
    PluginTester.describe = (_name, fn) => fn();
    PluginTester.it = (name, fn) => void tests.set(name, fn);
    try {
      await new PluginTester(stateFile).run({
        valid: [{ name: 'ok', options: { file: 'x' } }],
        invalid: [{ name: 'wrong', options: { file: 'x', interval: 0 }, errors: ['Key "plugins.state-file.interval": nope'] }],
      });
    } finally {
      PluginTester.describe = undefined;
      PluginTester.it = undefined;
    }
    expect([...tests.keys()]).toEqual(['valid: ok', 'invalid: wrong']);
    await expect(tests.get('valid: ok')!()).resolves.toBeUndefined();
    await expect(tests.get('invalid: wrong')!()).rejects.toMatchObject({ code: 'SWY_ERR_TESTER_FAILED' });
  });

  it('without a framework, run() rejects listing every failed case', async () => {
    await expect(
      new PluginTester(stateFile).run({ valid: [{ name: 'empty', options: {} }, { name: 'fine', options: { file: 'x' } }] }),
    ).rejects.toThrow(/^1 of 2 cases failed:\nvalid "empty": expected the options to be valid/);
  });
});
