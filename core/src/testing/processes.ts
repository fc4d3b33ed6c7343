import dgram from 'node:dgram';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { ClusterStatusView, NodeStatusView } from '../management/types';

/** Tracked temp folders (cleanup.ts), here too for the tests that import this file directly. */
export { tempDir } from './cleanup';

/**
 * Helpers for tests that run real processes: the built `switchyard` CLI,
 * free loopback ports, polling. Used by core's own tests and re-exported by
 * `@switchyard/sdk` for plugin authors' integration tests.
 */

/** The built CLI (also when this file runs from `src/` under a test runner). */
export const CLI = __dirname.endsWith(path.join('src', 'testing'))
  ? path.resolve(__dirname, '../../dist/cli/main.js')
  : path.resolve(__dirname, '../cli/main.js');

/** The process tests run the built CLI, as a user does. */
export function assertBuilt(): void {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` (npm test does it) first`);
}

/**
 * Whether an external tool (sipp, sipsak, etcd, ip) is on the PATH. Under
 * `CI=true` a missing tool throws: CI must run every suite, never skip it.
 * On a developer's machine the caller may skip with a message.
 */
export function hasTool(name: string): boolean {
  const found = (process.env.PATH ?? '')
    .split(path.delimiter)
    .some((dir) => dir !== '' && fs.existsSync(path.join(dir, name)));
  if (!found && process.env.CI === 'true') {
    throw new Error(`${name} is not installed, and CI must run the tests that need it (.ci/run installs it with apt-get)`);
  }
  return found;
}

/**
 * Ports tests pick from: below Linux's ephemeral range (32768-60999 by
 * default), so no client socket of a test running beside (a prober, SIPp's
 * own port, an outgoing connection) is given one by the kernel between the
 * pick and the bind. A port the kernel picked (port 0) could be, and a node
 * whose SIP listener then found its UDP port taken never listened.
 */
const PICK_FROM = 20_000;
const PICK_TO = 32_000;
const handedOut = new Set<number>();

/** Whether `port` binds on 127.0.0.1 for TCP and for UDP just now (both released again). */
async function bindsNow(port: number): Promise<boolean> {
  const tcp = await new Promise<boolean>((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
  if (!tcp) return false;
  return new Promise<boolean>((resolve) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
  });
}

/** A port free on 127.0.0.1 for both TCP and UDP, outside the ephemeral range, not handed out before by this process. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = PICK_FROM + Math.floor(Math.random() * (PICK_TO - PICK_FROM));
    if (handedOut.has(port)) continue;
    if (!(await bindsNow(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`no free port found between ${PICK_FROM} and ${PICK_TO} in 200 tries`);
}

/** Writes a single-host pair config (JSON) with free ports into `dir`; returns its path. */
export async function writePairConfig(
  dir: string,
  extra: Record<string, unknown> = {},
  nodeExtra: [Record<string, unknown>, Record<string, unknown>] = [{}, {}],
): Promise<string> {
  const [mgmt, a, b] = [await freePort(), await freePort(), await freePort()];
  const config = {
    cluster: 'test',
    nodes: [
      { id: 'sip-a', host: '127.0.0.1', haPort: a, priority: 100, ...nodeExtra[0] },
      { id: 'sip-b', host: '127.0.0.1', haPort: b, priority: 50, ...nodeExtra[1] },
    ],
    arbiter: { kind: 'embedded', switchTimeout: 1, startupTimeout: 5 },
    management: { host: '127.0.0.1', port: mgmt },
    haLink: { heartbeatInterval: 0.1, missedHeartbeats: 3 },
    supervisor: { restartDelay: 0.2, restartMaxDelay: 2, stopTimeout: 3 },
    ...extra,
  };
  const file = path.join(dir, 'switchyard.config.json');
  fs.writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a program to completion and collects its output, bounded by
 * `timeoutMs` (then killed by pid and rejected with what it printed).
 */
export function runBounded(
  command: string,
  args: readonly string[],
  opts: { cwd?: string; timeoutMs?: number; label?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliResult> {
  const timeoutMs = opts.timeoutMs ?? 20_000;
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${opts.label ?? command} ${args.join(' ')} did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs the built `switchyard` CLI to completion (bounded by `timeoutMs`). */
export function runCli(args: string[], opts: { cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return runBounded(process.execPath, [CLI, ...args], { ...opts, label: 'switchyard' });
}

/** A running `switchyard up`, stopped (by pid) in `stop()`. */
export interface UpProcess {
  child: ChildProcess;
  output(): string;
  /** SIGTERM and wait; returns the exit code. */
  stop(): Promise<number | null>;
}

/**
 * `switchyard up --config configFile`, with `extraArgs` (e.g. `--log-stdout`)
 * before `--config`; `env`: its environment (this process's by default).
 */
export function startUp(configFile: string, extraArgs: readonly string[] = [], opts: { env?: NodeJS.ProcessEnv } = {}): UpProcess {
  const child = spawn(process.execPath, [CLI, 'up', ...extraArgs, '--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Polls `probe` until it returns a value (not undefined) or `timeoutMs` passes. */
export async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number, what: string, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** `switchyard status --json` for a config, via the CLI (as an operator would). */
export async function clusterStatus(config: string): Promise<ClusterStatusView> {
  const r = await runCli(['status', '--json', '--config', config]);
  if (r.code !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as ClusterStatusView;
}

/** The running node with `role`, if there is one. */
export function nodeWithRole(view: ClusterStatusView, role: 'primary' | 'backup'): NodeStatusView | undefined {
  return view.nodes.find((n) => n.role === role && n.status === 'running');
}

/** Waits for a stable pair: one running primary and one running backup, both at the arbiter's term (≥ minTerm). */
export async function waitForPair(
  config: string,
  minTerm = 1,
  timeoutMs = 15_000,
): Promise<{ view: ClusterStatusView; primary: NodeStatusView; backup: NodeStatusView }> {
  return waitFor(
    async () => {
      const view = await clusterStatus(config);
      const primary = nodeWithRole(view, 'primary');
      const backup = nodeWithRole(view, 'backup');
      return primary && backup && primary.term >= minTerm && backup.term === primary.term && view.arbiter.term === primary.term
        ? { view, primary, backup }
        : undefined;
    },
    timeoutMs,
    `a running primary and backup at term >= ${minTerm}`,
  );
}

/** One line of a node's JSON log file. */
export interface LogLine {
  level: string;
  message: string;
  eventId?: string;
  node?: string;
  term?: number;
  [field: string]: unknown;
}

/** The JSON lines a node (or `supervisor`) wrote to `<runtimeDir>/logs/<node>.log` so far. */
export function readNodeLog(runtimeDir: string, node: string): LogLine[] {
  const file = path.join(runtimeDir, 'logs', `${node}.log`);
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as LogLine];
      } catch {
        return []; // a line being written right now
      }
    });
}

/**
 * Links the node_modules that holds @switchyard/core into `dir`, so a config
 * written to a temp folder resolves its plugins (`sip` →
 * @switchyard/plugin-sip) as a config inside the project would.
 */
export function linkNodeModules(dir: string): void {
  for (let at = __dirname; ; at = path.dirname(at)) {
    const candidate = path.join(at, 'node_modules');
    if (fs.existsSync(path.join(candidate, '@switchyard', 'core'))) {
      fs.symlinkSync(candidate, path.join(dir, 'node_modules'), 'dir');
      return;
    }
    if (path.dirname(at) === at) throw new Error('no node_modules with @switchyard/core above this package');
  }
}
