import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/clock';
import { LogEventCatalogue, type LogEventRecord } from '../src/events/catalogue';
import { ConsoleView } from '../src/supervisor/console-view';

const T0 = Date.UTC(2026, 11, 2, 8, 0, 0);

const record = (patch: Partial<LogEventRecord>): LogEventRecord => ({
  id: '00-04203',
  level: 'info',
  message: 'SIP public address 127.0.0.1:5060 (udp+tcp) served by sip-a',
  fields: {},
  node: 'sip-a',
  term: 1,
  time: T0,
  owner: 'sip',
  ...patch,
});

describe('console view: notable plugin events', () => {
  it('prints an info event marked notable and leaves out an ordinary one', () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (d: Buffer) => (text += d.toString()));
    const view = new ConsoleView({ out, color: false, clock: new ManualClock(T0) });
    view.event(record({ id: '00-04240', message: 'Loaded 0 unexpired bindings from disk' }));
    view.event(record({ notable: true }));
    expect(text).toBe('08:00:00.000 INFO  [sip-a t1] 00-04203 SIP public address 127.0.0.1:5060 (udp+tcp) served by sip-a\n');
  });

  it('keeps a definition’s notable flag in the catalogue (false when left out)', () => {
    const catalogue = new LogEventCatalogue();
    catalogue.register([{ id: '70-00010', level: 'info', message: 'here', notable: true }, { id: '70-00011', level: 'info', message: 'there' }], 'x');
    expect(catalogue.get('70-00010').notable).toBe(true);
    expect(catalogue.get('70-00011').notable).toBe(false);
  });
});
