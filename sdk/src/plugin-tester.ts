import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ConfigInvalidError,
  codedErrorClass,
  describeError,
  formatIssue,
  validateConfig,
  type NodeStatus,
  type Plugin,
  type Role,
} from '@switchyard/core';
import { createTestNode, type TestNode } from './test-node';
import { createTestPair, type TestPair } from './test-pair';

/**
 * `PluginTester`, after ESLint's `RuleTester`: a plugin's test cases as data.
 *
 * - **valid** / **invalid** option cases run the plugin's entry through the
 *   same validation as `switchyard validate`, in a config of a single-host
 *   pair; an invalid case lists the exact lines the CLI prints (after
 *   `  - `), e.g. `Key "plugins.disk-space.minFreeMb": must be at least 1
 *   (got 0) [SWY_ERR_PLUGIN_OPTIONS]`.
 * - **behaviour** cases start the plugin on a test node (or in a test pair
 *   with the real embedded arbiter) in virtual time, play steps (time
 *   advance, arbiter orders, stimuli) and compare what a user would see:
 *   the plugin's events, the node's status and role, the pair's primary.
 *
 * Cases run as tests of the framework set in `PluginTester.describe` /
 * `PluginTester.it` (or global `describe`/`it`); with neither, `run()`
 * runs them at once and rejects listing every failed case. The tester checks
 * the test author too: a case that could not fail is refused.
 */

/** Codes of the errors `PluginTester` throws (a case failed, or a case is malformed). */
export const PLUGIN_TESTER_CODES = {
  SWY_ERR_TESTER_CASE: 'Fix the test case as the message says: a malformed case, or one that could never fail, tests nothing.',
  SWY_ERR_TESTER_FAILED: 'The plugin does not do what the case expects: compare the expected and actual values in the message.',
} as const;

export class PluginTesterError extends codedErrorClass('PluginTesterError', PLUGIN_TESTER_CODES) {}

/** What an options function of a case receives. */
export interface CaseContext {
  /** A fresh folder for this case (files a plugin reads or writes), removed after the case. */
  readonly dir: string;
  /** The node whose options are asked for (`node-a` or `node-b`; `node-a` in option cases and single-node cases). */
  readonly nodeId: 'node-a' | 'node-b';
}

type Value<T> = T | ((ctx: CaseContext) => T);
/** A plugin entry as a config holds it (any JSON value, to try wrong ones too), or a function of the case's folder. */
type EntryValue = Record<string, unknown> | readonly unknown[] | string | number | boolean | null | ((ctx: CaseContext) => unknown);

export interface OptionCase {
  /** Shown as the test's name; default: the options as JSON. */
  name?: string;
  /** The plugin's entry under `plugins` (an options object, or `true` for the defaults). */
  options: EntryValue;
  /** The plugin's sections of `nodes[0]` and `nodes[1]` (when it claims one with `nodeOptions`). */
  nodes?: readonly [unknown?, unknown?];
  /** More of the config (e.g. `alarms` that use the plugin's reaction kinds, or an `arbiter` of its kinds). */
  config?: Record<string, unknown>;
}

export interface InvalidOptionCase extends OptionCase {
  /** Every line `switchyard validate` prints for this config, in order, without the leading `  - `. */
  errors: readonly string[];
}

export type BehaviourStep =
  /** Advances virtual time by seconds (the config's unit; the clock itself counts milliseconds). */
  | { advance: number }
  /** An arbiter order to the node under test (single node only; in a pair the arbiter decides). */
  | { order: Role }
  /** Anything the test does to the world the plugin watches (write a file, fail a fake, …). */
  | { stimulus: (ctx: StimulusContext) => unknown };

export interface StimulusContext extends CaseContext {
  /** The node under test (`node-a`). */
  readonly node: TestNode;
  /** The pair, for `pair: true` cases. */
  readonly pair?: TestPair;
}

export interface BehaviourExpectation {
  /** Ids of the events the plugin under test logged on the node under test, exactly and in order. */
  events?: readonly string[];
  /** The node's status at the end. */
  status?: NodeStatus;
  /** The node's role at the end. */
  role?: Role;
  /** The pair's primary at the end (`pair: true` only). */
  primary?: 'node-a' | 'node-b';
}

export interface BehaviourCase {
  name: string;
  /** The plugin's options (parsed by its schema first, as a config would be); default `{}`. */
  options?: EntryValue;
  /** The node's sections by key (`nodes[].<key>`), for plugins with `nodeOptions`. */
  nodeOptions?: Value<Record<string, unknown>>;
  /**
   * Runs the plugin on both nodes of a test pair wired to the real embedded
   * arbiter (node-a primary at term 1) instead of one node (backup until
   * ordered). Default false.
   */
  pair?: boolean;
  steps: readonly BehaviourStep[];
  expect: BehaviourExpectation;
}

