import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/errors';
import { CORE_EVENTS } from '../src/events/core-events';
import { createEngineHooks } from '../src/engine/hooks';

const readme = fs.readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');

/** The README is the operator's reference: it must list what the code can say. */
describe('README matches the code', () => {
  it('lists every error code', () => {
    const missing = Object.keys(ERROR_CODES).filter((code) => !readme.includes(`\`${code}\``));
    expect(missing).toEqual([]);
  });
  it('lists every core log-event id', () => {
    const missing = CORE_EVENTS.map((e) => e.id).filter((id) => !readme.includes(`| ${id} |`));
    expect(missing).toEqual([]);
  });
  it('documents every hook in the hooks table', () => {
    const missing = Object.keys(createEngineHooks()).filter((name) => !readme.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });
});
