import path from 'node:path';
import { firstColumn, markdownTables } from '@switchyard/sdk/testing';
import { describe, expect, it } from 'vitest';
import { PASS_CHECK_EVENTS, passCheckOptionsSchema, serviceDeviceSchema } from '../src/index';

const README = path.resolve(__dirname, '../README.md');

/** The keys of a zod object schema (through defaults and pipes). */
function keysOf(schema: unknown): string[] {
  let def = (schema as { _zod: { def: Record<string, unknown> } })._zod.def;
  while (!def.shape && (def.innerType || def.in)) def = ((def.innerType ?? def.in) as { _zod: { def: Record<string, unknown> } })._zod.def;
  return Object.keys(def.shape as object);
}

describe('README of sip-pass-check matches the code', () => {
  it('the event table lists exactly the plugin events, with their levels', () => {
    const [table] = markdownTables(README, 'Events');
    expect(firstColumn(table!)).toEqual(PASS_CHECK_EVENTS.map((e) => e.id));
    for (const [id, level] of table!) expect(level, id).toBe(PASS_CHECK_EVENTS.find((e) => e.id === id)?.level);
  });

  it('the option table lists exactly the options, each device key with its classic name', () => {
    const [table] = markdownTables(README, 'Options');
    expect(firstColumn(table!)).toEqual([...keysOf(passCheckOptionsSchema), ...keysOf(serviceDeviceSchema).map((k) => `serviceDevices[].${k}`)]);
    const classic = Object.fromEntries(table!.map((r) => [r[0]!.replace(/`/g, ''), r[1]]));
    expect(classic['serviceDevices[].oosCheck']).toBe('`oos-check`');
    expect(classic['serviceDevices[].oosForce']).toBe('`oos-force`');
  });
});