export interface PluginTesterCases {
  valid?: readonly OptionCase[];
  invalid?: readonly InvalidOptionCase[];
  behaviour?: readonly BehaviourCase[];
}

export interface PluginTesterOptions {
  /**
   * The key the plugin has under `plugins` in the messages (default: its name): a package name
   * (`@acme/switchyard-disk`) or a path relative to the config (`./dist/index.js`).
   */
  key?: string;
  /** Other plugins enabled beside it in option cases (the ones it `requires`), with their entries. */
  with?: readonly (readonly [Plugin, unknown])[];
}

/** One case's outcome, from {@link PluginTester.verify}. */
export interface CaseResult {
  kind: 'valid' | 'invalid' | 'behaviour';
  name: string;
  /** Why it failed; absent when it passed. */
  failure?: string;
}

type Framework = (name: string, fn: () => void | Promise<void>) => unknown;
const HANDOFF = Symbol.for('switchyard:plugin-tester');
let handoffSeq = 0;

export class PluginTester {
  /** The test framework's `describe` (vitest, mocha, jest, node:test). Default: a global `describe`, if any. */
  static describe: Framework | undefined;
  /** The test framework's `it`. Default: a global `it`, if any. */
  static it: Framework | undefined;

  private readonly key: string;

  constructor(
    readonly plugin: Plugin,
    private readonly options: PluginTesterOptions = {},
  ) {
    this.key = options.key ?? plugin.name;
    // A path key is tried as a file relative to the config; only `./x`, `./x.js`, `./x.cjs` (inside the case's folder) can stand in for it here.
    if (path.isAbsolute(this.key) || (this.key.startsWith('.') && (!/^\.\/(?:[^.]*|.*\.c?js)$/.test(this.key) || this.key.includes('..')))) {
      throw new PluginTesterError(
        'SWY_ERR_TESTER_CASE',
        `PluginTester (${plugin.name}): key "${this.key}" cannot be used; give a package name or a path starting with ./ to a .js/.cjs file (e.g. ./dist/index.js)`,
      );
    }
  }

  /**
   * Registers every case as a test (one `describe` per plugin, one `it` per
   * case), or, with no framework, runs them and rejects with every failure.
   * Malformed cases throw at once, before any test runs.
   */
  run(cases: PluginTesterCases): Promise<void> {
    const checked = this.checkCases(cases);
    const describe = PluginTester.describe ?? globalFramework('describe');
    const it = PluginTester.it ?? globalFramework('it');
    if (!describe || !it) return this.verify(cases).then(throwFailures);
    describe(`plugin ${this.plugin.name}`, () => {
      for (const { kind, name, exec } of checked) {
        it(`${kind}: ${name}`, async () => {
          const failure = await exec();
          if (failure !== undefined) throw new PluginTesterError('SWY_ERR_TESTER_FAILED', `${kind} case "${name}": ${failure}`);
        });
      }
    });
    return Promise.resolve();
  }

  /** Runs every case now and returns each outcome (never rejects for a failed case). */
  async verify(cases: PluginTesterCases): Promise<CaseResult[]> {
    const results: CaseResult[] = [];
    for (const { kind, name, exec } of this.checkCases(cases)) {
      const failure = await exec();
      results.push(failure === undefined ? { kind, name } : { kind, name, failure });
    }
    return results;
  }

