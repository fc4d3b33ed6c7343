import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config';
import { configError, issueAt, makeDir, pairConfig, removeDirs, write, ZOD_PATH } from './config-fixture';

afterEach(removeDirs);

/**
 * A plugin that declares an event (77-00001) and offers the reaction kind
 * `page` ({ url, retries = 3 }); `unsafe: true` is refused with the
 * plugin's own code, as a kind checking a command file would.
 */
const PAGER = `const { z } = require(${JSON.stringify(ZOD_PATH)});
module.exports = {
  [Symbol.for('switchyard:plugin')]: true,
  name: 'pager',
  version: '1.0.0',
  scope: 'supervisor',
  events: [{ id: '77-00001', level: 'warn', message: 'Pager queue full' }],
  alarmReactions: {
    page: {
      options: z.strictObject({ url: z.string().url(), retries: z.number().int().min(0).default(3), unsafe: z.boolean().optional() })
        .superRefine((o, ctx) => {
          if (o.unsafe) ctx.addIssue({ code: 'custom', path: ['unsafe'], message: 'refused: unsafe', params: { code: 'SWY_ERR_PAGER_UNSAFE' } });
        }),
      create() { return {}; },
    },
  },
  apply() {},
};
`;

/** A temp project with the pager plugin (enabled unless `plugins` says otherwise) and these alarms. */
async function load(alarms: unknown, plugins: Record<string, unknown> = { './pager.js': true }, extra: Record<string, unknown> = {}) {
  const dir = await makeDir();
  await write(dir, 'pager.js', PAGER);
  await write(dir, 'switchyard.config.json', pairConfig({ plugins, alarms, ...extra }));
  return loadConfig({ cwd: dir });
}

const PAGE_OPS = { kind: 'page', url: 'https://pager.example/hook' };

