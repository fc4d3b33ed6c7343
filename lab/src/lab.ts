import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { withDeadline } from './deadline';
import { planEtcd } from './etcd';
import { EtcdCluster } from './etcd-cluster';
import { LabError } from './errors';
import { guardLab } from './exit-guard';
import { startInNamespace, type LabExit, type LabProcess, type LabSpawnOptions } from './processes';
import { processStartTime } from './proc';
import { PROBE_PORT, probeArgv } from './reachability';
import { PREFIX_PATTERN, claimPrefix } from './prefix';
import { recordFile, writeRecord, type LabRecord } from './registry';
import { sweepLabs } from './sweep';
import { teardownLab, type TeardownTarget } from './teardown';
import {
  ADDRESSES,
  HOST_NAMES,
  INTERFACES,
  LAB_PLACES,
  LINK_KINDS,
  buildTopology,
  clientControlAddresses,
  labNames,
  namespacesOf,
  setSwitchPorts,
  type HostName,
  type LabNames,
  type LabPlace,
  type LinkKind,
} from './topology';
import { requireRoot, requireTool } from './tools';
import type { LabClient, LabHost, LabOptions, LabRunResult } from './types';

export type { LabClient, LabHost, LabOptions, LabRunResult };

interface Tracked {
  process: LabProcess;
  child: ChildProcess;
  /** Long-lived (spawn) processes go to the registry; bounded runs only to memory. */
  registered: boolean;
}

function checkPlace(where: LabPlace): void {
  if (!LAB_PLACES.includes(where)) throw new LabError('SWY_ERR_LAB_BAD_ARGUMENT', `no place "${String(where)}" in the lab: use h1, h2 or client`);
}

function checkHost(host: HostName): void {
  if (!HOST_NAMES.includes(host)) throw new LabError('SWY_ERR_LAB_BAD_ARGUMENT', `no host "${String(host)}" in the lab: use h1 or h2`);
}

function checkLink(kind: LinkKind): void {
  if (!LINK_KINDS.includes(kind)) throw new LabError('SWY_ERR_LAB_BAD_ARGUMENT', `no link "${String(kind)}": use ctl or sip`);
}

/**
 * A two-host network lab built from Linux network namespaces: hosts h1 and
 * h2, a client namespace, and a switch namespace whose two bridges carry the
 * control network (192.0.2.0/24) and the SIP network (198.51.100.0/24).
 * Needs root. Like every `@switchyard` package it imports `@switchyard/core`,
 * so load `reflect-metadata` first (vitest's shared setup does).
 *
 * ```ts
 * const lab = await Lab.create({ etcdMembers: 1 });
 * try {
 *   lab.spawn('h1', ['node', cli, 'node', '--config', file, '--id', 'sip-a']);
 *   await lab.cutHost('h1');
 * } finally {
 *   await lab.destroy();
 * }
 * ```
 */
export class Lab {
  /** Namespace prefix, e.g. `sy3f2a`: the namespaces are `<prefix>-h1`, `-h2`, `-cl` and `-sw`. */
  readonly prefix: string;
  /** The lab's own folder (etcd data and logs), removed by {@link destroy}. */
  readonly dir: string;
  readonly namespaces: readonly string[];
  readonly hosts: { readonly h1: LabHost; readonly h2: LabHost };
  readonly client: LabClient;
  /** Client URLs of the etcd members, e.g. `http://192.0.2.254:2379`; empty without etcd. */
  readonly etcdEndpoints: readonly string[];

  private readonly names: LabNames;
  private readonly log: (line: string) => void;
  private readonly tracked = new Set<Tracked>();
  private readonly etcd: EtcdCluster;
  private owner: LabRecord['owner'];
  private readonly createdAt = new Date().toISOString();
  private writing: Promise<void> = Promise.resolve();
  private destroyed: Promise<void> | undefined;
  private readonly release: () => void;

  private constructor(prefix: string, dir: string, options: LabOptions) {
    this.prefix = prefix;
    this.dir = dir;
    this.names = labNames(prefix);
    this.namespaces = namespacesOf(this.names);
    this.log = options.log ?? (() => undefined);
    const etcdMembers = options.etcdMembers ?? 1;
    const host = (name: HostName): LabHost => ({
      name,
      ns: this.names[name],
      controlAddress: ADDRESSES[name].ctl,
      sipAddress: ADDRESSES[name].sip,
      controlIf: INTERFACES.ctl,
      sipIf: INTERFACES.sip,
    });
    this.hosts = { h1: host('h1'), h2: host('h2') };
    this.client = {
      ns: this.names.client,
      controlAddress: ADDRESSES.client.ctl,
      controlAddresses: clientControlAddresses(etcdMembers),
      sipAddress: ADDRESSES.client.sip,
      controlIf: INTERFACES.ctl,
      sipIf: INTERFACES.sip,
    };
    const etcdPlan = planEtcd(etcdMembers, dir);
    this.etcdEndpoints = etcdPlan.map((m) => m.clientUrl);
    this.etcd = new EtcdCluster(
      etcdPlan,
      prefix,
      {
        spawn: (argv, opts) => this.spawn('client', argv, opts),
        run: (argv, opts) => this.run('client', argv, opts),
        log: this.log,
      },
      options.etcdTimeoutMs ?? 20_000,
    );
    this.owner = { pid: process.pid, startTime: processStartTime(process.pid) ?? '' };
    this.release = guardLab(prefix, () => this.target());
  }