  /** The author's mistakes, found before anything runs (as RuleTester does). */
  private checkCases(cases: PluginTesterCases): { kind: CaseResult['kind']; name: string; exec: () => Promise<string | undefined> }[] {
    const problems: string[] = [];
    const out: { kind: CaseResult['kind']; name: string; exec: () => Promise<string | undefined> }[] = [];
    (cases.valid ?? []).forEach((c, i) => {
      if ('errors' in c) problems.push(`valid[${i}] has "errors"; move it to invalid`);
      out.push({ kind: 'valid', name: c.name ?? caseName(c.options), exec: () => this.optionCase(c, []) });
    });
    (cases.invalid ?? []).forEach((c, i) => {
      if (!Array.isArray(c.errors) || c.errors.length === 0) {
        problems.push(`invalid[${i}] lists no errors; give every line switchyard validate prints`);
      }
      out.push({ kind: 'invalid', name: c.name ?? caseName(c.options), exec: () => this.optionCase(c, c.errors) });
    });
    const expectKeys = ['events', 'status', 'role', 'primary'];
    (cases.behaviour ?? []).forEach((c, i) => {
      const at = `behaviour[${i}] (${c.name})`;
      if (!c.name) problems.push(`behaviour[${i}] has no name`);
      if (!expectKeys.some((k) => (c.expect as Record<string, unknown> | undefined)?.[k] !== undefined)) {
        problems.push(`${at} expects nothing (give ${expectKeys.join(', ')}); a case that cannot fail tests nothing`);
      }
      if (c.expect?.primary !== undefined && !c.pair) problems.push(`${at} expects a primary: set pair: true`);
      c.steps.forEach((s, j) => {
        const keys = Object.keys(s);
        if (keys.length !== 1 || !['advance', 'order', 'stimulus'].includes(keys[0]!)) {
          problems.push(`${at} step ${j} must have exactly one of advance, order, stimulus (has ${keys.join(', ') || 'none'})`);
        } else if ('order' in s && c.pair) problems.push(`${at} step ${j}: in a pair the arbiter gives orders; drop the step, or pair: true`);
        else if ('advance' in s && !(typeof s.advance === 'number' && s.advance >= 0)) problems.push(`${at} step ${j}: advance takes seconds ≥ 0`);
      });
      out.push({ kind: 'behaviour', name: c.name, exec: () => this.behaviourCase(c) });
    });
    if (problems.length > 0) {
      throw new PluginTesterError('SWY_ERR_TESTER_CASE', `PluginTester (${this.plugin.name}): ${problems.join('; ')}`);
    }
    return out;
  }

  /** Validates a single-host pair config with the plugin enabled, as `switchyard validate` does; compares the printed lines. */
  private async optionCase(c: OptionCase, expected: readonly string[]): Promise<string | undefined> {
    return withDir(async (dir) => {
      const actual = await this.validationLines(c, dir);
      if (sameList(actual, expected)) return undefined;
      if (expected.length === 0) return `expected the options to be valid, but switchyard validate prints:\n${bullets(actual)}`;
      return `expected switchyard validate to print:\n${bullets(expected)}\nbut it prints:\n${actual.length === 0 ? '  (nothing: the config is valid)' : bullets(actual)}`;
    });
  }

