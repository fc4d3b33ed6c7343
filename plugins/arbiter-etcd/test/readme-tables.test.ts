import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { firstColumn, markdownTables } from '@switchyard/sdk/testing';
import { ETCD_ARBITER_EVENTS, ETCD_ERROR_CODES, etcdArbiterOptionsSchema } from '../src/index';

const README = path.resolve(__dirname, '../../../README.md');

/** The repository README documents the etcd arbiter for operators: its tables must say what the code says. */
describe('README tables match the etcd arbiter', () => {
  it('the options table lists exactly the options of arbiter kind etcd', () => {
    const [table] = markdownTables(README, 'etcd arbiter options');
    expect(firstColumn(table!).sort()).toEqual(Object.keys(etcdArbiterOptionsSchema.shape).map((k) => `arbiter.${k}`).sort());
  });

  it('the log-event table lists exactly its events, with their levels', () => {
    const tables = markdownTables(README, 'Log events');
    const table = tables.find((t) => firstColumn(t).some((id) => id.startsWith('01-3')));
    expect(table?.map(([id, level]) => [id, level])).toEqual(ETCD_ARBITER_EVENTS.map((e) => [e.id, e.level]));
  });

  it('the error-code table lists exactly its codes, with the remedies it prints', () => {
    const table = markdownTables(README, 'Error codes').find((t) => firstColumn(t).some((c) => c.startsWith('SWY_ERR_ETCD_')));
    expect(table?.map(([code, remedy]) => [code!.replace(/`/g, ''), remedy])).toEqual(Object.entries(ETCD_ERROR_CODES));
  });
});
