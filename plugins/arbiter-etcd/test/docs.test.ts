import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ETCD_ERROR_CODES } from '../src/index';

const readme = fs.readFileSync(path.resolve(__dirname, '../README.md'), 'utf8');

describe('README matches the etcd election', () => {
  it('lists every error code in its table', () => {
    expect(Object.keys(ETCD_ERROR_CODES).filter((code) => !readme.includes(`| \`${code}\` |`))).toEqual([]);
  });
});
