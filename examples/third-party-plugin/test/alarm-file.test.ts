import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ManualClock, silentLogger, type Alarm, type AlarmReactionContext } from '@switchyard/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { alarmFileReaction } from '../src/index';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'disk-space-alarm-file-'));
  dirs.push(dir);
  return dir;
};

/** The context the supervisor gives a reaction, with the events it emits captured. */
function context(emitted: { id: string; fields?: Record<string, unknown> }[]): AlarmReactionContext {
  return {
    name: 'to-file',
    logger: silentLogger,
    clock: new ManualClock(Date.UTC(2026, 0, 1)),
    emit: (id, fields) => void emitted.push({ id, fields }),
    requestSwitchover: async () => ({ ok: false, term: 1, primary: null, reason: 'not in this test' }),
  };
}

const alarm: Alarm = Object.freeze({
  id: 'disk-low@node-a',
  condition: 'disk-low',
  node: 'node-a',
  severity: 'major',
  state: 'active',
  eventId: '80-00001',
  message: 'Free space on / is 10 MB, below the minimum of 512 MB: this node reports unavailable',
  count: 1,
  firstSeen: Date.UTC(2026, 0, 1),
  lastSeen: Date.UTC(2026, 0, 1),
});

describe('alarm-file reaction', () => {
  it('appends one JSON line per alarm raised and cleared, creating the folder', async () => {
    const file = path.join(tempDir(), 'sub', 'alarms.jsonl');
    const reaction = alarmFileReaction.create(alarmFileReaction.options.parse({ file }), context([]));
    await reaction.raised!(alarm, new AbortController().signal);
    await reaction.cleared!({ ...alarm, state: 'cleared', clearReason: 'cancel', clearedBy: '80-00002' }, new AbortController().signal);
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual([
      { change: 'raised', at: '2026-01-01T00:00:00.000Z', reaction: 'to-file', alarm: { ...alarm } },
      { change: 'cleared', at: '2026-01-01T00:00:00.000Z', reaction: 'to-file', alarm: { ...alarm, state: 'cleared', clearReason: 'cancel', clearedBy: '80-00002' } },
    ]);
  });

  it('a file it cannot write logs 80-00010 and fails the reaction (the alarm engine reports it)', async () => {
    const blocker = path.join(tempDir(), 'a-file');
    fs.writeFileSync(blocker, '');
    const emitted: { id: string; fields?: Record<string, unknown> }[] = [];
    const reaction = alarmFileReaction.create({ file: path.join(blocker, 'alarms.jsonl') }, context(emitted));
    await expect(reaction.raised!(alarm, new AbortController().signal)).rejects.toThrow(/ENOTDIR|EEXIST/);
    expect(emitted).toEqual([
      { id: '80-00010', fields: expect.objectContaining({ reaction: 'to-file', file: path.join(blocker, 'alarms.jsonl') }) },
    ]);
  });
});
