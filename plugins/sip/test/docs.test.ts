import fs from 'node:fs';
import path from 'node:path';
import { firstColumn, markdownTables } from '@switchyard/sdk/testing';
import { describe, expect, it } from 'vitest';
import { SIP_ERROR_CODES, SIP_EVENTS, sipNodeSchema, sipOptionsSchema } from '../src/index';
import { SIP_PARSE_ERROR_CODES } from '../src/message';

const README = path.resolve(__dirname, '../README.md');

/** The object shape inside a zod schema (through defaults, optionals and pipes), or undefined for a leaf. */
function shapeOf(schema: unknown): Record<string, unknown> | undefined {
  let def = (schema as { _zod?: { def?: Record<string, unknown> } })?._zod?.def;
  while (def && !def.shape && (def.innerType || def.in)) def = ((def.innerType ?? def.in) as { _zod: { def: Record<string, unknown> } })._zod.def;
  return def?.shape as Record<string, unknown> | undefined;
}

/** Every leaf option as a dotted path (`registrar.maxBindings`). */
function optionPaths(schema: unknown, prefix = ''): string[] {
  return Object.entries(shapeOf(schema) ?? {}).flatMap(([key, value]) => (shapeOf(value) ? optionPaths(value, `${prefix}${key}.`) : [`${prefix}${key}`]));
}

/** `registrar.defaultExpires / minExpires / maxExpires` → the three paths. */
function documentedPaths(cell: string): string[] {
  const [first, ...rest] = cell.split(' / ');
  const prefix = first!.includes('.') ? first!.slice(0, first!.lastIndexOf('.') + 1) : '';
  return [first!, ...rest.map((r) => `${prefix}${r}`)];
}

describe('README of the SIP plugin matches the code', () => {
  it('the event table lists exactly the SIP events, with their levels', () => {
    const [table] = markdownTables(README, 'Events');
    expect(firstColumn(table!)).toEqual(SIP_EVENTS.map((e) => e.id));
    for (const [id, level] of table!) expect(level, id).toBe(SIP_EVENTS.find((e) => e.id === id)?.level);
  });

  it('the error table lists exactly the codes, each with the remedy the error carries', () => {
    const [table] = markdownTables(README, 'Error codes');
    expect(firstColumn(table!)).toEqual(Object.keys(SIP_ERROR_CODES));
    for (const [code, remedy] of table!) expect(remedy, code).toBe(SIP_ERROR_CODES[code!.replace(/`/g, '') as keyof typeof SIP_ERROR_CODES]);
  });

  it('the parse-error sentence lists exactly the parse codes', () => {
    const sentence = fs.readFileSync(README, 'utf8').split('\n').find((l) => l.startsWith('SIP parse errors'));
    const listed = [...sentence!.slice(sentence!.indexOf(':')).matchAll(/`([A-Z_]+)`/g)].map((m) => `SIP_PARSE_${m[1]}`);
    expect(listed.slice(0, SIP_PARSE_ERROR_CODES.length)).toEqual([...SIP_PARSE_ERROR_CODES]);
  });

  it('the option table lists exactly the options and the node section', () => {
    const [table] = markdownTables(README, 'Options');
    const documented = firstColumn(table!).flatMap(documentedPaths);
    const expected = [...optionPaths(sipOptionsSchema), ...Object.keys(shapeOf(sipNodeSchema)!).map((k) => `nodes[].sip.${k}`)];
    expect([...documented].sort()).toEqual([...expected].sort());
  });
});