  /**
   * Builds a lab: removes labs left by dead processes, then the namespaces,
   * bridges and veths, then (with `etcdMembers` ≥ 1) etcd in the client
   * namespace, and waits until `etcdctl endpoint health` passes. If any step
   * fails, everything built so far is removed before the error is thrown.
   *
   * @throws `SWY_ERR_LAB_NOT_ROOT`, `SWY_ERR_LAB_TOOL_MISSING`, `SWY_ERR_LAB_EXISTS`,
   *   `SWY_ERR_LAB_COMMAND_FAILED`, `SWY_ERR_LAB_ETCD_UNHEALTHY` (with the etcd log tail).
   */
  static async create(options: LabOptions = {}): Promise<Lab> {
    const members = options.etcdMembers ?? 1;
    if (![0, 1, 3].includes(members)) {
      throw new LabError('SWY_ERR_LAB_BAD_ARGUMENT', `etcdMembers must be 0, 1 or 3, not ${String(members)}`);
    }
    if (options.prefix !== undefined && !PREFIX_PATTERN.test(options.prefix)) {
      throw new LabError('SWY_ERR_LAB_BAD_ARGUMENT', `prefix "${options.prefix}" must be 2-12 characters [a-z0-9], starting with a letter`);
    }
    requireRoot();
    requireTool('ip');
    if (members > 0) {
      requireTool('etcd');
      requireTool('etcdctl');
    }
    const log = options.log ?? (() => undefined);
    await sweepLabs({ log: (line) => log(`swept a lab whose owner died: ${line}`) });
    const prefix = await claimPrefix(options.prefix);
    let dir: string;
    try {
      dir = fs.mkdtempSync(path.join(options.dir ?? os.tmpdir(), `${prefix}-`));
    } catch (error) {
      fs.rmSync(recordFile(prefix), { force: true });
      throw error;
    }
    const lab = new Lab(prefix, dir, options);
    try {
      await lab.persist();
      await buildTopology(lab.names, members, log);
      if (members > 0) await lab.etcd.startAll();
      log(`lab ${prefix} ready (folder ${dir})`);
      return lab;
    } catch (error) {
      await lab.destroy();
      throw error;
    }
  }

  /**
   * Runs `argv` in a namespace (`ip netns exec <ns> ...argv`) as its own
   * process group, tracked so that {@link destroy} kills it.
   */
  spawn(where: LabPlace, argv: readonly string[], opts: LabSpawnOptions = {}): LabProcess {
    return this.start(where, argv, opts, true).process;
  }

