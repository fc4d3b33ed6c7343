import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runBounded } from '@switchyard/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '@switchyard/core/testing';

const SDK = path.resolve(__dirname, '..');
const VITEST = path.join(path.dirname(require.resolve('vitest/package.json')), 'vitest.mjs');
const SHARED = path.resolve(SDK, '../vitest.shared.mts');
const FIXTURE = path.join(__dirname, 'fixtures', 'harness-cleanup.fixture.ts');

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function workDir(): string {
  const dir = tempDir('switchyard-harness-cleanup-test-');
  made.push(dir);
  return dir;
}

interface Report {
  dirs: string[];
  nodes: number;
}

describe('the shared vitest setup cleans up after the SDK test harness', () => {
  it.each(['forks', 'threads'])(
    'a %s worker whose test failed with test nodes running and temp folders made leaves none behind',
    async (pool) => {
      const work = workDir();
      const report = path.join(work, 'report.json');
      // The repository's shared config (its setup files included), running only the fixture.
      const config = path.join(work, 'vitest.config.mjs');
      fs.writeFileSync(
        config,
        [
          `import { packageTestConfig } from ${JSON.stringify(SHARED)};`,
          `const config = packageTestConfig({ externalDist: true });`,
          `config.test.root = ${JSON.stringify(SDK)};`,
          `config.test.include = [${JSON.stringify(path.relative(SDK, FIXTURE))}];`,
          `export default config;`,
        ].join('\n'),
      );
      process.env.SWITCHYARD_HARNESS_CLEANUP_REPORT = report;
      try {
        const r = await runBounded(process.execPath, [VITEST, 'run', '--config', config, '--pool', pool], { cwd: SDK, timeoutMs: 60_000 });
        const output = r.stdout + r.stderr;
        expect(r.code, output).toBe(1);
        expect(output).toContain('failing on purpose');
        expect(output).toMatch(/1 failed/);
      } finally {
        delete process.env.SWITCHYARD_HARNESS_CLEANUP_REPORT;
      }
      const made = JSON.parse(fs.readFileSync(report, 'utf8')) as Report;
      // Four nodes' data folders and the test's own temp folder, all made in the OS temp folder...
      expect(made.nodes).toBe(4);
      expect(made.dirs).toHaveLength(5);
      expect(made.dirs.filter((d) => path.basename(d).startsWith('switchyard-test-node-'))).toHaveLength(4);
      // ...are gone, and every started node was stopped (its plugins' stop hooks ran).
      expect(made.dirs.filter((d) => fs.existsSync(d))).toEqual([]);
      expect(fs.readFileSync(path.join(work, 'stopped.log'), 'utf8').trim().split('\n').sort()).toEqual(['node-a', 'node-b', 'solo']);
    },
  );

  it('outside vitest, what is left is removed when the process exits', async () => {
    const script = `
      const { createTestNode } = require('@switchyard/sdk');
      const { tempDir } = require('@switchyard/sdk/testing');
      const node = createTestNode({ plugins: [] });
      node.start().then(() => {
        const dir = tempDir('switchyard-harness-cleanup-');
        console.log(JSON.stringify([dir, node.engine.dataDir]));
      });
    `;
    const r = await runBounded(process.execPath, ['-e', script], { cwd: SDK, timeoutMs: 30_000 });
    expect(r.code, r.stderr).toBe(0);
    const dirs = JSON.parse(r.stdout) as string[];
    expect(dirs).toHaveLength(2);
    expect(dirs.every((d) => path.dirname(d) === os.tmpdir())).toBe(true);
    expect(dirs.filter((d) => fs.existsSync(d))).toEqual([]);
  });
});
