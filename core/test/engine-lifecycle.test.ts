import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/clock';
import { Engine } from '../src/engine/engine';
import { StatusMachine } from '../src/engine/status-machine';
import { CoreEvent } from '../src/events/core-events';
import type { LogEventRecord } from '../src/events/catalogue';
import { definePlugin } from '../src/plugin/define';
import type { MonitorHandle } from '../src/engine/monitors';

function setup() {
  const events: LogEventRecord[] = [];
  const engine = new Engine({ nodeId: 'sip-a', cluster: 't', clock: new ManualClock(), onEvent: (r) => events.push(r) });
  let monitor: MonitorHandle | undefined;
  let info: MonitorHandle | undefined;
  engine.use(
    definePlugin({
      name: 'watcher',
      version: '1.0.0',
      events: [{ id: '90-00002', level: 'error', message: 'Peer {peer} unreachable' }],
      apply(e) {
        monitor = e.monitors.register('link');
        info = e.monitors.register('advisory', { affectsService: false });
      },
    }),
  );
  return { engine, events, monitor: () => monitor!, info: () => info! };
}

describe('status machine', () => {
  it('allows starting → running ⇄ unavailable → stopping → stopped and rejects the rest', () => {
    const m = new StatusMachine();
    m.transition('running');
    m.transition('unavailable');
    m.transition('running');
    expect(() => m.transition('starting')).toThrow(expect.objectContaining({ code: 'SWY_ERR_STATUS_TRANSITION' }));
    m.transition('stopping');
    expect(() => m.transition('running')).toThrow(/stopping -> running/);
    m.transition('stopped');
    expect(() => m.transition('stopping')).toThrow();
  });
});

describe('engine status from monitors', () => {
  it('reports unavailable while a service-affecting monitor fails, running when it recovers', async () => {
    const { engine, events, monitor, info } = setup();
    await engine.start();
    expect(engine.status).toBe('running');
    info().fail('just advisory');
    await Promise.resolve();
    expect(engine.status).toBe('running');
    monitor().fail('peer unreachable', { id: '90-00002', fields: { peer: 'sip-b' } });
    await new Promise((r) => setImmediate(r));
    expect(engine.status).toBe('unavailable');
    // Still failing, for another reason: the plugin's event is not logged again (once per failure).
    monitor().fail('peer still unreachable', '90-00002');
    await new Promise((r) => setImmediate(r));
    const own = events.filter((e) => e.id === '90-00002');
    expect(own.map((e) => e.fields)).toEqual([{ monitor: 'watcher/link', reason: 'peer unreachable', peer: 'sip-b' }]);
    // The plugin's event comes before core's record of the monitor.
    const coreRecord = events.findIndex((e) => e.id === CoreEvent.MonitorFailed && e.fields.monitor === 'watcher/link');
    expect(events.findIndex((e) => e.id === '90-00002')).toBe(coreRecord - 1);
    expect(() => monitor().fail('x', '90-99999')).toThrow(expect.objectContaining({ code: 'SWY_ERR_EVENT_UNKNOWN' }));
    monitor().ok();
    await new Promise((r) => setImmediate(r));
    expect(engine.status).toBe('running');
    const transitions = events.filter((e) => e.id === CoreEvent.StatusChanged).map((e) => `${e.fields.from}->${e.fields.to}`);
    expect(transitions).toEqual(['starting->running', 'running->unavailable', 'unavailable->running']);
    expect(events.some((e) => e.id === CoreEvent.MonitorFailed && String(e.message).includes('peer unreachable'))).toBe(true);
  });

  it('lets a health tap override the verdict', async () => {
    const engine = new Engine({ nodeId: 'n', cluster: 't', clock: new ManualClock() });
    engine.use(
      definePlugin({
        name: 'pessimist',
        version: '1.0.0',
        apply(e) {
          e.hooks.health.tap('pessimist', () => ({ status: 'unavailable', reasons: ['always'] }));
        },
      }),
    );
    await engine.start();
    expect(engine.status).toBe('unavailable');
  });
});

describe('roles and terms', () => {
  it('changes role with a higher term, runs roleChange and afterSwitchover, and refuses a stale order', async () => {
    const { engine, events } = setup();
    const seen: string[] = [];
    const e2 = new Engine({ nodeId: 'sip-b', cluster: 't', clock: new ManualClock(), onEvent: (r) => events.push(r) });
    e2.use(
      definePlugin({
        name: 'recorder',
        version: '1.0.0',
        apply(e) {
          e.hooks.roleChange.tapPromise('recorder', async (c) => void seen.push(`role ${c.from}->${c.to} t${c.term}`));
          e.hooks.afterSwitchover.tapPromise('recorder', async (s) => void seen.push(`after ${s.from}->${s.to}`));
        },
      }),
    );
    await e2.start();
    expect(e2.role).toBe('backup');
    await e2.applyOrder({ role: 'primary', term: 2, reason: 'failover', switchover: { from: 'sip-a', to: 'sip-b', term: 2, reason: 'x', at: 0 } });
    expect(e2.role).toBe('primary');
    expect(e2.term).toBe(2);
    await expect(e2.applyOrder({ role: 'backup', term: 1, reason: 'old' })).rejects.toMatchObject({ code: 'SWY_ERR_ROLE_STALE_TERM' });
    expect(e2.role).toBe('primary');
    expect(seen).toEqual(['role backup->primary t2', 'after sip-a->sip-b']);
    expect(events.some((e) => e.id === CoreEvent.StaleOrderRefused)).toBe(true);
    const roleEvent = events.find((e) => e.id === CoreEvent.RoleChanged);
    expect(roleEvent).toMatchObject({ node: 'sip-b', term: 2 });
    await engine.stop();
  });

  it('stops in order: stopping then stopped, and a second stop is a no-op', async () => {
    const { engine, events } = setup();
    await engine.start();
    await engine.stop('test');
    await engine.stop('again');
    expect(engine.status).toBe('stopped');
    const transitions = events.filter((e) => e.id === CoreEvent.StatusChanged).map((e) => e.fields.to);
    expect(transitions).toEqual(['running', 'stopping', 'stopped']);
  });
});
