import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertBuilt, tempDir } from '../src/testing/processes';

const coreDir = path.resolve(__dirname, '..');
const manifest = JSON.parse(fs.readFileSync(path.join(coreDir, 'package.json'), 'utf8')) as {
  version: string;
  bin: Record<string, string>;
  files: string[];
};
const bin = path.resolve(coreDir, manifest.bin.switchyard!);

/** Runs `file` itself (its shebang and executable bit), as npx does through node_modules/.bin. */
const run = (file: string, args: string[]) => spawnSync(file, args, { encoding: 'utf8', timeout: 20_000 });

describe('the switchyard command (core/package.json bin)', () => {
  it('is a committed file, not a build output, so npm links it at install time', () => {
    const relative = path.relative(coreDir, bin);
    expect(relative.split(path.sep)[0]).not.toBe('dist');
    expect(fs.existsSync(bin)).toBe(true);
    expect(fs.statSync(bin).mode & 0o111).toBe(0o111);
    expect(fs.readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    // …and it is published with the package
    expect(manifest.files).toContain(relative.split(path.sep)[0]);
  });

  it('runs the built CLI: --version prints the package version', () => {
    assertBuilt();
    const result = run(bin, ['--version']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe(manifest.version);
  });

  it('says how to build, and exits 2, when dist/ is missing', () => {
    const dir = tempDir('switchyard-bin-');
    try {
      const copy = path.join(dir, 'bin', path.basename(bin));
      fs.mkdirSync(path.dirname(copy));
      fs.copyFileSync(bin, copy);
      fs.chmodSync(copy, 0o755);
      const result = run(copy, ['status']);
      expect(result.status).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe('switchyard: not built yet — run `npm run build` (or `npm start`) in the repository first\n');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
