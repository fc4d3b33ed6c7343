import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryView } from '../src/management/operator-routes';
import {
  assertBuilt,
  freePort,
  hasTool,
  runCli,
  startUp,
  tempDir,
  waitFor,
  waitForPair,
  writePairConfig,
  type UpProcess,
} from '../src/testing/processes';
import { promtoolCheck } from './support/promtool';

const HAS_PROMETHEUS = hasTool('promtool') && hasTool('prometheus');
if (process.env.CI === 'true' && !HAS_PROMETHEUS) throw new Error('CI runs the operator suite: install prometheus (promtool and the server)');

async function get(port: number, what: string): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}${what}`);
}

/** Real processes: `switchyard up`, promtool, and a Prometheus server scraping the pair on loopback. */
describe.skipIf(!HAS_PROMETHEUS)('operators: /metrics, /history and switchyard history on a running pair', () => {
  let up: UpProcess | undefined;
  let prometheus: ChildProcess | undefined;
  const dirs: string[] = [];
  beforeAll(() => assertBuilt());
  afterEach(async () => {
    if (prometheus && prometheus.exitCode === null && prometheus.signalCode === null) {
      const child = prometheus;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    prometheus = undefined;
    const code = await up?.stop();
    up = undefined;
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
    expect(code).toBe(0);
  });

  it('serves metrics promtool accepts, records a kill -9 failover in the history, and a Prometheus server reads each node\'s role', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const config = await writePairConfig(dir);
    const port = (JSON.parse(fs.readFileSync(config, 'utf8')) as { management: { port: number } }).management.port;
    up = startUp(config);
    const first = await waitForPair(config);
    expect(first.primary.id).toBe('sip-a');

    // The HA link connects shortly after the roles are given.
    const text = await waitFor(
      async () => {
        const scrape = await get(port, '/metrics');
        expect(scrape.status).toBe(200);
        expect(scrape.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
        const body = await scrape.text();
        return body.includes('switchyard_ha_link_up{node="sip-a"} 1') && body.includes('switchyard_ha_link_up{node="sip-b"} 1') ? body : undefined;
      },
      10_000,
      'both HA links up in /metrics',
    );
    const lint = await promtoolCheck(text);
    expect(lint.output).toBe('');
    expect(lint.code).toBe(0);
    const lines = text.split('\n');
    expect(lines).toContain('switchyard_node_role{node="sip-a",role="primary"} 1');
    expect(lines).toContain('switchyard_node_role{node="sip-b",role="backup"} 1');
    // Process metrics of each node process (fetched over IPC) and of the agent itself.
    for (const node of ['sip-a', 'sip-b', 'supervisor']) expect(text).toMatch(new RegExp(`^process_resident_memory_bytes\\{node="${node}"\\} \\d+`, 'm'));

    process.kill(first.primary.pid!, 'SIGKILL');
    const after = await waitForPair(config, 2);
    expect(after.primary.id).toBe('sip-b');

    // The history: who, when, why, and how long no primary ran (once the new primary reports running).
    const entry = await waitFor(
      async () => {
        const view = (await (await get(port, '/history')).json()) as HistoryView;
        const found = view.switchovers.find((e) => e.term === after.primary.term);
        return found && found.gapMs !== null ? found : undefined;
      },
      10_000,
      'the failover in GET /history with its gap',
    );
    expect(entry).toMatchObject({ from: 'sip-a', to: 'sip-b', by: 'arbiter', cause: 'node_exited' });
    expect(entry.reason).toMatch(/sip-a exited/);
    expect(entry.gapMs).toBeGreaterThanOrEqual(0);
    expect(entry.gapMs).toBeLessThan(10_000);

    const json = await runCli(['history', '--json', '--config', config]);
    expect(json.code).toBe(0);
    expect((JSON.parse(json.stdout) as HistoryView).switchovers[0]).toEqual(entry);
    const table = await runCli(['history', '--config', config]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(new RegExp(`\\s${after.primary.term}\\s+sip-a\\s+sip-b\\s+arbiter\\s+\\d+ms\\s+primary sip-a exited`));

    const later = (await (await get(port, '/metrics')).text()).split('\n');
    expect(later).toContain('switchyard_switchovers_total{reason="node_exited"} 1');
    expect(later).toContain('switchyard_node_role{node="sip-b",role="primary"} 1');

    // A real Prometheus server scrapes the pair every second; a query returns the role of each node.
    const promDir = tempDir('switchyard-prometheus-');
    dirs.push(promDir);
    const promPort = await freePort();
    fs.writeFileSync(
      path.join(promDir, 'prometheus.yml'),
      [
        'global:',
        '  scrape_interval: 1s',
        'scrape_configs:',
        '  - job_name: switchyard',
        '    static_configs:',
        `      - targets: ['127.0.0.1:${port}']`,
        '',
      ].join('\n'),
    );
    const promLog: string[] = [];
    prometheus = spawn(
      'prometheus',
      [
        `--config.file=${path.join(promDir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${path.join(promDir, 'data')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    for (const stream of [prometheus.stdout!, prometheus.stderr!]) stream.on('data', (d: Buffer) => promLog.push(d.toString()));
    const roles = await waitFor(
      async () => {
        const query = encodeURIComponent('switchyard_node_role == 1');
        const res = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${query}`);
        if (!res.ok) return undefined;
        const body = (await res.json()) as { data: { result: { metric: Record<string, string> }[] } };
        const result = body.data.result.map((r) => `${r.metric['node']}=${r.metric['role']}`).sort();
        return result.length === 2 ? result : undefined;
      },
      20_000,
      'Prometheus to answer switchyard_node_role == 1 for both nodes',
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${promLog.join('').slice(-3000)}`);
    });
    expect(roles).toEqual(['sip-a=backup', 'sip-b=primary']);
  }, 90_000);
});
