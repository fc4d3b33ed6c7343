import fs from 'node:fs';
import path from 'node:path';
import { assertBuilt, runCli } from '@switchyard/sdk/testing';
import { describe, expect, it } from 'vitest';

const DIR = path.resolve(__dirname, '..');

describe('the example config', () => {
  it('switchyard validate accepts it, with the plugin found by its package name and the alarm-file reaction', async () => {
    assertBuilt();
    // The config names the plugin by package name, which resolves to the built dist/ (npm test builds first).
    expect(fs.existsSync(path.join(DIR, 'dist', 'index.js'))).toBe(true);
    const result = await runCli(['validate', '--config', path.join(DIR, 'switchyard.config.ts')], { cwd: DIR });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('is valid: cluster disk-demo, nodes node-a + node-b (single host), arbiter embedded');
    expect(result.stdout).toContain('plugins: @acme/switchyard-disk-space, alarms: 1 condition, 1 reaction');
  });
});
