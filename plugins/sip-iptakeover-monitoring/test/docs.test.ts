import path from 'node:path';
import { firstColumn, markdownTables } from '@switchyard/sdk/testing';
import { describe, expect, it } from 'vitest';
import { VIP_ERROR_CODES, VIP_EVENTS, vipOptionsSchema } from '../src/index';

const README = path.resolve(__dirname, '../README.md');

describe('README of sip-iptakeover-monitoring matches the code', () => {
  it('the event table lists exactly the plugin events (the classic ids), with their levels', () => {
    const [table] = markdownTables(README, 'Events');
    expect(firstColumn(table!)).toEqual(VIP_EVENTS.map((e) => e.id));
    expect(firstColumn(table!)).toEqual(['00-52029', '00-52030']);
    for (const [id, level] of table!) expect(level, id).toBe(VIP_EVENTS.find((e) => e.id === id)?.level);
  });

  it('the option table lists exactly the options, in schema order, with their defaults', () => {
    const [table] = markdownTables(README, 'Options');
    const shape = (vipOptionsSchema as unknown as { _zod: { def: { in?: { shape: object }; shape?: object } } })._zod.def;
    expect(firstColumn(table!)).toEqual(Object.keys(shape.shape ?? shape.in!.shape));
    const defaults = vipOptionsSchema.parse({ vip: '198.51.100.100/24' });
    for (const key of ['checkInterval', 'attempts', 'gratuitousArp'] as const) {
      expect(table!.find((r) => r[0] === `\`${key}\``)?.[2], key).toContain(`\`${String(defaults[key])}\``);
    }
  });

  it('the error table lists exactly the codes, each with the remedy the error carries', () => {
    const [table] = markdownTables(README, 'Error codes');
    expect(firstColumn(table!)).toEqual(Object.keys(VIP_ERROR_CODES));
    for (const [code, remedy] of table!) expect(remedy, code).toBe(VIP_ERROR_CODES[code!.replace(/`/g, '') as keyof typeof VIP_ERROR_CODES]);
  });
});
