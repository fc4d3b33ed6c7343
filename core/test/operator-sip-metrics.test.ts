import fs from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  assertBuilt,
  freePort,
  hasTool,
  linkNodeModules,
  runBounded,
  startUp,
  tempDir,
  waitFor,
  waitForPair,
  writePairConfig,
  type UpProcess,
} from '../src/testing/processes';
import { promtoolCheck } from './support/promtool';

const HAS_SIPSAK = hasTool('sipsak') && hasTool('promtool');
if (process.env.CI === 'true' && !HAS_SIPSAK) throw new Error('CI runs the SIP metrics suite: install sipsak and prometheus (promtool)');


/** Real processes: a pair running the sip plugin, sipsak as the SIP peer, the agent's /metrics as Prometheus reads it. */
describe.skipIf(!HAS_SIPSAK)('SIP metrics of a running pair', () => {
  let up: UpProcess | undefined;
  const dirs: string[] = [];
  beforeAll(() => assertBuilt());
  afterEach(async () => {
    const code = await up?.stop();
    up = undefined;
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
    expect(code).toBe(0);
  });

  it('counts requests and responses by method and code, times REGISTER, and shows the bindings on both nodes', async () => {
    const dir = tempDir();
    dirs.push(dir);
    linkNodeModules(dir);
    const [sipA, sipB] = [await freePort(), await freePort()];
    const config = await writePairConfig(dir, { plugins: { sip: { replication: { mode: 'sync' } } } }, [{ sip: { port: sipA } }, { sip: { port: sipB } }]);
    const port = (JSON.parse(fs.readFileSync(config, 'utf8')) as { management: { port: number } }).management.port;
    const metrics = async (): Promise<string[]> => (await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).split('\n');
    up = startUp(config);
    const { primary } = await waitForPair(config);
    expect(primary.id).toBe('sip-a');
    await waitFor(async () => ((await metrics()).includes('switchyard_sip_listening{node="sip-a"} 1') ? true : undefined), 10_000, 'sip-a listening');

    const options = await runBounded('sipsak', ['-vv', '-H', '127.0.0.1', '-s', `sip:ping@127.0.0.1:${sipA}`], { timeoutMs: 15_000 });
    expect(options.stdout + options.stderr).toMatch(/SIP\/2\.0 200/);
    const register = await runBounded(
      'sipsak',
      ['-U', '-H', '127.0.0.1', '-C', 'sip:alice@127.0.0.1:5999', '-x', '600', '-s', `sip:alice@127.0.0.1:${sipA}`],
      { timeoutMs: 15_000 },
    );
    expect(register.code, register.stdout + register.stderr).toBe(0);

    const lines = await waitFor(
      async () => {
        const now = await metrics();
        return now.includes('switchyard_sip_bindings{node="sip-b"} 1') ? now : undefined;
      },
      10_000,
      'the binding replicated to sip-b',
    );
    expect(lines).toContain('switchyard_sip_requests_total{method="OPTIONS",node="sip-a"} 1');
    expect(lines).toContain('switchyard_sip_responses_total{method="OPTIONS",code="200",node="sip-a"} 1');
    expect(lines).toContain('switchyard_sip_bindings{node="sip-a"} 1');
    const registers = Number(lines.find((l) => l.startsWith('switchyard_sip_requests_total{method="REGISTER",node="sip-a"}'))?.split(' ')[1]);
    expect(registers).toBeGreaterThanOrEqual(1);
    const ok = Number(lines.find((l) => l.startsWith('switchyard_sip_responses_total{method="REGISTER",code="200",node="sip-a"}'))?.split(' ')[1]);
    expect(ok).toBeGreaterThanOrEqual(1);
    // Every REGISTER answered is timed, and the answers took less than the histogram's top bucket.
    expect(lines).toContain(`switchyard_sip_register_duration_seconds_count{node="sip-a"} ${registers}`);
    expect(lines).toContain(`switchyard_sip_register_duration_seconds_bucket{le="2.5",node="sip-a"} ${registers}`);
    // Prometheus' own linter accepts the scrape with the plugin's series in it.
    const lint = await promtoolCheck(lines.join('\n'));
    expect(lint.output).toBe('');
    expect(lint.code).toBe(0);
    // The backup answered nothing: it saw no request.
    expect(lines.some((l) => l.startsWith('switchyard_sip_requests_total') && l.includes('node="sip-b"'))).toBe(false);
  }, 60_000);
});
