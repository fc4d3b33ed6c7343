import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { runBounded, tempDir, waitFor, type CliResult } from '@switchyard/sdk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type RunningRegistry } from '../src/registry';
import { npmSandbox, type NpmSandbox } from './npm';
import { freePortRun } from './ports';
import { lockedVersions } from './registry';

/**
 * What a plugin author does, end to end, as the README walks it, with the real npm commands:
 * `npm run registry -w create-plugin` serves the packed @switchyard packages on loopback, then
 * `npm create @switchyard/plugin <name> --@switchyard:registry=<it> -- --yes`,
 * `npm install --@switchyard:registry=<it>`, build, the package's own tests, validate, and its
 * example config run as a real pair with `switchyard up` on loopback ports.
 * Every other package (zod, typescript, vitest, core's dependencies) comes from a second
 * loopback registry standing in for registry.npmjs.org: this repository's locked versions,
 * tarballs from npm's cache (see registry.ts). Nothing leaves 127.0.0.1.
 */
const REPO = path.resolve(__dirname, '..', '..');
const MAIN = path.resolve(__dirname, '..', 'dist', 'main.js');
const VERSION = (JSON.parse(fs.readFileSync(path.join(REPO, 'sdk', 'package.json'), 'utf8')) as { version: string }).version;
const root = tempDir('switchyard-create-plugin-e2e-');
let publicRegistry: RunningRegistry | undefined;
let npm: NpmSandbox;
/** `npm run registry -w create-plugin -- --port 0`: the process, what it printed, and its URL as it prints it. */
let switchyard: { child: ChildProcess; output: () => string; url: string } | undefined;

async function stopSwitchyardRegistry(): Promise<void> {
  const child = switchyard?.child;
  if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(-child.pid, 'SIGTERM');
  const timer = setTimeout(() => child.exitCode === null && child.signalCode === null && process.kill(-child.pid!, 'SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

beforeAll(async () => {
  if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} is missing: build create-plugin first (npm test builds it)`);
  // npm's own cache (as this user's config says), which `npm ci` filled with the locked tarballs.
  const cacheDir = await runBounded('npm', ['config', 'get', 'cache'], { cwd: REPO, timeoutMs: 30_000 });
  if (cacheDir.code !== 0) throw new Error(`npm config get cache failed:\n${cacheDir.stderr}`);
  publicRegistry = await startRegistry(lockedVersions(path.join(REPO, 'package-lock.json'), cacheDir.stdout.trim()));
  npm = npmSandbox(path.join(root, 'npm'), publicRegistry.url);

  // As the README says, from the clone's root; port 0 instead of 4873 so that runs never collide.
  const child = npm.start(['run', 'registry', '-w', 'create-plugin', '--', '--port', '0'], { cwd: REPO });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  child.on('error', (error) => (output += `\n${String(error)}\n`));
  switchyard = { child, output: () => output, url: '' };
  switchyard.url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm run registry printed no "Serving … on http://127.0.0.1:<port>/" in 120 s:\n${output}`)), 120_000);
    child.stdout!.on('data', () => {
      const url = /^Serving .* on (http:\/\/127\.0\.0\.1:\d+)\/$/m.exec(output)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve(url);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`npm run registry exited ${code}:\n${output}`));
    });
  });
  expect(output).toContain(`Serving @switchyard/core@${VERSION}, @switchyard/sdk@${VERSION}, @switchyard/create-plugin@${VERSION} on`);
}, 180_000);

