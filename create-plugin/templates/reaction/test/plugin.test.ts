import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ManualClock, PluginTester, silentLogger, type Alarm, type AlarmReactionContext } from '@switchyard/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import plugin, { reactionKind } from '../src/index';

PluginTester.describe = describe;
PluginTester.it = it;

/** An alarm condition on switchovers (core's 01-10010) with this kind as its reaction. */
const alarms = (reaction: Record<string, unknown>) => ({
  alarms: {
    conditions: [{ id: 'switched', detect: ['01-10010'], severity: 'minor', reactions: ['to-file'] }],
    reactions: { 'to-file': { kind: '__PLUGIN__', ...reaction } },
  },
});

new PluginTester(plugin, { key: '__PACKAGE__' }).run({
  valid: [{ name: 'the kind with a file', options: true, config: alarms({ file: 'alarms.jsonl' }) }],
  invalid: [
    {
      name: 'the kind without its file',
      options: true,
      config: alarms({}),
      errors: ['Key "alarms.reactions.to-file.file": is required; set it to a string [SWY_ERR_PLUGIN_OPTIONS]'],
    },
    {
      name: 'options for a plugin that takes none',
      options: { file: 'x' },
      errors: ['Key "plugins.__PACKAGE__": plugin "__PLUGIN__" takes no options (got file); write "__PACKAGE__": true [SWY_ERR_PLUGIN_OPTIONS]'],
    },
  ],
});

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), '__PLUGIN__-'));
  dirs.push(dir);
  return dir;
};

/** The context the supervisor gives a reaction, with the events it emits captured. */
function context(emitted: string[]): AlarmReactionContext {
  return {
    name: 'to-file',
    logger: silentLogger,
    clock: new ManualClock(Date.UTC(2030, 0, 1)),
    emit: (id) => void emitted.push(id),
    requestSwitchover: async () => ({ ok: false, term: 1, primary: null, reason: 'not in this test' }),
  };
}

const alarm: Alarm = {
  id: 'switched@supervisor',
  condition: 'switched',
  node: 'supervisor',
  severity: 'minor',
  state: 'active',
  eventId: '01-10010',
  message: 'Switchover: node-b is primary, node-a is backup (term 2): maintenance',
  count: 1,
  firstSeen: Date.UTC(2030, 0, 1),
  lastSeen: Date.UTC(2030, 0, 1),
};

describe('the __PLUGIN__ reaction kind', () => {
  it('appends one JSON line per alarm raised and cleared', async () => {
    const file = path.join(tempDir(), 'logs', 'alarms.jsonl');
    const reaction = reactionKind.create({ file }, context([]));
    await reaction.raised!(alarm, new AbortController().signal);
    await reaction.cleared!({ ...alarm, state: 'cleared', clearReason: 'operator', clearedBy: 'ops' }, new AbortController().signal);
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { change: string; at: string; alarm: Alarm });
    expect(lines.map((l) => [l.change, l.at, l.alarm.id, l.alarm.state])).toEqual([
      ['raised', '2030-01-01T00:00:00.000Z', 'switched@supervisor', 'active'],
      ['cleared', '2030-01-01T00:00:00.000Z', 'switched@supervisor', 'cleared'],
    ]);
  });

  it('a file it cannot write logs __PREFIX__-00001 and fails the reaction', async () => {
    const blocker = path.join(tempDir(), 'a-file');
    fs.writeFileSync(blocker, '');
    const emitted: string[] = [];
    const reaction = reactionKind.create({ file: path.join(blocker, 'alarms.jsonl') }, context(emitted));
    await expect(reaction.raised!(alarm, new AbortController().signal)).rejects.toThrow();
    expect(emitted).toEqual(['__PREFIX__-00001']);
  });
});
