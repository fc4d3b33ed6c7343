import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/clock';
import type { LogEventRecord } from '../src/events/catalogue';
import { ConsoleView } from '../src/supervisor/console-view';

/** What `switchyard up` prints, as text (PassThrough writes are delivered synchronously to 'data'). */
function capture() {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d: Buffer) => (text += d.toString()));
  return { out, text: () => text };
}

const T0 = Date.UTC(2026, 10, 26, 8, 0, 0);

const refused = (i: number, node = 'sip-a'): LogEventRecord => ({
  id: '01-10022',
  level: 'error',
  message: `HA link peer 192.0.2.7:${40000 + i} failed authentication: bad hmac`,
  fields: { remote: `192.0.2.7:${40000 + i}` },
  node,
  term: 3,
  time: T0,
  owner: 'core',
});

/** Clear screen, set the window title, ring, NUL, and a forged second line in 8-bit CSI colours. */
const HOSTILE = 'x\x1b[2J\x1b]0;pwned\x07\u0000\r\n08:00:00.000 WARN  [supervisor t9] 01-10010 Switchover: \u009b32mforged';

/** Any character a terminal acts on, but the newline ending each line. */
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

describe('console view: text from peers is printed inert', () => {
  it('escapes control characters in an event (message and node) and keeps it one line', () => {
    const c = capture();
    const view = new ConsoleView({ out: c.out, color: false, clock: new ManualClock(T0) });
    view.event({ ...refused(0), message: `HA link peer ${HOSTILE} failed authentication: unknown node` });
    expect(c.text()).toBe(
      '08:00:00.000 ERROR [sip-a t3] 01-10022 HA link peer x\\x1b[2J\\x1b]0;pwned\\x07\\x00\\r\\n' +
        '08:00:00.000 WARN  [supervisor t9] 01-10010 Switchover: \\x9b32mforged failed authentication: unknown node\n',
    );
    expect(c.text()).not.toMatch(CONTROL);
  });

  it("escapes a node process's own output lines", () => {
    const c = capture();
    const view = new ConsoleView({ out: c.out, color: false, clock: new ManualClock(T0) });
    view.raw('sip-a', `TypeError: bad ${HOSTILE}`);
    expect(c.text().split('\n')).toHaveLength(2);
    expect(c.text()).toContain('[sip-a] TypeError: bad x\\x1b[2J\\x1b]0;pwned\\x07\\x00\\r\\n08:00:00.000');
    expect(c.text()).not.toMatch(CONTROL);
  });
});

describe('console view: a flood of one event is cut (injected clock)', () => {
  it('prints the first `burst` lines, then one summary line per interval with the count', async () => {
    const clock = new ManualClock(T0);
    const c = capture();
    const view = new ConsoleView({ out: c.out, color: false, clock, rateLimit: { burst: 3, interval: 10 } });
    for (let i = 0; i < 30; i++) view.event(refused(i));
    view.event(refused(0, 'sip-b'));
    expect(c.text().trim().split('\n')).toEqual([
      expect.stringContaining('[sip-a t3] 01-10022 HA link peer 192.0.2.7:40000'),
      expect.stringContaining('[sip-a t3] 01-10022 HA link peer 192.0.2.7:40001'),
      expect.stringContaining('[sip-a t3] 01-10022 HA link peer 192.0.2.7:40002'),
      expect.stringContaining('[sip-b t3] 01-10022 HA link peer 192.0.2.7:40000'),
    ]);
    await clock.advance(10_000);
    expect(c.text().trim().split('\n').slice(4)).toEqual([
      '08:00:10.000 ERROR [sip-a] 01-10080 Log rate limit: 27 more 01-10022 lines from sip-a (all) suppressed in 10s',
    ]);
    await clock.advance(60_000);
    expect(c.text().trim().split('\n')).toHaveLength(5);
  });

  it('prints the pending count when it closes', () => {
    const clock = new ManualClock(T0);
    const c = capture();
    const view = new ConsoleView({ out: c.out, color: false, clock, rateLimit: { burst: 1, interval: 60 } });
    for (let i = 0; i < 4; i++) view.event(refused(i));
    view.close();
    expect(c.text().trim().split('\n').at(-1)).toBe('08:00:00.000 ERROR [sip-a] 01-10080 Log rate limit: 3 more 01-10022 lines from sip-a (all) suppressed in 60s');
  });
});
