import path from 'node:path';
import { firstColumn, markdownTables } from '@switchyard/sdk/testing';
import { describe, expect, it } from 'vitest';
import { SIP_NIC_ERROR_CODES, SIP_NIC_EVENTS, sipNicNodeSchema, sipNicOptionsSchema } from '../src/index';

const README = path.resolve(__dirname, '../README.md');

describe('README of sip-nic-monitoring matches the code', () => {
  it('the event table lists exactly the plugin events (the classic ids), with their levels', () => {
    const [table] = markdownTables(README, 'Events');
    expect(firstColumn(table!)).toEqual(SIP_NIC_EVENTS.map((e) => e.id));
    expect(firstColumn(table!)).toEqual(['00-52027', '00-52028']);
    for (const [id, level] of table!) expect(level, id).toBe(SIP_NIC_EVENTS.find((e) => e.id === id)?.level);
  });

  it('the option table lists the options and the node section, each with its classic name', () => {
    const [table] = markdownTables(README, 'Options');
    expect(firstColumn(table!)).toEqual([...Object.keys(sipNicOptionsSchema.shape), ...Object.keys(sipNicNodeSchema.shape).map((k) => `nodes[].sipNic.${k}`)]);
    expect(table!.find((r) => r[0] === '`nodes[].sipNic.address`')?.[1]).toBe('`sip-nic-address`');
  });

  it('the error table lists exactly the codes, each with the remedy the error carries', () => {
    const [table] = markdownTables(README, 'Error codes');
    expect(firstColumn(table!)).toEqual(Object.keys(SIP_NIC_ERROR_CODES));
    for (const [code, remedy] of table!) expect(remedy, code).toBe(SIP_NIC_ERROR_CODES[code!.replace(/`/g, '') as keyof typeof SIP_NIC_ERROR_CODES]);
  });
});
