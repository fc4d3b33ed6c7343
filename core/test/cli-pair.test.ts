import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  assertBuilt,
  clusterStatus,
  isAlive,
  nodeWithRole,
  runCli,
  startUp,
  tempDir as newTempDir,
  waitFor,
  waitForPair,
  writePairConfig,
  type UpProcess,
} from '../src/testing/processes';

/** Real OS processes: `switchyard up` forks two nodes; we kill, freeze and switch them. */
describe('switchyard up (real processes)', () => {
  let up: UpProcess | undefined;
  let frozen: number | undefined;
  beforeAll(() => assertBuilt());
  const dirs: string[] = [];
  const tempDir = (): string => {
    const dir = newTempDir();
    dirs.push(dir);
    return dir;
  };
  afterEach(async () => {
    if (frozen && isAlive(frozen)) process.kill(frozen, 'SIGCONT');
    frozen = undefined;
    const code = await up?.stop();
    up = undefined;
    // After the pair stopped writing into it.
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
    expect(code).toBe(0);
  });

  const status = clusterStatus;
  const node = nodeWithRole;
  const pair = async (config: string, minTerm = 1) => {
    const { view: v, primary: p, backup: b } = await waitForPair(config, minTerm);
    return { v, p, b };
  };

  it('starts a primary and a backup, fails over on kill -9, and brings the dead node back as backup', async () => {
    const dir = tempDir();
    const config = await writePairConfig(dir);
    up = startUp(config);
    const first = await pair(config);
    expect(first.p.id).toBe('sip-a'); // higher priority
    expect(first.p.term).toBe(1);
    expect(first.v).toMatchObject({ cluster: 'test', arbiter: { kind: 'embedded' } });
    expect(first.p.pid).toBeGreaterThan(0);
    expect(first.b.pid).not.toBe(first.p.pid);

    process.kill(first.p.pid!, 'SIGKILL');
    const after = await pair(config, 2);
    expect(after.p.id).toBe('sip-b');
    expect(after.p.term).toBeGreaterThan(first.p.term);
    expect(after.b.id).toBe('sip-a');
    expect(after.b.pid).not.toBe(first.p.pid);
    expect(after.b.restarts).toBe(1);
    expect(up.output()).toMatch(/01-10010 Switchover: sip-b is primary, sip-a is backup \(term 2\): primary sip-a exited/);
  });

  /** A plugin that makes each node hold `mb` MiB it has written to: the kernel takes tens of ms to free it after kill -9. */
  const ballast = (dir: string, mb: number): string => {
    fs.writeFileSync(
      path.join(dir, 'ballast.js'),
      `module.exports = { [Symbol.for('switchyard:plugin')]: true, name: 'ballast', version: '1.0.0',
        apply() { globalThis.ballast = Array.from({ length: ${mb} }, () => Buffer.alloc(1 << 20, 1)); } };\n`,
    );
    return './ballast.js';
  };
  /** The lines of `output` with these event ids, as `id node`, in order. */
  const eventLines = (output: string, ids: string[]): string[] =>
    output
      .split('\n')
      .map((line) => new RegExp(`(${ids.join('|')}) (?:Switchover: (sip-[ab]) is primary|Node (sip-[ab]))`).exec(line))
      .filter((m) => m !== null)
      .map((m) => `${m[1]} ${m[2] ?? m[3]}`);

  it('gives a killed primary’s role away while the kernel tears it down, before its exit is reported (supervisor.exitPoll)', async () => {
    const dir = tempDir();
    const config = await writePairConfig(dir, { plugins: { [ballast(dir, 300)]: true } });
    up = startUp(config);
    const first = await pair(config);
    process.kill(first.p.pid!, 'SIGKILL');
    const after = await pair(config, 2);
    expect(after.p.id).toBe('sip-b');
    expect(eventLines(up.output(), ['01-10039', '01-10010', '01-10040'])).toEqual([
      '01-10039 sip-a',
      '01-10010 sip-b',
      '01-10040 sip-a',
    ]);
    expect(up.output()).toMatch(/01-10039 Node sip-a process \d+ is exiting \(signal SIGKILL\)/);
    expect(up.output()).toMatch(/01-10010 Switchover: sip-b is primary, sip-a is backup \(term 2\): primary sip-a exited \(signal SIGKILL\)/);
  });

  it('with supervisor.exitPoll 0, waits for the exit report before the switchover', async () => {
    const dir = tempDir();
    const config = await writePairConfig(dir, { plugins: { [ballast(dir, 300)]: true }, supervisor: { restartDelay: 0.2, restartMaxDelay: 2, stopTimeout: 3, exitPoll: 0 } });
    up = startUp(config);
    const first = await pair(config);
    process.kill(first.p.pid!, 'SIGKILL');
    await pair(config, 2);
    expect(eventLines(up.output(), ['01-10039', '01-10010', '01-10040'])).toEqual(['01-10040 sip-a', '01-10010 sip-b']);
  });

  it('switches over when the primary is frozen (SIGSTOP) and takes it back as backup when it thaws', async () => {
    const dir = tempDir();
    const config = await writePairConfig(dir);
    up = startUp(config);
    const first = await pair(config);
    frozen = first.p.pid!;
    process.kill(frozen, 'SIGSTOP');
    const v = await waitFor(
      async () => {
        const s = await status(config);
        return s.arbiter.primary === 'sip-b' && node(s, 'primary')?.id === 'sip-b' ? s : undefined;
      },
      10_000,
      'sip-b to become primary',
    );
    expect(v.nodes.find((n) => n.id === 'sip-a')?.status).toBe('unresponsive');
    expect(up.output()).toMatch(/01-10042 Node sip-a .*missed heartbeats/);
    process.kill(frozen, 'SIGCONT');
    const thawed = await pair(config, 2);
    expect(thawed.b).toMatchObject({ id: 'sip-a', pid: first.p.pid });
    expect(thawed.p.id).toBe('sip-b');
  });

  it('does not switch over when the agent itself stalls (SIGSTOP of switchyard up), and says so (01-10062)', async () => {
    const dir = tempDir();
    const config = await writePairConfig(dir);
    up = startUp(config);
    const first = await pair(config);
    frozen = up.child.pid!;
    process.kill(frozen, 'SIGSTOP');
    // The stimulus: the agent stopped for 1 s, over three times switchTimeout (0.3 s), while both nodes keep beating.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    process.kill(frozen, 'SIGCONT');
    frozen = undefined;
    await waitFor(() => (/01-10062 /.test(up!.output()) ? true : undefined), 10_000, 'the agent to report its own stall');
    const after = await pair(config);
    expect(after.v.arbiter.term).toBe(first.v.arbiter.term);
    expect(after.p).toMatchObject({ id: first.p.id, pid: first.p.pid });
    expect(up.output()).not.toMatch(/01-10042 /);
  });

  it('performs a manual switchover through the CLI, with the token from the runtime dir', async () => {
    const dir = tempDir();
    const config = await writePairConfig(dir);
    up = startUp(config);
    const first = await pair(config);
    const r = await runCli(['switchover', '--config', config, '--reason', 'maintenance']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('sip-b is primary');
    const after = await pair(config, first.p.term + 1);
    expect(after.p.id).toBe('sip-b');
    expect(after.p.pid).toBe(first.b.pid); // a switchover, not a restart
    expect(up.output()).toMatch(/manual switchover by management-api: maintenance/);
  });

  it('prints a readable status table and exits 1 when nothing is running', async () => {
    const dir = tempDir();
    const config = await writePairConfig(dir);
    const down = await runCli(['status', '--config', config]);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/SWY_ERR_MGMT_UNREACHABLE/);
    up = startUp(config);
    await pair(config);
    const table = await runCli(['status', '--config', path.relative(process.cwd(), config)]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/sip-a\s+primary\s+running/);
    expect(table.stdout).toMatch(/sip-b\s+backup\s+running/);
  });
});
