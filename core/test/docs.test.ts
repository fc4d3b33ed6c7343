import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/errors';
import { CORE_EVENTS } from '../src/events/core-events';
import { createEngineHooks } from '../src/engine/hooks';
import { firstColumn, markdownTables } from '../src/testing/docs';

const README = path.resolve(__dirname, '../../README.md');

/** The README is the operator's reference: its tables must say what the code says. */
describe('README tables match the code', () => {
  it('the error-code table lists exactly the core codes, each with the remedy the CLI prints', () => {
    const [table] = markdownTables(README, 'Error codes');
    expect(firstColumn(table!)).toEqual(Object.keys(ERROR_CODES));
    for (const [code, remedy] of table!) expect(remedy, code).toBe(ERROR_CODES[code!.replace(/`/g, '') as keyof typeof ERROR_CODES]);
  });

  it('the log-event table lists exactly the core events, with their levels', () => {
    const [table] = markdownTables(README, 'Log events');
    expect(firstColumn(table!).sort()).toEqual(CORE_EVENTS.map((e) => e.id).sort());
    const levels = new Map(CORE_EVENTS.map((e) => [e.id, e.level]));
    for (const [id, level] of table!) expect(level, id).toBe(levels.get(id!));
  });

  it('the hooks table lists exactly the engine hooks', () => {
    const [table] = markdownTables(README, 'Hooks');
    const documented = firstColumn(table!).flatMap((cell) => cell.split('/').map((name) => name.trim()));
    expect(documented.sort()).toEqual(Object.keys(createEngineHooks()).sort());
  });
});
