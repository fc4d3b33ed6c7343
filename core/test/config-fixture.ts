import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { ConfigInvalidError, type ConfigIssue, type ErrorCode, type PluginErrorCode } from '../src/errors';

/** Temp folders with config files and fixture plugins, for the config-*.test.ts files. */

export const CORE_DIR = path.resolve(__dirname, '..');
/** Absolute path of core's zod, so fixture plugins outside the repo can build schemas. */
export const ZOD_PATH = createRequire(path.join(CORE_DIR, 'package.json')).resolve('zod');
/** Absolute path of the schema module (for `defineConfig` in TS fixtures), without extension. */
export const SCHEMA_PATH = path.join(CORE_DIR, 'src', 'config', 'schema');

const made: string[] = [];

export async function makeDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'swy-config-'));
  made.push(dir);
  return dir;
}

export async function removeDirs(): Promise<void> {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

export async function write(dir: string, file: string, content: string | object): Promise<string> {
  const full = path.join(dir, file);
  await mkdir(path.dirname(full), { recursive: true });
  await writeFile(full, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return full;
}

/** A valid single-host pair; spread and override to make one mistake. */
export function pairConfig(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    cluster: 'demo',
    nodes: [
      { id: 'a', host: '127.0.0.1', haPort: 7401, priority: 100 },
      { id: 'b', host: '127.0.0.1', haPort: 7402 },
    ],
    ...extra,
  };
}

export interface FixturePlugin {
  name: string;
  /** JS expression for the options schema, with `z` in scope; omitted → no options. */
  options?: string;
  requires?: string[];
}

function pluginObject(p: FixturePlugin): string {
  return `{
    [Symbol.for('switchyard:plugin')]: true,
    name: ${JSON.stringify(p.name)},
    version: '1.0.0',
    ${p.options ? `options: ${p.options},` : ''}
    ${p.requires ? `requires: { plugins: ${JSON.stringify(p.requires)} },` : ''}
    apply() {},
  }`;
}

/** A CommonJS plugin module, built by hand with the plugin brand (what definePlugin produces). */
export function cjsPlugin(p: FixturePlugin): string {
  return `const { z } = require(${JSON.stringify(ZOD_PATH)});\nmodule.exports = ${pluginObject(p)};\n`;
}

/** An ES module plugin with a default export. */
export function esmPlugin(p: FixturePlugin): string {
  return (
    `import { createRequire } from 'node:module';\n` +
    `const { z } = createRequire(import.meta.url)(${JSON.stringify(ZOD_PATH)});\n` +
    `export default ${pluginObject(p)};\n`
  );
}

/** The standard options schema of the fixture plugins. */
export const DEMO_OPTIONS = `z.strictObject({ threshold: z.number().int().min(1).default(3), target: z.string().optional() })`;

/** Awaits a rejection and returns it as a ConfigInvalidError (fails the test otherwise). */
export async function configError(promise: Promise<unknown>): Promise<ConfigInvalidError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigInvalidError);
  return error as ConfigInvalidError;
}

/** Asserts that the error has an issue at `path` with `code`, and returns it. */
export function issueAt(error: ConfigInvalidError, path: string, code: ErrorCode | PluginErrorCode): ConfigIssue {
  const issue = error.issues.find((i) => i.path === path);
  expect(issue, `no issue at ${path}; issues: ${JSON.stringify(error.issues, null, 2)}`).toBeDefined();
  expect(issue!.code).toBe(code);
  return issue!;
}