describe('alarms in the config', () => {
  it('is empty by default', async () => {
    const v = await load(undefined, {});
    expect(v.config.alarms).toEqual({ conditions: [], reactions: {}, reactionTimeout: 10, historySize: 200 });
    expect(v.alarmReactions).toEqual([]);
  });

  it('accepts core and enabled plugins\' event ids, fills defaults, and resolves each reaction with its kind and parsed options', async () => {
    const v = await load({
      conditions: [
        { id: 'node-died', detect: ['01-10040'], severity: 'major', reactions: ['page-ops'] },
        { id: 'pager-full', detect: ['77-00001'], severity: 'minor', clearAfter: 600, nodes: ['a', 'supervisor'] },
      ],
      reactions: { 'page-ops': PAGE_OPS },
      reactionTimeout: 5,
    });
    expect(v.config.alarms.conditions[0]).toEqual({
      id: 'node-died',
      detect: ['01-10040'],
      cancel: [],
      severity: 'major',
      reactions: ['page-ops'],
      clearanceReactions: [],
    });
    expect(v.config.alarms.reactionTimeout).toBe(5);
    expect(v.alarmReactions.map(({ name, kind, plugin, options }) => ({ name, kind, plugin, options }))).toEqual([
      { name: 'page-ops', kind: 'page', plugin: 'pager', options: { url: 'https://pager.example/hook', retries: 3 } },
    ]);
  });

  it('reports an unknown event id at its key path, with a did-you-mean', async () => {
    const error = await configError(
      load({ conditions: [{ id: 'x', detect: ['01-10040', '01-10400'], cancel: ['77-00002'], severity: 'critical' }] }),
    );
    expect(issueAt(error, 'alarms.conditions[0].detect[1]', 'SWY_ERR_CONFIG_INVALID').message).toBe(
      'unknown log-event id "01-10400"; did you mean "01-10040"?',
    );
    expect(issueAt(error, 'alarms.conditions[0].cancel[0]', 'SWY_ERR_CONFIG_INVALID').message).toBe(
      'unknown log-event id "77-00002"; did you mean "77-00001"?',
    );
    expect(error.message).toContain('Key "alarms.conditions[0].detect[1]": unknown log-event id "01-10400"; did you mean "01-10040"?');
  });

  it('refuses a condition on 01-10080 (the rate-limit summary of the log itself, which no alarm engine ever sees)', async () => {
    const error = await configError(load({ conditions: [{ id: 'flood', detect: ['01-10080'], severity: 'minor' }] }));
    expect(issueAt(error, 'alarms.conditions[0].detect[0]', 'SWY_ERR_CONFIG_INVALID').message).toMatch(/written by the log itself.*would never fire/);
  });

  it('knows a plugin\'s events only while the plugin is enabled, and says so', async () => {
    const error = await configError(load({ conditions: [{ id: 'x', detect: ['99-12345'], severity: 'info' }] }, {}));
    expect(issueAt(error, 'alarms.conditions[0].detect[0]', 'SWY_ERR_CONFIG_INVALID').message).toBe(
      'unknown log-event id "99-12345"; neither core nor an enabled plugin declares it; ' +
        "a plugin's ids are known once it is enabled and lists them in its `events`",
    );
  });

  it('reports malformed ids, empty detect lists, bad severities and unknown keys through the schema', async () => {
    const error = await configError(
      load({ condition: [], conditions: [{ id: 'x', detect: [], severity: 'fatal' }, { id: 'y', detect: ['4200'], severity: 'minor', clearAfter: 0 }] }),
    );
    expect(issueAt(error, 'alarms.condition', 'SWY_ERR_CONFIG_INVALID').message).toBe('unknown key "condition"; did you mean "conditions"?');
    expect(issueAt(error, 'alarms.conditions[0].detect', 'SWY_ERR_CONFIG_INVALID').message).toContain('list at least one log-event id');
    expect(issueAt(error, 'alarms.conditions[0].severity', 'SWY_ERR_CONFIG_INVALID').message).toBe(
      'severity is "critical", "major", "minor" or "info" (got "fatal")',
    );
    expect(issueAt(error, 'alarms.conditions[1].detect[0]', 'SWY_ERR_CONFIG_INVALID').message).toContain('NN-NNNNN');
    expect(issueAt(error, 'alarms.conditions[1].clearAfter', 'SWY_ERR_CONFIG_INVALID').message).toContain('greater than 0');
  });

  it('reports duplicate condition ids, an event in both detect and cancel, and unknown nodes', async () => {
    const error = await configError(
      load({
        conditions: [
          { id: 'x', detect: ['01-10040'], cancel: ['01-10040'], severity: 'critical', nodes: ['b', 'supervsior'] },
          { id: 'x', detect: ['01-10042'], severity: 'critical' },
        ],
      }),
    );
    expect(issueAt(error, 'alarms.conditions[1].id', 'SWY_ERR_CONFIG_INVALID').message).toBe(
      'duplicate condition id "x" (also alarms.conditions[0].id); give each condition its own id',
    );
    expect(issueAt(error, 'alarms.conditions[0].cancel[0]', 'SWY_ERR_CONFIG_INVALID').message).toContain('is also in detect');
    expect(issueAt(error, 'alarms.conditions[0].nodes[1]', 'SWY_ERR_CONFIG_INVALID').message).toBe(
      'unknown node "supervsior"; did you mean "supervisor"?',
    );
  });

  it('reports unknown reaction names at their key path, with a did-you-mean', async () => {
    const error = await configError(
      load({
        conditions: [{ id: 'x', detect: ['01-10040'], severity: 'critical', reactions: ['page-op'], clearanceReactions: ['page-ops', 'sms'] }],
        reactions: { 'page-ops': PAGE_OPS },
      }),
    );
    expect(issueAt(error, 'alarms.conditions[0].reactions[0]', 'SWY_ERR_CONFIG_INVALID').message).toBe(
      'unknown reaction "page-op"; did you mean "page-ops"?',
    );
    expect(issueAt(error, 'alarms.conditions[0].clearanceReactions[1]', 'SWY_ERR_CONFIG_INVALID').message).toBe(
      'unknown reaction "sms"; define it under alarms.reactions or use one of: page-ops',
    );
    expect(error.issues).toHaveLength(2);
  });

  it('reports a reaction kind no enabled plugin offers at alarms.reactions.<name>.kind', async () => {
    const typo = await configError(load({ reactions: { ops: { kind: 'pgae', url: 'https://x.example' } } }));
    expect(issueAt(typo, 'alarms.reactions.ops.kind', 'SWY_ERR_CONFIG_INVALID').message).toBe('unknown reaction kind "pgae"; did you mean "page"?');
    const none = await configError(load({ reactions: { ops: { kind: 'webhook', url: 'https://x.example' } } }, {}));
    expect(issueAt(none, 'alarms.reactions.ops.kind', 'SWY_ERR_CONFIG_INVALID').message).toBe(
      'unknown reaction kind "webhook"; no enabled plugin offers alarm reactions; ' +
        'enable "alarm-reactions" (@switchyard/plugin-alarm-reactions) for log, exec, webhook and switchover',
    );
    const missing = await configError(load({ reactions: { ops: { url: 'https://x.example' } } }));
    expect(issueAt(missing, 'alarms.reactions.ops.kind', 'SWY_ERR_CONFIG_INVALID').message).toContain('a reaction needs a "kind"');
  });

  it("parses a reaction's options with its kind's schema, reporting at alarms.reactions.<name>.<option>", async () => {
    const error = await configError(
      load({
        reactions: {
          a: { kind: 'page', url: 'not a url', retries: -1 },
          b: { kind: 'page', url: 'https://x.example', retires: 2 },
          c: { kind: 'page', url: 'https://x.example', unsafe: true },
        },
      }),
    );
    expect(issueAt(error, 'alarms.reactions.a.url', 'SWY_ERR_PLUGIN_OPTIONS').message).toContain('(got "not a url")');
    expect(issueAt(error, 'alarms.reactions.a.retries', 'SWY_ERR_PLUGIN_OPTIONS').message).toBe('must be at least 0 (got -1)');
    expect(issueAt(error, 'alarms.reactions.b.retires', 'SWY_ERR_PLUGIN_OPTIONS').message).toBe('unknown key "retires"; did you mean "retries"?');
    // a kind's schema may name its own error code
    expect(issueAt(error, 'alarms.reactions.c.unsafe', 'SWY_ERR_PAGER_UNSAFE').message).toBe('refused: unsafe');
  });

  it('reports a plugin that requires a plugin which does not run where it runs (scope)', async () => {
    const dir = await makeDir();
    await write(dir, 'pager.js', PAGER);
    await write(
      dir,
      'needs-pager.js',
      `module.exports = { [Symbol.for('switchyard:plugin')]: true, name: 'needs-pager', version: '1.0.0', requires: { plugins: ['pager'] }, apply() {} };`,
    );
    await write(dir, 'switchyard.config.json', pairConfig({ plugins: { './pager.js': true, './needs-pager.js': true } }));
    const error = await configError(loadConfig({ cwd: dir }));
    expect(issueAt(error, 'plugins../needs-pager.js.requires', 'SWY_ERR_PLUGIN_REQUIREMENT').message).toContain(
      'requires "pager", which runs only in scope supervisor',
    );
  });
});
