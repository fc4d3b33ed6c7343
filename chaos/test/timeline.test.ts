import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventsBetween, formatTimeline } from '../src/timeline';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chaos-timeline-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const line = (iso: string, eventId: string, message: string) => JSON.stringify({ eventId, level: 'info', message, timestamp: iso });
function writeLog(node: string, file: string, lines: string[]): void {
  const logs = path.join(dir, node, 'logs');
  fs.mkdirSync(logs, { recursive: true });
  fs.writeFileSync(path.join(logs, file), `${lines.join('\n')}\n`);
}

describe('the timeline printed with a VIP outage', () => {
  it('merges the agents\' and nodes\' logs in time order, within the window, without plugin loading', () => {
    writeLog('sip-a', 'agent-sip-a.log', [
      line('2026-12-02T16:49:12.000Z', '01-10031', 'Plugin sip@0.1.0 applied'),
      line('2026-12-02T16:49:13.400Z', '01-30001', 'etcd unreachable'),
      line('2026-12-02T16:49:20.000Z', '01-30002', 'etcd reachable again'),
    ]);
    writeLog('sip-a', 'sip-a.log', ['not json', line('2026-12-02T16:49:13.530Z', '01-10002', 'Node sip-a role primary -> backup (term 7): grant lapsed'), '{"message":"no time"}']);
    writeLog('sip-b', 'agent-sip-b.log', [line('2026-12-02T16:49:13.450Z', '01-30001', 'etcd unreachable')]);

    const events = eventsBetween(dir, Date.parse('2026-12-02T16:49:12.000Z'), Date.parse('2026-12-02T16:49:17.000Z'));
    expect(events.map((e) => `${e.source} ${e.eventId}`)).toEqual(['agent-sip-a 01-30001', 'agent-sip-b 01-30001', 'sip-a 01-10002']);
    expect(formatTimeline(events, 10)[2]).toBe('    2026-12-02T16:49:13.530Z sip-a 01-10002 "Node sip-a role primary -> backup (term 7): grant lapsed"');
  });

  it('keeps a message with a line break on one line, and says how many lines it left out', () => {
    const events = Array.from({ length: 5 }, (_, i) => ({ at: Date.UTC(2026, 11, 2, 0, 0, i), source: 'sip-a', eventId: '00-04205', message: `from a peer\nforged ${i}` }));
    const lines = formatTimeline(events, 3);
    expect(lines).toHaveLength(4);
    expect(lines.slice(0, 3).every((l) => !l.includes('\n') && l.includes('\\n'))).toBe(true);
    expect(lines[3]).toBe('    … and 2 more (in the kept logs)');
  });

  it('reads nothing from a folder that has no logs', () => {
    expect(eventsBetween(path.join(dir, 'missing'), 0, Date.now())).toEqual([]);
  });
});
