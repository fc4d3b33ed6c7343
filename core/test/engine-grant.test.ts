import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/clock';
import { Engine } from '../src/engine/engine';
import type { Role } from '../src/engine/types';
import type { LogEventRecord } from '../src/events/catalogue';
import { CoreEvent } from '../src/events/core-events';
import { definePlugin } from '../src/plugin/define';
import type { PluginEngine } from '../src/plugin/plugin-engine';


/** A started engine with a plugin that keeps its facade and records roleChange calls. */
async function node() {
  const clock = new ManualClock();
  const events: LogEventRecord[] = [];
  const roleChanges: { from: Role; to: Role; term: number; reason: string }[] = [];
  let facade: PluginEngine | undefined;
  const engine = new Engine({ nodeId: 'sip-a', cluster: 't', clock, onEvent: (r) => events.push(r) });
  engine.use(
    definePlugin({
      name: 'watcher',
      version: '1.0.0',
      apply(e) {
        facade = e;
        e.hooks.roleChange.tapPromise('watcher', async (change) => void roleChanges.push({ ...change }));
      },
    }),
  );
  await engine.start();
  const of = (id: string) => events.filter((e) => e.id === id);
  return { clock, engine, events, of, roleChanges, facade: () => facade!.node };
}

describe("engine: the arbiter's grant", () => {
  it('serves as primary until the deadline, then steps down by itself (01-10006) in the same term', async () => {
    const n = await node();
    const start = n.clock.monotonic();
    n.engine.grant(start + 2000);
    await n.engine.applyOrder({ role: 'primary', term: 3, reason: 'elected' });
    expect(n.engine.serving).toBe(true);
    expect(n.facade().role).toBe('primary');

    await n.clock.advance(1999);
    expect(n.engine.serving).toBe(true);
    expect(n.engine.role).toBe('primary');
    expect(n.of(CoreEvent.GrantLapsed)).toEqual([]);

    await n.clock.advance(1);
    expect(n.engine.serving).toBe(false);
    expect(n.engine.role).toBe('backup');
    expect(n.engine.term).toBe(3);
    expect(n.facade().role).toBe('backup');
    const [lapsed] = n.of(CoreEvent.GrantLapsed);
    expect(lapsed).toMatchObject({ level: 'error', node: 'sip-a', term: 3, fields: { late: 0 } });
    expect(lapsed!.message).toContain("stops serving as primary (term 3): the arbiter's grant lapsed 0 ms ago");
    expect(n.roleChanges).toEqual([
      { from: 'backup', to: 'primary', term: 3, reason: 'elected' },
      { from: 'primary', to: 'backup', term: 3, reason: 'grant lapsed' },
    ]);
    expect(n.of(CoreEvent.RoleChanged).map((e) => e.fields)).toEqual([
      { from: 'backup', to: 'primary', reason: 'elected' },
      { from: 'primary', to: 'backup', reason: 'grant lapsed' },
    ]);
    await n.engine.stop();
  });

  it('reads backup on the plugin facade as soon as the clock passes the deadline, before any timer runs', async () => {
    const n = await node();
    n.engine.grant(n.clock.monotonic() + 1000);
    await n.engine.applyOrder({ role: 'primary', term: 1, reason: 'elected' });

    n.clock.thaw(1000); // frozen across the deadline; the grant timer has not fired
    expect(n.engine.role).toBe('primary'); // the role the arbiter gave…
    expect(n.engine.serving).toBe(false); // …but not one it may act in
    expect(n.facade().role).toBe('backup');
    expect(n.of(CoreEvent.GrantLapsed)).toEqual([]);

    await n.clock.advance(1); // the process runs again: its overdue grant timer fires at once
    expect(n.engine.role).toBe('backup');
    expect(n.of(CoreEvent.GrantLapsed).map((e) => e.fields)).toEqual([
      { late: 0, why: 'neither the arbiter nor the peer confirmed this primary in time' },
    ]);
    await n.engine.stop();
  });

  it('a renewed grant moves the deadline: the primary keeps serving', async () => {
    const n = await node();
    n.engine.grant(n.clock.monotonic() + 1000);
    await n.engine.applyOrder({ role: 'primary', term: 1, reason: 'elected' });
    for (let i = 0; i < 5; i++) {
      await n.clock.advance(500);
      n.engine.grant(n.clock.monotonic() + 1000);
    }
    await n.clock.advance(999);
    expect(n.engine.serving).toBe(true);
    expect(n.of(CoreEvent.GrantLapsed)).toEqual([]);
    await n.engine.stop();
  });

  it('grant(null) lifts the limit: the primary serves on past the old deadline', async () => {
    const n = await node();
    n.engine.grant(n.clock.monotonic() + 1000);
    await n.engine.applyOrder({ role: 'primary', term: 1, reason: 'elected' });
    n.engine.grant(null);
    n.clock.thaw(60_000);
    expect(n.facade().role).toBe('primary');
    await n.clock.advance(60_000);
    expect(n.engine.serving).toBe(true);
    expect(n.engine.role).toBe('primary');
    expect(n.of(CoreEvent.GrantLapsed)).toEqual([]);
    await n.engine.stop();
  });

  it('serves again after a lapse when the arbiter grants afresh and orders it primary', async () => {
    const n = await node();
    n.engine.grant(n.clock.monotonic() + 1000);
    await n.engine.applyOrder({ role: 'primary', term: 1, reason: 'elected' });
    await n.clock.advance(1500);
    expect(n.engine.role).toBe('backup');

    n.engine.grant(n.clock.monotonic() + 1000); // the arbiter grants before it orders
    await n.engine.applyOrder({ role: 'primary', term: 2, reason: 're-elected' });
    expect(n.engine.serving).toBe(true);
    expect(n.facade().role).toBe('primary');
    await n.clock.advance(999);
    expect(n.engine.serving).toBe(true);
    await n.clock.advance(1);
    expect(n.engine.role).toBe('backup');
    expect(n.of(CoreEvent.GrantLapsed).map((e) => e.term)).toEqual([1, 2]);
    await n.engine.stop();
  });

  it('never serves on a lapsed grant: a primary order without a fresh grant steps down at once', async () => {
    const n = await node();
    n.engine.grant(n.clock.monotonic() + 1000);
    await n.clock.advance(1000);
    await n.engine.applyOrder({ role: 'primary', term: 1, reason: 'elected' });
    expect(n.engine.serving).toBe(false);
    expect(n.facade().role).toBe('backup');
    await n.clock.advance(0);
    expect(n.engine.role).toBe('backup');
    expect(n.of(CoreEvent.GrantLapsed)).toHaveLength(1);
    await n.engine.stop();
  });

  it('a backup with a lapsed grant logs nothing, and a stopped engine leaves no grant timer behind', async () => {
    const n = await node();
    n.engine.grant(n.clock.monotonic() + 1000);
    await n.engine.applyOrder({ role: 'backup', term: 1, reason: 'elected' });
    await n.clock.advance(2000);
    expect(n.of(CoreEvent.GrantLapsed)).toEqual([]);

    n.engine.grant(n.clock.monotonic() + 1000);
    await n.engine.applyOrder({ role: 'primary', term: 2, reason: 'failover' });
    await n.engine.stop();
    expect(n.clock.pending).toBe(0);
    await n.clock.advance(2000);
    expect(n.of(CoreEvent.GrantLapsed)).toEqual([]);
  });
});

