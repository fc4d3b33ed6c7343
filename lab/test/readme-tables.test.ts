import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { firstColumn, markdownTables } from '@switchyard/core/testing';
import { LAB_ERROR_CODES } from '../src/index';

const README = path.resolve(__dirname, '../../README.md');

describe('README tables match the lab', () => {
  it('the lab error-code table lists exactly its codes, with their remedies', () => {
    const table = markdownTables(README, 'Error codes').find((t) => firstColumn(t).some((c) => c.startsWith('SWY_ERR_LAB_')));
    expect(table?.map(([code, remedy]) => [code!.replace(/`/g, ''), remedy])).toEqual(Object.entries(LAB_ERROR_CODES));
  });
});
