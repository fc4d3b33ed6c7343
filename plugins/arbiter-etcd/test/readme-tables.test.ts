import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { firstColumn, markdownTables } from '@switchyard/sdk/testing';
import { ETCD_ARBITER_EVENTS, ETCD_ERROR_CODES, etcdArbiterOptionsSchema } from '../src/index';

const DOCS = path.resolve(__dirname, '../../../docs/operator');
const SECTION = 'etcd arbiter (`@switchyard/plugin-arbiter-etcd`)';

/** The operator docs document the etcd arbiter: their tables must say what the code says. */
describe('operator docs tables match the etcd arbiter', () => {
  it('docs/operator/deploy.md: the options table lists exactly the options of arbiter kind etcd', () => {
    const [table] = markdownTables(path.join(DOCS, 'deploy.md'), 'etcd arbiter options');
    expect(firstColumn(table!).sort()).toEqual(Object.keys(etcdArbiterOptionsSchema.shape).map((k) => `arbiter.${k}`).sort());
  });

  it('docs/operator/events.md: the log-event table lists exactly its events, with their levels', () => {
    const [table] = markdownTables(path.join(DOCS, 'events.md'), SECTION);
    expect(table?.map(([id, level]) => [id, level])).toEqual(ETCD_ARBITER_EVENTS.map((e) => [e.id, e.level]));
  });

  it('docs/operator/errors.md: the error-code table lists exactly its codes, with the remedies it prints', () => {
    const [table] = markdownTables(path.join(DOCS, 'errors.md'), SECTION);
    expect(table?.map(([code, remedy]) => [code!.replace(/`/g, ''), remedy])).toEqual(Object.entries(ETCD_ERROR_CODES));
  });
});
