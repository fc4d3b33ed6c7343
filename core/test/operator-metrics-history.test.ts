import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/clock';
import { CoreTokens } from '../src/core-tokens';
import { Engine } from '../src/engine/engine';
import { renderHistoryTable } from '../src/history/history-table';
import { SwitchoverHistory } from '../src/history/switchover-history';
import { clusterMetrics, type ClusterSnapshot, type MetricJson } from '../src/metrics/cluster-metrics';
import { nodeRegistry } from '../src/metrics/plugin-metrics';
import { labelNode, renderMetrics } from '../src/metrics/render';
import { definePlugin } from '../src/plugin/define';
import type { PluginEngine } from '../src/plugin/plugin-engine';

const dirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-history-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('switchover history', () => {
  it('records who asked and why, measures the gap until the new primary runs, and survives a restart', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 2, 3, 4, 5));
    const dir = tempDir();
    const history = new SwitchoverHistory(dir, clock);
    await history.load();
    history.record({ from: 'sip-a', to: 'sip-b', term: 2, reason: 'primary sip-a exited (signal SIGKILL)' });
    await clock.advance(1500);
    history.record({ from: 'sip-b', to: 'sip-a', term: 3, reason: 'manual switchover by management-api: maintenance' });
    await clock.advance(250);
    history.primaryRunning('sip-b', 2); // a late report of an older switchover changes nothing
    history.primaryRunning('sip-a', 3);
    await clock.advance(1000);
    history.primaryRunning('sip-a', 3); // the gap is measured once

    const [manual, crash] = history.list();
    expect(manual).toMatchObject({ from: 'sip-b', to: 'sip-a', term: 3, by: 'operator', requester: 'management-api', cause: 'operator', gapMs: 250 });
    expect(crash).toMatchObject({ from: 'sip-a', to: 'sip-b', term: 2, by: 'arbiter', cause: 'node_exited', gapMs: null });
    expect(history.countsByCause()).toEqual({ node_exited: 1, operator: 1 });

    await history.flush();
    const reloaded = new SwitchoverHistory(dir, clock);
    await reloaded.load();
    expect(reloaded.list()).toEqual(history.list());
    expect(reloaded.lastAt()).toBe(Date.UTC(2026, 0, 2, 3, 4, 6, 500));

    const table = renderHistoryTable(reloaded.list()).split('\n');
    expect(table[0]).toMatch(/^TIME\s+TERM\s+FROM\s+TO\s+BY\s+GAP\s+REASON$/);
    expect(table[1]).toMatch(/^2026-01-02 03:04:06Z\s+3\s+sip-b\s+sip-a\s+operator \(management-api\)\s+250ms\s+manual switchover/);
    expect(table[2]).toMatch(/\s+2\s+sip-a\s+sip-b\s+arbiter\s+-\s+primary sip-a exited/);
  });

  it('keeps only the newest entries when full, on disk too', async () => {
    const clock = new ManualClock();
    const dir = tempDir();
    const history = new SwitchoverHistory(dir, clock, 3);
    for (let term = 1; term <= 5; term++) history.record({ from: 'a', to: 'b', term, reason: 'primary a reported unavailable while backup b is running' });
    expect(history.list().map((e) => e.term)).toEqual([5, 4, 3]);
    expect(history.list()[0]).toMatchObject({ by: 'monitor', cause: 'unavailable' });
    await history.flush();
    const reloaded = new SwitchoverHistory(dir, clock, 3);
    await reloaded.load();
    expect(reloaded.list().map((e) => e.term)).toEqual([5, 4, 3]);
  });

  it('starts empty from a damaged file instead of refusing to start', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'history.json'), '{ not json');
    const history = new SwitchoverHistory(dir, new ManualClock());
    await history.load();
    expect(history.list()).toEqual([]);
  });
});

function snapshot(overrides: Partial<ClusterSnapshot> = {}): ClusterSnapshot {
  const node = { restarts: 0, local: true, heartbeatAge: 0.1, linkUp: true, monitors: [] };
  return {
    arbiter: { term: 4, connected: true },
    nodes: [
      { ...node, id: 'sip-a', role: 'backup', status: 'running', term: 4, sip: { listening: true, bindings: 7, replication: { inSync: true, lag: 0 } } },
      {
        ...node,
        id: 'sip-b',
        role: 'primary',
        status: 'running',
        term: 4,
        linkUp: false,
        monitors: [{ monitor: 'sip-nic', plugin: 'sip-nic-monitoring', ok: false, reason: 'eth1 down', affectsService: true, since: 0 }],
      },
    ],
    switchovers: { node_exited: 2 },
    lastSwitchoverAt: 1_700_000_000_000,
    activeAlarms: [{ severity: 'major' }, { severity: 'major' }, { severity: 'critical' }],
    ...overrides,
  };
}

