import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { haLinkSchema, supervisorSchema } from '../src/config/schema';
import { round, embeddedArbiterOptionsSchema } from '../src/supervisor/embedded-kind';
import { markdownTables } from '../src/testing/docs';

const ROOT = path.resolve(__dirname, '../..');
const README = path.join(ROOT, 'README.md');
const CONFIGURE = path.join(ROOT, 'docs/operator/configure.md');

/** What the schemas fill in when a config leaves failure detection out. */
function schemaDefaults(): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, value] of Object.entries(embeddedArbiterOptionsSchema.parse({}))) if (typeof value === 'number') out.set(`arbiter.${key}`, value);
  for (const [key, value] of Object.entries(haLinkSchema.parse({}))) if (typeof value === 'number') out.set(`haLink.${key}`, value);
  out.set('supervisor.exitPoll', supervisorSchema.parse({}).exitPoll);
  return out;
}

const plain = (cell: string) => cell.replace(/`/g, '').trim();

describe("the README's failure-detection defaults", () => {
  it('the table gives the defaults the config schema fills in, and configure.md gives the same', () => {
    const [table] = markdownTables(README, 'Failure detection: defaults and timing rules');
    const defaults = schemaDefaults();
    const rows = table!.map(([key, value]) => [plain(key!), plain(value!)] as const);
    expect(rows.map(([key]) => key)).toEqual(['arbiter.switchTimeout', 'arbiter.startupTimeout', 'haLink.heartbeatInterval', 'haLink.missedHeartbeats', 'supervisor.exitPoll']);
    const [reference] = markdownTables(CONFIGURE, 'Configuration reference');
    const documented = new Map(reference!.map(([key, typeAndDefault]) => [plain(key!), plain(typeAndDefault!)]));
    for (const [key, value] of rows) {
      const expected = defaults.get(key);
      expect(expected, `${key} has a numeric default in the schema`).toBeTypeOf('number');
      expect(value.replace(/ s$/, ''), key).toBe(String(expected));
      expect(documented.get(key), `configure.md's ${key}`).toMatch(new RegExp(`, ${String(expected).replace('.', '\\.')}$`));
    }
  });

  it('the timing rule the README states holds at the defaults, with the figures it gives: the HA link counts a silent peer down before the arbiter switches', () => {
    const d = schemaDefaults();
    const linkDown = round(d.get('haLink.heartbeatInterval')! * d.get('haLink.missedHeartbeats')!);
    expect(linkDown).toBeLessThan(d.get('arbiter.switchTimeout')!);
    const [, rules] = markdownTables(README, 'Failure detection: defaults and timing rules');
    expect(rules!.map(([rule, atDefaults]) => [plain(rule!).split(':')[0], plain(atDefaults!)])).toEqual([
      ['haLink.heartbeatInterval × haLink.missedHeartbeats < arbiter.switchTimeout', `${linkDown} s < ${d.get('arbiter.switchTimeout')} s`],
    ]);
  });
});
