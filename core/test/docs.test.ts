import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/errors';
import { CORE_EVENTS } from '../src/events/core-events';
import { createEngineHooks } from '../src/engine/hooks';
import { firstColumn, markdownTables } from '../src/testing/docs';

const DOCS = path.resolve(__dirname, '../../docs');
const ERRORS = path.join(DOCS, 'operator/errors.md');
const EVENTS = path.join(DOCS, 'operator/events.md');
const HOOKS = path.join(DOCS, 'plugin-authors/hooks.md');

/** The operator and plugin-author docs are the reference: their tables must say what the code says. */
describe('docs tables match the code', () => {
  it('the core error-code table lists exactly the core codes, each with the remedy the CLI prints', () => {
    const [table] = markdownTables(ERRORS, 'Core (`@switchyard/core`)');
    expect(firstColumn(table!)).toEqual(Object.keys(ERROR_CODES));
    for (const [code, remedy] of table!) expect(remedy, code).toBe(ERROR_CODES[code!.replace(/`/g, '') as keyof typeof ERROR_CODES]);
  });

  it('the core log-event table lists exactly the core events, with their levels and messages', () => {
    const [table] = markdownTables(EVENTS, 'Core (`@switchyard/core`)');
    expect(firstColumn(table!)).toEqual(CORE_EVENTS.map((e) => e.id));
    const byId = new Map(CORE_EVENTS.map((e) => [e.id, e]));
    for (const [id, level, message] of table!) {
      expect(level, id).toBe(byId.get(id!)?.level);
      expect(message!.replace(/^`+ ?| ?`+$/g, '').replace(/\\\|/g, '|'), id).toBe(byId.get(id!)?.message);
    }
  });

  it('the hook summary lists exactly the engine hooks, each with its tapable class', () => {
    const [table] = markdownTables(HOOKS, 'Summary');
    const hooks = createEngineHooks() as unknown as Record<string, object>;
    expect(firstColumn(table!)).toEqual(Object.keys(hooks));
    for (const [name, type] of table!) expect(type, name).toBe(hooks[name!.replace(/`/g, '')]!.constructor.name);
  });

  it('the hook reference has a section for each hook naming its type', () => {
    const hooks = createEngineHooks() as unknown as Record<string, object>;
    for (const [name, hook] of Object.entries(hooks)) {
      const [table] = markdownTables(HOOKS, `\`${name}\``);
      expect(table, name).toBeDefined();
      const type = table!.find((row) => row[0] === 'Type');
      expect(type?.[1], name).toContain(`\`${hook.constructor.name}`);
    }
  });
});