describe('GET /metrics text', () => {
  it('says which node is primary, the term, switchovers, alarms and SIP figures in Prometheus series', async () => {
    const text = await renderMetrics([clusterMetrics(snapshot())]);
    const lines = text.split('\n');
    expect(lines).toContain('switchyard_node_role{node="sip-b",role="primary"} 1');
    expect(lines).toContain('switchyard_node_role{node="sip-a",role="primary"} 0');
    expect(lines).toContain('switchyard_node_role{node="sip-a",role="backup"} 1');
    expect(lines).toContain('switchyard_arbiter_term 4');
    expect(lines).toContain('switchyard_switchovers_total{reason="node_exited"} 2');
    expect(lines).toContain('switchyard_switchovers_total{reason="operator"} 0');
    expect(lines).toContain('switchyard_last_switchover_timestamp_seconds 1700000000');
    expect(lines).toContain('switchyard_alarms_active{severity="major"} 2');
    expect(lines).toContain('switchyard_alarms_active{severity="minor"} 0');
    expect(lines).toContain('switchyard_ha_link_up{node="sip-b"} 0');
    expect(lines).toContain('switchyard_monitor_ok{node="sip-b",plugin="sip-nic-monitoring",monitor="sip-nic"} 0');
    expect(lines).toContain('switchyard_sip_bindings{node="sip-a"} 7');
    expect(lines).toContain('switchyard_sip_replication_in_sync{node="sip-a"} 1');
    // A node without a sip section has no SIP series rather than a made-up zero.
    expect(text).not.toContain('switchyard_sip_bindings{node="sip-b"}');
    expect(lines).toContain('# TYPE switchyard_switchovers_total counter');
  });

  it('merges the plugin metrics of two nodes, each series labelled with its node, histograms included', async () => {
    const parts: MetricJson[][] = [];
    for (const [node, count] of [['sip-a', 3], ['sip-b', 5]] as const) {
      const engine = new Engine({ nodeId: node, cluster: 'test', clock: new ManualClock() });
      engine.container.register(CoreTokens.ArbiterClient, {
        useValue: { requestSwitchover: async () => ({ ok: false, term: 0, primary: null, reason: 'test' }) },
      });
      let facade: PluginEngine | undefined;
      engine.use(definePlugin({ name: 'probe', version: '1.0.0', apply: (e) => void (facade = e) }));
      await engine.apply();
      const requests = facade!.metrics.counter({ name: 'switchyard_probe_requests_total', help: 'Requests.', labelNames: ['method'] });
      const latency = facade!.metrics.histogram({ name: 'switchyard_probe_seconds', help: 'Latency.', buckets: [0.01, 0.1] });
      requests.inc({ method: 'REGISTER' }, count);
      const options = requests.labels({ method: 'OPTIONS' });
      options.inc();
      options.inc();
      latency.observe({}, 0.05);
      parts.push(labelNode((await nodeRegistry(engine).getMetricsAsJSON()) as unknown as MetricJson[], node));
    }
    const lines = (await renderMetrics(parts)).split('\n');
    expect(lines).toContain('switchyard_probe_requests_total{method="REGISTER",node="sip-a"} 3');
    expect(lines).toContain('switchyard_probe_requests_total{method="REGISTER",node="sip-b"} 5');
    expect(lines).toContain('switchyard_probe_requests_total{method="OPTIONS",node="sip-b"} 2');
    expect(lines).toContain('switchyard_probe_seconds_bucket{le="0.01",node="sip-a"} 0');
    expect(lines).toContain('switchyard_probe_seconds_bucket{le="0.1",node="sip-b"} 1');
    expect(lines).toContain('switchyard_probe_seconds_count{node="sip-a"} 1');
  });

  it('refuses plugin metric names and labels that break the conventions, with a coded error', async () => {
    const engine = new Engine({ nodeId: 'sip-a', cluster: 'test', clock: new ManualClock() });
    engine.container.register(CoreTokens.ArbiterClient, {
      useValue: { requestSwitchover: async () => ({ ok: false, term: 0, primary: null, reason: 'test' }) },
    });
    let facade: PluginEngine | undefined;
    engine.use(definePlugin({ name: 'probe', version: '1.0.0', apply: (e) => void (facade = e) }));
    await engine.apply();
    const m = facade!.metrics;
    expect(() => m.counter({ name: 'probe_requests_total', help: 'x' })).toThrow(expect.objectContaining({ code: 'SWY_ERR_METRIC_INVALID' }));
    expect(() => m.counter({ name: 'switchyard_probe_requests', help: 'x' })).toThrow(/counter ends in _total/);
    expect(() => m.gauge({ name: 'switchyard_probe_things_total', help: 'x' })).toThrow(/only counters end in _total/);
    expect(() => m.gauge({ name: 'switchyard_probe_things', help: 'x', labelNames: ['node'] })).toThrow(/label "node"/);
    // Defining the same metric twice (a plugin applied again after a restart) hands back the first one.
    const first = m.gauge({ name: 'switchyard_probe_things', help: 'x' });
    expect(m.gauge({ name: 'switchyard_probe_things', help: 'x' })).toBe(first);
  });
});
