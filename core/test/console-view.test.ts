import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { LogEventRecord } from '../src/events/catalogue';
import { ConsoleView } from '../src/supervisor/console-view';

function capture() {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d: Buffer) => (text += d.toString()));
  return { out, text: () => text };
}

const record = (patch: Partial<LogEventRecord>): LogEventRecord => ({
  id: '01-10010',
  level: 'warn',
  message: 'Switchover: sip-b is primary, sip-a is backup (term 3): test',
  fields: {},
  node: 'supervisor',
  term: 3,
  time: Date.UTC(2026, 10, 26, 8, 0, 0),
  owner: 'supervisor',
  ...patch,
});

describe('console view of `switchyard up`', () => {
  it('prints each notable event with its id, node and term', () => {
    const c = capture();
    const view = new ConsoleView({ out: c.out, color: false });
    view.event(record({}));
    expect(c.text()).toBe('08:00:00.000 WARN  [supervisor t3] 01-10010 Switchover: sip-b is primary, sip-a is backup (term 3): test\n');
  });

  it('leaves out routine info events unless verbose, and prints a status line only when a node changes', () => {
    const c = capture();
    const view = new ConsoleView({ out: c.out, color: false });
    view.event(record({ id: '01-10031', level: 'info', message: 'Plugin sip@0.1.0 applied' }));
    expect(c.text()).toBe('');
    const node = { id: 'sip-a', role: 'primary' as const, status: 'running' as const, pid: 42, term: 1, lastHeartbeat: 0.1, restarts: 0 };
    view.nodes([node]);
    view.nodes([{ ...node, lastHeartbeat: 0.2 }]);
    view.nodes([{ ...node, term: 2 }]);
    expect(c.text().split('\n').filter(Boolean)).toEqual([
      expect.stringMatching(/^status sip-a\s+primary\s+running\s+pid 42\s+term 1\s+restarts 0$/),
      expect.stringMatching(/^status sip-a\s+primary\s+running\s+pid 42\s+term 2\s+restarts 0$/),
    ]);
  });
});