describe('engine: a higher term seen from the peer', () => {
  it('a primary steps down to backup and adopts the term (01-10007)', async () => {
    const n = await node();
    await n.engine.applyOrder({ role: 'primary', term: 3, reason: 'elected' });
    await n.engine.observeTerm(5, 'sip-b');
    expect(n.engine.role).toBe('backup');
    expect(n.engine.term).toBe(5);
    expect(n.facade().role).toBe('backup');
    const [seen] = n.of(CoreEvent.HigherTermSeen);
    expect(seen).toMatchObject({ level: 'warn', fields: { seen: 5, peer: 'sip-b', action: 'stepping down to backup' } });
    expect(seen!.message).toBe('Node sip-a saw term 5 from sip-b, newer than its term 3: stepping down to backup');
    expect(n.roleChanges.at(-1)).toEqual({ from: 'primary', to: 'backup', term: 5, reason: 'sip-b holds the newer term 5' });
    await n.engine.stop();
  });

  it('a backup adopts the term and stays backup', async () => {
    const n = await node();
    await n.engine.applyOrder({ role: 'backup', term: 2, reason: 'elected' });
    await n.engine.observeTerm(4, 'sip-b');
    expect(n.engine.state).toEqual({ nodeId: 'sip-a', role: 'backup', status: 'running', term: 4 });
    expect(n.of(CoreEvent.HigherTermSeen).map((e) => e.fields.action)).toEqual(['adopting it']);
    expect(n.roleChanges).toEqual([]);
    await n.engine.stop();
  });

  it.each([3, 2])('a term of %i (not newer than 3) changes nothing', async (seen) => {
    const n = await node();
    await n.engine.applyOrder({ role: 'primary', term: 3, reason: 'elected' });
    await n.engine.observeTerm(seen, 'sip-b');
    expect(n.engine.state).toMatchObject({ role: 'primary', term: 3 });
    expect(n.engine.serving).toBe(true);
    expect(n.of(CoreEvent.HigherTermSeen)).toEqual([]);
    await n.engine.stop();
  });

  it('after adopting a term, an order from the old term is refused', async () => {
    const n = await node();
    await n.engine.applyOrder({ role: 'backup', term: 3, reason: 'elected' });
    await n.engine.observeTerm(5, 'sip-b');
    await expect(n.engine.applyOrder({ role: 'primary', term: 4, reason: 'late order' })).rejects.toMatchObject({
      code: 'SWY_ERR_ROLE_STALE_TERM',
    });
    expect(n.engine.role).toBe('backup');
    expect(n.of(CoreEvent.StaleOrderRefused).map((e) => e.fields)).toEqual([{ role: 'primary', orderTerm: 4 }]);
    await n.engine.applyOrder({ role: 'primary', term: 5, reason: 'the arbiter agrees' });
    expect(n.engine.role).toBe('primary');
    await n.engine.stop();
  });

  it('notifies state listeners (the heartbeats) with the new role and term', async () => {
    const n = await node();
    await n.engine.applyOrder({ role: 'primary', term: 1, reason: 'elected' });
    const states: string[] = [];
    n.engine.onStateChange((s) => states.push(`${s.role}/${s.term}`));
    await n.engine.observeTerm(2, 'sip-b');
    expect(states).toEqual(['backup/2']);
    await n.engine.stop();
  });
});
