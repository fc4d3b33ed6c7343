import path from 'node:path';
import { firstColumn, markdownTables } from '@switchyard/sdk/testing';
import { describe, expect, it } from 'vitest';
import { TLIB_NIC_EVENTS, tlibNicOptionsSchema } from '../src/index';

const README = path.resolve(__dirname, '../README.md');

describe('README of tlib-nicmonitoring matches the code', () => {
  it('the event table lists exactly the plugin events, with their levels', () => {
    const [table] = markdownTables(README, 'Events');
    expect(firstColumn(table!)).toEqual(TLIB_NIC_EVENTS.map((e) => e.id));
    for (const [id, level] of table!) expect(level, id).toBe(TLIB_NIC_EVENTS.find((e) => e.id === id)?.level);
  });

  it('the option table lists exactly the options', () => {
    const [table] = markdownTables(README, 'Options');
    expect(firstColumn(table!)).toEqual(Object.keys(tlibNicOptionsSchema.shape));
  });
});
