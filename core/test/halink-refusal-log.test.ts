import type net from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../src/clock';
import { CoreEvent } from '../src/events/core-events';
import { RefusalLog } from '../src/halink/refusal-log';
import { EventLog, freePort, rawClient, testNode } from './halink-support';

const SLOW = { timeout: 5000, interval: 10 };
const MINUTE = 60_000;

function refusalLog(maxSources = 1024) {
  const clock = new ManualClock();
  const log = new EventLog();
  const refusals = new RefusalLog({ clock, intervalMs: MINUTE, maxSources, emit: log.emit });
  const refuse = (source: string, n: number, reason = 'not the peer') => {
    for (let i = 0; i < n; i++) {
      refusals.report(source, { id: CoreEvent.HaLinkPeerDropped, fields: { remote: `${source}:${40000 + i}`, code: 'SWY_ERR_HALINK_PROTOCOL', reason } });
    }
  };
  return { clock, log, refusals, refuse, lines: () => log.of(CoreEvent.HaLinkPeerDropped) };
}

describe('HA link: refused connections are logged once per address per interval', () => {
  it('logs the first refusal at once and the rest as one summary line with the count', async () => {
    const { clock, refuse, lines } = refusalLog();
    refuse('10.0.0.9', 500);
    expect(lines()).toEqual([{ remote: '10.0.0.9:40000', code: 'SWY_ERR_HALINK_PROTOCOL', reason: 'not the peer' }]);
    await clock.advance(MINUTE - 1);
    expect(lines()).toHaveLength(1);
    await clock.advance(1);
    expect(lines()).toHaveLength(2);
    expect(lines()[1]).toEqual({
      remote: '10.0.0.9:40499',
      code: 'SWY_ERR_HALINK_PROTOCOL',
      suppressed: 499,
      reason: '499 more from 10.0.0.9 in the last 60 s, not logged one by one (one line per address per 60 s); the last: not the peer',
    });
  });

  it('keeps a steady flood to one line per interval, and logs the next lone refusal at once once it stops', async () => {
    const { clock, refuse, lines } = refusalLog();
    refuse('10.0.0.9', 1);
    for (let minute = 0; minute < 10; minute++) {
      for (let second = 0; second < 60; second++) {
        refuse('10.0.0.9', 50); // 3,000 a minute
        await clock.advance(1000);
      }
    }
    expect(lines()).toHaveLength(1 + 10);
    expect(lines().slice(1).every((l) => l.suppressed === 3000)).toBe(true);
    await clock.advance(MINUTE); // a quiet interval closes the window with nothing to report
    expect(lines()).toHaveLength(11);
    refuse('10.0.0.9', 1, 'later');
    expect(lines().at(-1)).toMatchObject({ reason: 'later' });
    expect(clock.pending).toBe(1);
  });

  it('counts each address apart, up to a bound; the rest share one count', async () => {
    const { clock, refuse, lines } = refusalLog(2);
    refuse('10.0.0.1', 3);
    refuse('10.0.0.2', 3);
    refuse('10.0.0.3', 3);
    refuse('10.0.0.4', 3);
    expect(lines().map((l) => l.remote)).toEqual(['10.0.0.1:40000', '10.0.0.2:40000', '10.0.0.3:40000']);
    await clock.advance(MINUTE);
    const summaries = lines().slice(3);
    expect(summaries.map((l) => [l.remote, l.suppressed])).toEqual([
      ['10.0.0.1:40002', 2],
      ['10.0.0.2:40002', 2],
      ['other addresses', 5],
    ]);
  });

  it('a real flood of refused connections writes one line, then a summary, in virtual time', async () => {
    const clock = new ManualClock();
    const [portA, portB] = [await freePort(), await freePort()];
    const b = testNode('node-b', portB, { id: 'node-a', port: portA }, { clock, peer: { id: 'node-a', host: '127.0.0.2', port: portA } });
    await b.link.start();
    const refused: net.Socket[] = [];
    for (let i = 0; i < 30; i++) refused.push(await rawClient(portB, { from: '127.0.0.9' }));
    await vi.waitFor(() => expect(refused.every((s) => s.destroyed)).toBe(true), SLOW);
    expect(b.log.of(CoreEvent.HaLinkPeerDropped)).toHaveLength(1);
    await clock.advance(MINUTE);
    expect(b.log.of(CoreEvent.HaLinkPeerDropped)).toEqual([
      expect.objectContaining({ remote: expect.stringMatching(/^127\.0\.0\.9:/), reason: "only the peer's configured address 127.0.0.2 may connect" }),
      expect.objectContaining({ suppressed: 29, reason: expect.stringMatching(/^29 more from 127\.0\.0\.9 in the last 60 s/) }),
    ]);
  });

  it('a stopping link logs what it had not summarised yet', async () => {
    const clock = new ManualClock();
    const [portA, portB] = [await freePort(), await freePort()];
    const b = testNode('node-b', portB, { id: 'node-a', port: portA }, { clock, peer: { id: 'node-a', host: '127.0.0.2', port: portA } });
    await b.link.start();
    const refused: net.Socket[] = [];
    for (let i = 0; i < 5; i++) refused.push(await rawClient(portB, { from: '127.0.0.9' }));
    await vi.waitFor(() => expect(refused.every((s) => s.destroyed)).toBe(true), SLOW);
    await b.link.stop();
    expect(b.log.of(CoreEvent.HaLinkPeerDropped).map((l) => l.suppressed)).toEqual([undefined, 4]);
    expect(clock.pending).toBe(0);
  });
});
