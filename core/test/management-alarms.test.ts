import { afterEach, describe, expect, it } from 'vitest';
import { AlarmEngine } from '../src/alarms/alarm-engine';
import { ManualClock } from '../src/clock';
import { alarmRoutes } from '../src/management/alarm-routes';
import { renderAlarmTable } from '../src/management/alarm-table';
import { ManagementClient } from '../src/management/client';
import { condition, record } from './alarm-support';
import { rawRequest, startServer, TOKEN } from './management-fixtures';
import { rejection } from './support/errors';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((fn) => fn()));
});

/** A management server whose alarm routes serve an in-memory alarm engine with one active alarm. */
async function start() {
  const clock = new ManualClock(Date.UTC(2025, 0, 1, 12, 0, 3));
  const alarms = new AlarmEngine({
    conditions: [condition({ id: 'sip-down', detect: ['00-04200'] })],
    reactions: new Map(),
    clock,
    emit: () => undefined,
  });
  await alarms.load();
  alarms.consume(record('00-04200', 'sip-a', 'Cannot open SIP listening port 127.0.0.1:5060/udp (EADDRINUSE)', clock.now()));
  const started = await startServer({ routes: alarmRoutes(alarms) });
  cleanup.push(() => started.server.close());
  return { ...started, alarms };
}

describe('alarm endpoints', () => {
  it('GET /alarms lists active and recently cleared alarms, without a token', async () => {
    const { port } = await start();
    const reply = await rawRequest(port, 'GET', '/alarms');
    expect(reply.status).toBe(200);
    expect(reply.body.active).toMatchObject([{ id: 'sip-down@sip-a', severity: 'critical', count: 1, eventId: '00-04200' }]);
    expect(reply.body.cleared).toEqual([]);
  });

  it('POST /alarms/<id>/clear needs the token, clears, and records who; an unknown id is 404 SWY_ERR_ALARM_NOT_FOUND', async () => {
    const { port, events } = await start();
    const path = `/alarms/${encodeURIComponent('sip-down@sip-a')}/clear`;
    const refused = await rawRequest(port, 'POST', path);
    expect(refused.status).toBe(401);
    expect(events.map((e) => e.id)).toEqual(['01-10050', '01-10051']);

    const bad = await rawRequest(port, 'POST', path, { headers: { authorization: `Bearer ${TOKEN}` }, body: '{"by": 7}' });
    expect(bad.status).toBe(400);

    const ok = await rawRequest(port, 'POST', path, { headers: { authorization: `Bearer ${TOKEN}` }, body: '{"by": "alice"}' });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ ok: true, alarm: { id: 'sip-down@sip-a', state: 'cleared', clearReason: 'operator', clearedBy: 'alice' } });

    const again = await rawRequest(port, 'POST', path, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe('SWY_ERR_ALARM_NOT_FOUND');
    const list = await rawRequest(port, 'GET', '/alarms');
    expect(list.body).toMatchObject({ active: [], cleared: [{ id: 'sip-down@sip-a' }] });
  });

  it('ManagementClient lists and clears; clearing an unknown id throws SWY_ERR_ALARM_NOT_FOUND', async () => {
    const { port } = await start();
    const client = new ManagementClient({ host: '127.0.0.1', port, token: TOKEN });
    expect((await client.alarms()).active.map((a) => a.id)).toEqual(['sip-down@sip-a']);
    const error = await rejection(client.clearAlarm('sip-down@sip-b'));
    expect(error.code).toBe('SWY_ERR_ALARM_NOT_FOUND');
    expect(error.message).toContain('No active alarm "sip-down@sip-b"; active: sip-down@sip-a.');
    const cleared = await client.clearAlarm('sip-down@sip-a', 'bob');
    expect(cleared.alarm).toMatchObject({ clearedBy: 'bob' });
    const unauthorized = await rejection(new ManagementClient({ host: '127.0.0.1', port }).clearAlarm('x@y'));
    expect(unauthorized.code).toBe('SWY_ERR_MGMT_UNAUTHORIZED');
  });

  it('renders the alarm table for people: ID SEVERITY NODE COUNT FIRST LAST EVENT MESSAGE', async () => {
    const { alarms } = await start();
    expect(renderAlarmTable(alarms.list()).split('\n')).toEqual([
      'ID              SEVERITY  NODE   COUNT  FIRST                 LAST                  EVENT     MESSAGE',
      'sip-down@sip-a  critical  sip-a  1      2025-01-01 12:00:03Z  2025-01-01 12:00:03Z  00-04200  Cannot open SIP listening port 127.0.0.1:5060/udp (EADDRINUSE)',
    ]);
    alarms.clear('sip-down@sip-a', 'alice');
    expect(renderAlarmTable(alarms.list(), { cleared: true })).toBe(
      [
        'no active alarms',
        '',
        'recently cleared:',
        'ID              SEVERITY  NODE   COUNT  FIRST                 CLEARED               BY     EVENT     MESSAGE',
        'sip-down@sip-a  critical  sip-a  1      2025-01-01 12:00:03Z  2025-01-01 12:00:03Z  alice  00-04200  Cannot open SIP listening port 127.0.0.1:5060/udp (EADDRINUSE)',
      ].join('\n'),
    );
  });
});
