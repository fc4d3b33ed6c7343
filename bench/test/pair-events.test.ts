import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eventSummary, loggedEvents } from '../src/pair-events';

describe("a pair's logged events, for a scenario's notes", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads the asked events from every log of the runtime folder, skipping other lines', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-bench-events-'));
    dirs.push(dir);
    const logs = path.join(dir, '.switchyard', 'logs');
    fs.mkdirSync(logs, { recursive: true });
    const line = (o: object) => JSON.stringify(o);
    fs.writeFileSync(
      path.join(logs, 'supervisor.log'),
      [
        line({ eventId: '01-10062', late: 120, message: 'late' }),
        'not json 01-10062',
        line({ eventId: '01-10010', reason: 'primary sip-a missed heartbeats for 0.31s' }),
        line({ eventId: '01-10062', late: 478 }),
        line({ eventId: '01-10001', message: 'mentions 01-10062 in its text only' }),
      ].join('\n'),
    );
    fs.writeFileSync(path.join(logs, 'sip-a.log'), line({ eventId: '01-10047', ms: 61 }) + '\n');
    fs.writeFileSync(path.join(logs, 'sip-a.log.gz'), 'rotated, not read');

    const events = loggedEvents(dir, ['01-10062', '01-10047', '01-10010', '01-10042']);
    expect(events.map((e) => e.eventId)).toEqual(['01-10047', '01-10062', '01-10010', '01-10062']);
    expect(eventSummary(events, '01-10062', 'agent stalls', 'late')).toBe('agent stalls (01-10062): 2, longest 478 ms');
    expect(eventSummary(events, '01-10047', 'slow node loops', 'ms')).toBe('slow node loops (01-10047): 1, longest 61 ms');
    expect(eventSummary(events, '01-10042', 'missed heartbeats')).toBe('missed heartbeats (01-10042): 0');
    expect(loggedEvents(path.join(dir, 'absent'), ['01-10062'])).toEqual([]);
  });
});
