import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { markdownTables } from '@switchyard/core/testing';
import { LAB_ERROR_CODES } from '../src/index';

const ERRORS = path.resolve(__dirname, '../../docs/operator/errors.md');

describe('docs/operator/errors.md matches the lab', () => {
  it('the lab error-code table lists exactly its codes, with their remedies', () => {
    const [table] = markdownTables(ERRORS, 'Two-host lab (`@switchyard/lab`, `switchyard-lab`)');
    expect(table?.map(([code, remedy]) => [code!.replace(/`/g, ''), remedy])).toEqual(Object.entries(LAB_ERROR_CODES));
  });
});