// Four installed packages and their npm caches to delete: more than the default 30 s on a loaded machine.
afterAll(async () => {
  try {
    await stopSwitchyardRegistry();
    await publicRegistry?.close();
  } finally {
    await fs.promises.rm(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  }
}, 120_000);

function expectOk(result: CliResult, what: string): void {
  if (result.code !== 0) throw new Error(`${what} exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
}

/**
 * Generates a package of `kind` with `npm create … -- --yes`, installs it with `npm install`,
 * builds it, and runs its tests and `validate`; returns its folder. A fresh npm cache per
 * package, as on a machine that never installed these.
 */
async function scaffold(kind: string, name: string, port: number): Promise<string> {
  const dir = path.join(root, name);
  const cache = path.join(root, 'npm', `cache-${kind}`);
  const scope = `--@switchyard:registry=${switchyard!.url}`;
  const seenBefore = switchyard!.output().length;
  const publicSeenBefore = publicRegistry!.requests.length;

  const created = await npm.run(['create', '@switchyard/plugin', name, scope, '--', '--yes', '--kind', kind, '--dir', dir, '--port', String(port)], {
    cwd: root,
    timeoutMs: 120_000,
    cache,
  });
  // If npm fails, show what it asked the two registries for (a 404 names the package it wanted).
  const expectNpmOk = (result: CliResult, what: string) => {
    if (result.code === 0) return;
    const asked = publicRegistry!.requests.slice(publicSeenBefore).join('\n');
    expectOk(result, `${what} (public stand-in saw:\n${asked}\nnpm run registry printed:\n${switchyard!.output().slice(seenBefore)})\n`);
  };
  expectNpmOk(created, 'npm create @switchyard/plugin');
  expect(created.stdout).toContain(`Created ${name} (${kind})`);

  const installed = await npm.run(['install', scope], { cwd: dir, timeoutMs: 300_000, cache });
  expectNpmOk(installed, 'npm install');
  // The Switchyard packages came from `npm run registry` …
  const served = switchyard!.output().slice(seenBefore);
  for (const pkg of ['create-plugin', 'sdk', 'core']) expect(served).toContain(`GET /@switchyard/${pkg}/-/${pkg}-${VERSION}.tgz 200`);
  // … and nothing else did, nor did the public stand-in see any @switchyard request.
  expect(served.split('\n').filter((l) => l.startsWith('GET ') && !l.startsWith('GET /@switchyard'))).toEqual([]);
  expect(publicRegistry!.requests.slice(publicSeenBefore).filter((l) => l.includes('@switchyard'))).toEqual([]);
  // npm wrote a lockfile naming the loopback tarballs, and installed real folders (not links) with their bins.
  const lock = JSON.parse(fs.readFileSync(path.join(dir, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string; resolved?: string }> };
  for (const pkg of ['sdk', 'core']) {
    expect(lock.packages[`node_modules/@switchyard/${pkg}`]).toMatchObject({ version: VERSION, resolved: `${switchyard!.url}/@switchyard/${pkg}/-/${pkg}-${VERSION}.tgz` });
    expect(fs.lstatSync(path.join(dir, 'node_modules', '@switchyard', pkg)).isDirectory()).toBe(true);
  }
  expect(lock.packages['node_modules/typescript']?.resolved).toMatch(new RegExp(`^${publicRegistry!.url}typescript/-/typescript-`));
  for (const bin of ['switchyard', 'tsc', 'vitest']) expect(fs.existsSync(path.join(dir, 'node_modules', '.bin', bin))).toBe(true);

  expectOk(await npm.run(['run', 'build'], { cwd: dir, timeoutMs: 120_000 }), 'npm run build');
  expect(fs.existsSync(path.join(dir, 'dist', 'index.js'))).toBe(true);
  // Its tests and example config type-check too (vitest alone would not notice a type error).
  expectOk(await npm.run(['run', 'typecheck'], { cwd: dir, timeoutMs: 120_000 }), 'npm run typecheck');
  const test = await npm.run(['test'], { cwd: dir, timeoutMs: 120_000 });
  expectOk(test, 'npm test');
  // eslint-disable-next-line no-control-regex -- vitest colours its summary when run under vitest
  const summary = test.stdout.replace(/\x1b\[[0-9;]*m/g, '');
  expect(summary).toMatch(/Tests\s+\d+ passed \(\d+\)/);
  expect(summary).not.toMatch(/failed|skipped/);
  const validate = await npm.run(['run', 'validate'], { cwd: dir, timeoutMs: 60_000 });
  expectOk(validate, 'npm run validate');
  expect(validate.stdout).toContain(`is valid: cluster`);
  return dir;
}

/** The generated package's own `switchyard` (from the installed core). */
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
  it('monitor: created and installed with npm from loopback registries, built, tested, and it switches a real pair over when its health file says down', async () => {
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
