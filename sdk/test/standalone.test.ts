import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SDK_DIR = path.resolve(__dirname, '..');

/** Runs a script in a fresh Node process with nothing preloaded (no reflect-metadata), from the SDK's folder. */
function fresh(script: string): string {
  return execFileSync(process.execPath, ['-e', script], { cwd: SDK_DIR, encoding: 'utf8', timeout: 30_000 }).trim();
}

describe('the SDK stands alone', () => {
  it('a plugin test harness runs with nothing preloaded: the SDK brings the Reflect polyfill tsyringe needs', () => {
    const out = fresh(`
      const { createTestNode, definePlugin } = require('@switchyard/sdk');
      const plugin = definePlugin({ name: 'probe', version: '0.0.1', apply() {} });
      const node = createTestNode({ plugins: [plugin] });
      node.start().then(() => node.stop()).then(() => console.log('started and stopped'));
    `);
    expect(out).toBe('started and stopped');
  });

  it('so do the testing and network entries when they load first', () => {
    expect(fresh(`require('@switchyard/sdk/testing'); console.log(typeof Reflect.getMetadata)`)).toBe('function');
    expect(fresh(`require('@switchyard/sdk/network'); console.log(typeof Reflect.getMetadata)`)).toBe('function');
  });

  it('gives a plugin package `npx switchyard`: the bin of the SDK runs the CLI', () => {
    const out = execFileSync(process.execPath, [path.join(SDK_DIR, 'bin', 'switchyard.js'), '--version'], { encoding: 'utf8', timeout: 30_000 }).trim();
    expect(out).toBe((JSON.parse(readFileSync(path.join(SDK_DIR, '..', 'core', 'package.json'), 'utf8')) as { version: string }).version);
  });
});
