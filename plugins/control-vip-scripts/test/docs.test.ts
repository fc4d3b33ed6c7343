import path from 'node:path';
import { firstColumn, markdownTables } from '@switchyard/sdk/testing';
import { describe, expect, it } from 'vitest';
import { CONTROL_VIP_EVENTS, controlVipOptionsSchema } from '../src/index';

const README = path.resolve(__dirname, '../README.md');

describe('README of control-vip-scripts matches the code', () => {
  it('the event table lists exactly the plugin events, with their levels', () => {
    const [table] = markdownTables(README, 'Events');
    expect(firstColumn(table!)).toEqual(CONTROL_VIP_EVENTS.map((e) => e.id));
    for (const [id, level] of table!) expect(level, id).toBe(CONTROL_VIP_EVENTS.find((e) => e.id === id)?.level);
  });

  it('the option table lists exactly the options (none)', () => {
    const [table] = markdownTables(README, 'Options');
    expect(firstColumn(table ?? [])).toEqual(Object.keys(controlVipOptionsSchema.shape));
  });
});
