import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { runBounded, tempDir, waitFor, type CliResult } from '@switchyard/sdk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePortRun, installFromPacks, pack } from './install';

/**
 * What a plugin author does, end to end, as the README walks it: generate a package, install it
 * (core and SDK from packed tarballs, see install.ts), build, run its own tests, validate its
 * example config, and run that config as a real pair with `switchyard up` on loopback ports.
 */
const MAIN = path.resolve(__dirname, '..', 'dist', 'main.js');
const root = tempDir('switchyard-create-plugin-e2e-');
let tarballs: { core: string; sdk: string };
let scaffolder: string;

beforeAll(async () => {
  if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} is missing: build create-plugin first (npm test builds it)`);
  const packs = path.join(root, 'packs');
  fs.mkdirSync(packs);
  tarballs = { core: await pack('core', packs), sdk: await pack('sdk', packs) };
  scaffolder = await pack('create-plugin', packs);
}, 120_000);
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function expectOk(result: CliResult, what: string): void {
  if (result.code !== 0) throw new Error(`${what} exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
}

/** Generates a package of `kind` with --yes, installs, builds, and runs its tests; returns its folder. */
async function scaffold(kind: string, name: string, port: number): Promise<string> {
  const dir = path.join(root, name);
  // As `npm create @switchyard/plugin` runs it: the packed package's bin (it has no dependencies, so npm needs no registry).
  const created = await runBounded(
    'npm',
    ['exec', '--offline', '--yes', `--package=${scaffolder}`, '--', 'create-plugin', name, '--yes', '--kind', kind, '--dir', dir, '--port', String(port)],
    { cwd: root, timeoutMs: 60_000 },
  );
  expectOk(created, 'create-plugin');
  expect(created.stdout).toContain(`Created ${name} (${kind})`);
  await installFromPacks(dir, tarballs);
  expectOk(await runBounded('npm', ['run', 'build'], { cwd: dir, timeoutMs: 120_000 }), 'npm run build');
  expect(fs.existsSync(path.join(dir, 'dist', 'index.js'))).toBe(true);
  // Its tests and example config type-check too (vitest alone would not notice a type error).
  expectOk(await runBounded('npm', ['run', 'typecheck'], { cwd: dir, timeoutMs: 120_000 }), 'npm run typecheck');
  const test = await runBounded('npm', ['test'], { cwd: dir, timeoutMs: 120_000 });
  expectOk(test, 'npm test');
  // eslint-disable-next-line no-control-regex -- vitest colours its summary when run under vitest
  const summary = test.stdout.replace(/\x1b\[[0-9;]*m/g, '');
  expect(summary).toMatch(/Tests\s+\d+ passed \(\d+\)/);
  expect(summary).not.toMatch(/failed|skipped/);
  const validate = await runBounded('npm', ['run', 'validate'], { cwd: dir, timeoutMs: 60_000 });
  expectOk(validate, 'npm run validate');
  expect(validate.stdout).toContain(`is valid: cluster`);
  return dir;
}

/** The generated package's own `switchyard` (from the packed core). */
function cli(dir: string, args: string[]): Promise<CliResult> {
  return runBounded(process.execPath, [path.join(dir, 'node_modules', '.bin', 'switchyard'), ...args, '--config', 'switchyard.config.ts'], {
    cwd: dir,
    timeoutMs: 30_000,
  });
}

interface NodeView {
  id: string;
  role: string;
  status: string;
  term: number;
}

async function nodes(dir: string): Promise<Record<string, NodeView>> {
  const r = await cli(dir, ['status', '--json']);
  if (r.code !== 0) throw new Error(r.stderr);
  const view = JSON.parse(r.stdout) as { nodes: NodeView[] };
  return Object.fromEntries(view.nodes.map((n) => [n.id, n]));
}

/** `npm start` in the package (switchyard up), stopped by pid. */
async function withPair(dir: string, fn: () => Promise<void>): Promise<void> {
  const child = spawn(process.execPath, [path.join(dir, 'node_modules', '.bin', 'switchyard'), 'up', '--config', 'switchyard.config.ts'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    await fn();
  } catch (error) {
    throw new Error(`${(error as Error).message}\n--- switchyard up printed:\n${output}`);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const code = await exited;
    clearTimeout(timer);
    expect(code).toBe(0);
  }
}

const rolesAre = (dir: string, primary: string, backup: string) =>
  waitFor(
    async () => {
      const n = await nodes(dir);
      return n[primary]?.role === 'primary' && n[primary].status === 'running' && n[backup]?.role === 'backup' ? n : undefined;
    },
    30_000,
    `${primary} primary and running, ${backup} backup`,
  );

describe('npm create @switchyard/plugin, end to end', () => {
  it('monitor: generated, installed from packed tarballs, built, tested, and it switches a real pair over when its health file says down', async () => {
    const dir = await scaffold('monitor', 'my-monitor', await freePortRun());
    await withPair(dir, async () => {
      await rolesAre(dir, 'node-a', 'node-b');
      fs.writeFileSync(path.join(dir, 'health-node-a.txt'), 'down\n');
      const after = await rolesAre(dir, 'node-b', 'node-a');
      expect(after['node-a']).toMatchObject({ status: 'unavailable', role: 'backup' });
      expect(after['node-b']!.term).toBeGreaterThan(1);
    });
  });
});

describe('the other kinds, end to end', () => {
  it('reaction: a switchover raises an alarm that the generated reaction kind writes to alarms.jsonl', async () => {
    const dir = await scaffold('reaction', '@acme/my-reaction', await freePortRun());
    await withPair(dir, async () => {
      await rolesAre(dir, 'node-a', 'node-b');
      expectOk(await cli(dir, ['switchover', '--reason', 'e2e']), 'switchyard switchover');
      const line = await waitFor(
        () => {
          const file = path.join(dir, 'alarms.jsonl');
          if (!fs.existsSync(file)) return undefined;
          return fs.readFileSync(file, 'utf8').split('\n').find((l) => l.includes('"change":"raised"'));
        },
        20_000,
        'a raised line in alarms.jsonl',
      );
      expect(JSON.parse(line)).toMatchObject({ change: 'raised', reaction: 'to-file', alarm: { condition: 'switched', eventId: '01-10010' } });
    });
  });

  it("switchover-strategy: an operator's switchover right after the start is refused with the strategy's reason", async () => {
    const dir = await scaffold('switchover-strategy', 'my-strategy', await freePortRun());
    await withPair(dir, async () => {
      await rolesAre(dir, 'node-a', 'node-b');
      const refused = await cli(dir, ['switchover', '--reason', 'e2e']);
      expect(refused.code).toBe(1);
      expect(`${refused.stdout}${refused.stderr}`).toContain('a manual switchover is allowed after 30 s (minPrimaryTime)');
      expect((await nodes(dir))['node-a']).toMatchObject({ role: 'primary', term: 1 });
    });
  });

  it('arbiter: the generated arbiter kind runs the pair and carries out a switchover', async () => {
    const dir = await scaffold('arbiter', 'my-arbiter', await freePortRun());
    await withPair(dir, async () => {
      await rolesAre(dir, 'node-a', 'node-b');
      const status = JSON.parse((await cli(dir, ['status', '--json'])).stdout) as { arbiter: { kind: string; term: number } };
      expect(status.arbiter).toMatchObject({ kind: 'my-arbiter', term: 1 });
      expectOk(await cli(dir, ['switchover', '--reason', 'e2e']), 'switchyard switchover');
      const after = await rolesAre(dir, 'node-b', 'node-a');
      expect(after['node-b']!.term).toBe(2);
    });
  });
});