  /** Runs `argv` in a namespace to completion, killed (its whole group) after `timeoutMs` (default 30 s). */
  async run(where: LabPlace, argv: readonly string[], opts: { timeoutMs?: number; input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<LabRunResult> {
    const timeoutMs = opts.timeoutMs ?? 30_000;
    const stdout: string[] = [];
    const stderr: string[] = [];
    const tracked = this.start(where, argv, { env: opts.env, onLine: (line, s) => (s === 'stdout' ? stdout : stderr).push(line) }, false, opts.input);
    const finished = new Promise<void>((resolve) => tracked.child.once('close', () => resolve()));
    const timedOut = (await withDeadline(finished.then(() => false), timeoutMs)) === undefined;
    if (timedOut) {
      tracked.process.kill('SIGKILL');
      // A process that escaped the group may hold the pipes open: do not wait for them for long.
      await withDeadline(finished, 2_000);
    }
    const exit: LabExit = (await withDeadline(tracked.process.exited, 2_000)) ?? { code: null, signal: null };
    return { code: exit.code, signal: exit.signal, stdout: stdout.join('\n'), stderr: stderr.join('\n'), timedOut };
  }

  /**
   * Whether `from` can reach `address` now: a TCP connection attempt to a
   * closed port that gets an answer (a refusal) within `timeoutMs` (default 1 s).
   */
  async reachable(from: LabPlace, address: string, opts: { timeoutMs?: number; port?: number } = {}): Promise<boolean> {
    const timeoutMs = opts.timeoutMs ?? 1_000;
    const result = await this.run(from, probeArgv(address, opts.port ?? PROBE_PORT, timeoutMs), { timeoutMs: timeoutMs + 10_000 });
    return result.code === 0;
  }

  /** Isolates a host: both of its switch ports go down, so it reaches neither its peer, the client nor etcd. */
  async cutHost(host: HostName): Promise<void> {
    checkHost(host);
    await this.setPorts(host, LINK_KINDS, 'down');
  }

  /** Undoes {@link cutHost}. */
  async restoreHost(host: HostName): Promise<void> {
    checkHost(host);
    await this.setPorts(host, LINK_KINDS, 'up');
  }

  /** Cuts one network of a host: `ctl` (HA link, etcd, management) or `sip`. */
  async cutLink(host: HostName, kind: LinkKind): Promise<void> {
    checkHost(host);
    checkLink(kind);
    await this.setPorts(host, [kind], 'down');
  }

  /** Undoes {@link cutLink}. */
  async restoreLink(host: HostName, kind: LinkKind): Promise<void> {
    checkHost(host);
    checkLink(kind);
    await this.setPorts(host, [kind], 'up');
  }

  /** Sends a signal to one process (e.g. SIGSTOP a node to make it hang, SIGCONT to resume it). */
  signal(pid: number, signal: 'SIGKILL' | 'SIGSTOP' | 'SIGCONT' | 'SIGTERM'): void {
    try {
      process.kill(pid, signal);
    } catch (error) {
      throw new LabError('SWY_ERR_LAB_BAD_ARGUMENT', `cannot send ${signal} to pid ${pid}: ${(error as Error).message}`, { cause: error });
    }
  }

  /** The running etcd member `member` (0-based), if it runs. */
  etcdProcess(member = 0): LabProcess | undefined {
    return this.etcd.process(member);
  }

  /** Stops an etcd member gracefully (SIGTERM) and waits for it to exit (etcd takes about 2 s). */
  stopEtcd(member = 0): Promise<void> {
    return this.etcd.stop(member);
  }

  /** Kills an etcd member (SIGKILL): a crash, not a shutdown. Waits for it to exit. */
  killEtcd(member = 0): Promise<void> {
    return this.etcd.kill(member);
  }

  /** Starts a stopped etcd member again on its data folder and waits until it is healthy. */
  startEtcd(member = 0): Promise<void> {
    return this.etcd.start(member);
  }

  /** Pids of the processes the lab tracks and that still run. */
  trackedPids(): number[] {
    return [...this.tracked].filter((t) => t.process.running).map((t) => t.process.pid);
  }

  /**
   * Leaves the lab running after this process exits (`switchyard-lab up`):
   * no exit cleanup, no owner in the registry, children unreferenced. Only
   * `switchyard-lab down`, `sweepLabs({ all: true })` or {@link destroy}
   * remove it then. Processes spawned without `logFile` lose their output pipe.
   */
  async detach(): Promise<void> {
    this.assertAlive();
    this.owner = null;
    for (const t of this.tracked) {
      t.child.stdout?.destroy();
      t.child.stderr?.destroy();
      t.child.unref();
    }
    await this.persist();
    this.release();
  }

  /**
   * Removes the lab: SIGCONT then SIGKILL every tracked process group and any
   * other process in its namespaces, waits for them to exit, deletes the
   * namespaces (and so their veths and bridges), the lab folder and the
   * registry entry. Idempotent.
   */
  destroy(): Promise<void> {
    this.destroyed ??= (async () => {
      await this.writing;
      await teardownLab(this.target());
      await Promise.all([...this.tracked].map((t) => withDeadline(t.process.exited, 5_000)));
      this.tracked.clear();
      this.release();
      this.log(`lab ${this.prefix} destroyed`);
    })();
    return this.destroyed;
  }

  private start(where: LabPlace, argv: readonly string[], opts: LabSpawnOptions, registered: boolean, input?: string): Tracked {
    this.assertAlive();
    checkPlace(where);
    const started = startInNamespace(requireTool('ip'), this.names[where], argv, opts, input);
    const tracked: Tracked = { ...started, registered };
    this.tracked.add(tracked);
    void started.process.exited.then(() => {
      this.tracked.delete(tracked);
      if (registered) void this.persist();
    });
    if (registered) void this.persist();
    return tracked;
  }

  private assertAlive(): void {
    if (this.destroyed) throw new LabError('SWY_ERR_LAB_DESTROYED', `lab ${this.prefix} was destroyed`);
  }

  private async setPorts(host: HostName, kinds: readonly LinkKind[], state: 'up' | 'down'): Promise<void> {
    this.assertAlive();
    await setSwitchPorts(this.names, host, kinds, state);
    this.log(`${host}: ${kinds.join('+')} ${state === 'down' ? 'cut' : 'restored'}`);
  }

  /** What teardown and the registry need, from what this process knows now. */
  private target(): TeardownTarget {
    return {
      prefix: this.prefix,
      namespaces: this.namespaces,
      dir: this.dir,
      processes: [...this.tracked].map((t) => ({ pid: t.process.pid, startTime: t.process.startTime, label: t.process.label })),
    };
  }

  private persist(): Promise<void> {
    const record = (): LabRecord => ({
      format: 1,
      prefix: this.prefix,
      owner: this.owner,
      namespaces: [...this.namespaces],
      dir: this.dir,
      processes: this.target().processes.filter((p) => [...this.tracked].some((t) => t.registered && t.process.pid === p.pid)),
      etcdEndpoints: [...this.etcdEndpoints],
      createdAt: this.createdAt,
    });
    // One write at a time, in order; none after destroy began (teardown removes the file).
    this.writing = this.writing
      .then(() => (this.destroyed ? undefined : writeRecord(record())))
      .catch((error: unknown) => this.log(`could not update the lab registry: ${String(error)}`));
    return this.writing;
  }
}
