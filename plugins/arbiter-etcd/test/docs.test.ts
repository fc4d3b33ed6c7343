import path from 'node:path';
import { firstColumn, markdownTables } from '@switchyard/sdk/testing';
import { describe, expect, it } from 'vitest';
import { ETCD_ARBITER_EVENTS, ETCD_ERROR_CODES } from '../src/index';

const README = path.resolve(__dirname, '../README.md');

describe('README of arbiter-etcd matches the code', () => {
  it('the event table lists exactly its events, with their levels', () => {
    const [table] = markdownTables(README, 'Events');
    expect(table?.map(([id, level]) => [id, level])).toEqual(ETCD_ARBITER_EVENTS.map((e) => [e.id, e.level]));
  });

  it('the error table lists exactly its codes, each with the remedy the error carries', () => {
    const [table] = markdownTables(README, 'Error codes');
    expect(firstColumn(table!)).toEqual(Object.keys(ETCD_ERROR_CODES));
    for (const [code, remedy] of table!) expect(remedy, code).toBe(ETCD_ERROR_CODES[code!.replace(/`/g, '') as keyof typeof ETCD_ERROR_CODES]);
  });
});