  private async validationLines(c: OptionCase, dir: string): Promise<string[]> {
    const plugins: Record<string, unknown> = {};
    const registry = handoffRegistry();
    const publish = (key: string, plugin: Plugin, entry: unknown) => {
      // The config names the plugin as it will in real life (a package, or a file relative to the config),
      // and what it finds there hands over this very object.
      const token = `p${++handoffSeq}`;
      registry.set(token, plugin);
      const handoff = `module.exports = globalThis[Symbol.for('switchyard:plugin-tester')].get(${JSON.stringify(token)});\n`;
      if (key.startsWith('.')) {
        const file = path.resolve(dir, /\.c?js$/.test(key) ? key : `${key}.js`);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, handoff);
      } else {
        const pkg = path.join(dir, 'node_modules', ...key.split('/'));
        fs.mkdirSync(pkg, { recursive: true });
        fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: key, version: '0.0.0', main: 'index.js' }));
        fs.writeFileSync(path.join(pkg, 'index.js'), handoff);
      }
      plugins[key] = entry;
      return token;
    };
    const tokens = [publish(this.key, this.plugin, resolveValue<unknown>(c.options, { dir, nodeId: 'node-a' }))];
    for (const [plugin, entry] of this.options.with ?? []) tokens.push(publish(plugin.name, plugin, entry));
    const section = this.plugin.nodeOptions?.key;
    const node = (id: string, haPort: number, priority: number, value: unknown) => ({
      id,
      host: '127.0.0.1',
      haPort,
      priority,
      ...(section !== undefined && value !== undefined ? { [section]: value } : {}),
    });
    const config = {
      cluster: 'plugin-tester',
      nodes: [node('node-a', 7001, 100, c.nodes?.[0]), node('node-b', 7002, 50, c.nodes?.[1])],
      ...c.config,
      plugins: { ...(c.config?.plugins as Record<string, unknown> | undefined), ...plugins },
    };
    try {
      await validateConfig(config, { configDir: dir });
      return [];
    } catch (error) {
      if (error instanceof ConfigInvalidError) return error.issues.map(formatIssue);
      throw error;
    } finally {
      for (const token of tokens) registry.delete(token);
    }
  }

  private async behaviourCase(c: BehaviourCase): Promise<string | undefined> {
    return withDir(async (dir) => {
      const entry = (nodeId: 'node-a' | 'node-b') => [this.plugin, resolveValue<unknown>(c.options ?? {}, { dir, nodeId })] as const;
      let node: TestNode;
      let pair: TestPair | undefined;
      try {
        if (c.pair) {
          const nodeOptions = c.nodeOptions === undefined ? undefined : {
            'node-a': resolveValue(c.nodeOptions, { dir, nodeId: 'node-a' }),
            'node-b': resolveValue(c.nodeOptions, { dir, nodeId: 'node-b' }),
          };
          pair = createTestPair({ plugins: (id) => [entry(id)], ...(nodeOptions ? { nodeOptions } : {}) });
          node = pair.a;
        } else {
          const dataDir = path.join(dir, '.data');
          const nodeOptions = c.nodeOptions === undefined ? undefined : resolveValue(c.nodeOptions, { dir, nodeId: 'node-a' });
          node = createTestNode({ plugins: [entry('node-a')], dataDir, ...(nodeOptions ? { nodeOptions } : {}) });
        }
      } catch (error) {
        return `the plugin did not assemble with these options: ${describeError(error)}`;
      }
      try {
        await (pair ? pair.start() : node.start());
        for (const step of c.steps) {
          if ('advance' in step) await (pair ?? node).advance(step.advance);
          else if ('order' in step) await node.order(step.order);
          else await step.stimulus({ dir, nodeId: 'node-a', node, ...(pair ? { pair } : {}) });
        }
        return this.compare(c.expect, node, pair);
      } catch (error) {
        return `threw: ${describeError(error)}`;
      } finally {
        await (pair ? pair.stop() : node.stop()).catch(() => undefined);
        // A test pair's nodes make their own temp data folders: remove them with the case.
        if (pair) for (const n of [pair.a, pair.b]) fs.rmSync(n.engine.dataDir, { recursive: true, force: true });
      }
    });
  }

  private compare(expect: BehaviourExpectation, node: TestNode, pair: TestPair | undefined): string | undefined {
    const diffs: string[] = [];
    if (expect.events !== undefined) {
      const own = node.events.filter((e) => e.owner === this.plugin.name).map((e) => e.id);
      if (!sameList(own, expect.events)) {
        diffs.push(`events: expected [${expect.events.join(', ')}], got [${own.join(', ')}] (every event of the node: ${node.eventIds().join(', ') || 'none'})`);
      }
    }
    if (expect.status !== undefined && node.engine.status !== expect.status) {
      diffs.push(`status: expected ${expect.status}, got ${node.engine.status}`);
    }
    if (expect.role !== undefined && node.engine.role !== expect.role) diffs.push(`role: expected ${expect.role}, got ${node.engine.role}`);
    if (expect.primary !== undefined) {
      const primary = pair?.primary()?.engine.nodeId ?? 'none';
      if (primary !== expect.primary) diffs.push(`primary: expected ${expect.primary}, got ${primary}`);
    }
    return diffs.length === 0 ? undefined : diffs.join('; ');
  }
}

function globalFramework(name: 'describe' | 'it'): Framework | undefined {
  const fn = (globalThis as Record<string, unknown>)[name];
  return typeof fn === 'function' ? (fn as Framework) : undefined;
}

function handoffRegistry(): Map<string, Plugin> {
  const g = globalThis as unknown as Record<symbol, Map<string, Plugin> | undefined>;
  return (g[HANDOFF] ??= new Map());
}

function resolveValue<T>(value: Value<T>, ctx: CaseContext): T {
  return typeof value === 'function' ? (value as (ctx: CaseContext) => T)(ctx) : value;
}

/** A fresh temp folder for one case, removed afterwards whatever happens. */
async function withDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-plugin-tester-'));
  try {
    return await fn(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function caseName(options: unknown): string {
  if (typeof options === 'function') return 'options from a function';
  const json = JSON.stringify(options) ?? String(options);
  return json.length > 80 ? `${json.slice(0, 80)}…` : json;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function bullets(lines: readonly string[]): string {
  return lines.map((l) => `  - ${l}`).join('\n');
}

function throwFailures(results: CaseResult[]): void {
  const failed = results.filter((r) => r.failure !== undefined);
  if (failed.length === 0) return;
  throw new PluginTesterError(
    'SWY_ERR_TESTER_FAILED',
    `${failed.length} of ${results.length} case${results.length === 1 ? '' : 's'} failed:\n${failed.map((r) => `${r.kind} "${r.name}": ${r.failure}`).join('\n')}`,
  );
}
