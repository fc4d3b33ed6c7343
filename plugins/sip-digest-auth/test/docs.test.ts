import path from 'node:path';
import { firstColumn, markdownTables } from '@switchyard/sdk/testing';
import { describe, expect, it } from 'vitest';
import { DIGEST_ERROR_CODES, DIGEST_EVENTS, digestOptionsSchema } from '../src/index';

const README = path.resolve(__dirname, '../README.md');

describe('README of sip-digest-auth matches the code', () => {
  it('the event table lists exactly the plugin events, with their levels', () => {
    const [table] = markdownTables(README, 'Events');
    expect(firstColumn(table!)).toEqual(DIGEST_EVENTS.map((e) => e.id));
    for (const [id, level] of table!) expect(level, id).toBe(DIGEST_EVENTS.find((e) => e.id === id)?.level);
  });

  it('the option table lists exactly the options, with the defaults the schema applies', () => {
    const [table] = markdownTables(README, 'Options');
    expect(firstColumn(table!)).toEqual(Object.keys(digestOptionsSchema.shape));
    const defaults = digestOptionsSchema.parse({ realm: 'r' }) as Record<string, unknown>;
    for (const [option, , typeAndDefault] of table!) {
      const key = option!.replace(/`/g, '');
      const value = defaults[key];
      if (value === undefined || key === 'realm') continue; // realm has no default (the 'r' given here)
      const shown = Array.isArray(value) ? `[${value.map((v) => `'${String(v)}'`).join(', ')}]` : typeof value === 'string' ? `'${value}'` : String(value);
      expect(typeAndDefault!.replace(/,(?=\d{3})/g, ''), option).toContain(`\`${shown}\``);
    }
  });

  it('the error table lists exactly the codes, each with the remedy the error carries', () => {
    const [table] = markdownTables(README, 'Error codes');
    expect(firstColumn(table!)).toEqual(Object.keys(DIGEST_ERROR_CODES));
    for (const [code, remedy] of table!) expect(remedy, code).toBe(DIGEST_ERROR_CODES[code!.replace(/`/g, '') as keyof typeof DIGEST_ERROR_CODES]);
  });
});

describe('the operator docs list the plugin in their reference tables', () => {
  const DOCS = path.resolve(__dirname, '../../../docs/operator');
  const SECTION = 'SIP digest authentication (`@switchyard/plugin-sip-digest-auth`)';

  it('docs/operator/events.md has the events with their levels', () => {
    const [table] = markdownTables(path.join(DOCS, 'events.md'), SECTION);
    expect(firstColumn(table!)).toEqual(DIGEST_EVENTS.map((e) => e.id));
    for (const [id, level] of table!) expect(level, id).toBe(DIGEST_EVENTS.find((e) => e.id === id)?.level);
  });

  it('docs/operator/errors.md has the codes with their remedies', () => {
    const [table] = markdownTables(path.join(DOCS, 'errors.md'), SECTION);
    expect(firstColumn(table!)).toEqual(Object.keys(DIGEST_ERROR_CODES));
    for (const [code, remedy] of table!) expect(remedy, code).toBe(DIGEST_ERROR_CODES[code!.replace(/`/g, '') as keyof typeof DIGEST_ERROR_CODES]);
  });
});
