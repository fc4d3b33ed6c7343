import fs from 'node:fs';
import path from 'node:path';
import { ManagementClient, type ClusterStatusView, type NodeStatusView } from '@switchyard/core';
import { freePort, linkNodeModules, startUp, tempDir, waitFor, type UpProcess } from '@switchyard/sdk/testing';
import { serviceEnv } from './service-env';

export interface BenchPairOptions {
  sip?: Record<string, unknown>;
  /** Record every binding change with a timestamp (the trace plugin), for replication lag. */
  trace?: boolean;
  /** More `arbiter` options (e.g. `fence`). */
  arbiter?: Record<string, unknown>;
  /** Environment of `switchyard up`: a service's ({@link serviceEnv}) unless given. */
  env?: NodeJS.ProcessEnv;
}

export interface SipNodeSection {
  listening: boolean;
  bindings: number;
  replication: { mode: string; inSync: boolean; lag: number };
}

/** How often {@link BenchPair.start} asks whether the pair is up. */
const STARTUP_POLL_MS = 10;

/** A single-host pair run by `switchyard up` from a generated config, for measuring. */
export class BenchPair {
  readonly dir = tempDir('switchyard-bench-');
  readonly ports: Record<'sip-a' | 'sip-b', number> = { 'sip-a': 0, 'sip-b': 0 };
  file = '';
  up: UpProcess | null = null;
  private client: ManagementClient | null = null;
  startedAt = 0;

  constructor(private readonly options: BenchPairOptions = {}) {}

  async start(): Promise<number> {
    linkNodeModules(this.dir);
    const [mgmt, haA, haB, sipA, sipB] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
    this.ports['sip-a'] = sipA;
    this.ports['sip-b'] = sipB;
    const plugins: Record<string, unknown> = { sip: { bindRetryInterval: 1, ...this.options.sip } };
    if (this.options.trace) plugins[path.join(__dirname, 'trace-plugin.js')] = true;
    const config = {
      cluster: 'bench',
      nodes: [
        { id: 'sip-a', host: '127.0.0.1', haPort: haA, priority: 100, sip: { port: sipA } },
        { id: 'sip-b', host: '127.0.0.1', haPort: haB, priority: 50, sip: { port: sipB } },
      ],
      // Failure detection at the product's defaults (arbiter.switchTimeout, haLink): what the figures are about.
      arbiter: { kind: 'embedded', ...this.options.arbiter },
      management: { host: '127.0.0.1', port: mgmt },
      supervisor: { restartDelay: 0.2, restartMaxDelay: 2, stopTimeout: 5 },
      logging: { level: 'warn' },
      plugins,
    };
    this.file = path.join(this.dir, 'switchyard.config.json');
    fs.writeFileSync(this.file, JSON.stringify(config, null, 2));
    this.client = new ManagementClient({ host: '127.0.0.1', port: mgmt, timeoutMs: 2_000 });
    this.startedAt = performance.now();
    this.up = this.startUp();
    // Looked at every 10 ms: the figure is the start's, not the poll interval's (50 ms added up to 50 ms).
    await this.stable(1, 30_000, STARTUP_POLL_MS);
    return performance.now() - this.startedAt;
  }

  /** Starts `switchyard up` on this pair's config, in its environment (a restart after a kill, too). */
  startUp(): UpProcess {
    return startUp(this.file, [], { env: this.options.env ?? serviceEnv() });
  }

  /** The management API's /metrics text (every node's series). */
  async metrics(): Promise<string> {
    const { management } = JSON.parse(fs.readFileSync(this.file, 'utf8')) as { management: { port: number } };
    return (await fetch(`http://127.0.0.1:${management.port}/metrics`)).text();
  }

  status(): Promise<ClusterStatusView> {
    return this.client!.status();
  }

  /** Waits for one running primary and one running backup at the same term (≥ minTerm), both listening. */
  async stable(minTerm = 1, timeoutMs = 20_000, pollMs = 50): Promise<{ view: ClusterStatusView; primary: NodeStatusView; backup: NodeStatusView }> {
    return waitFor(
      async () => {
        const view = await this.status();
        const primary = view.nodes.find((n) => n.role === 'primary' && n.status === 'running');
        const backup = view.nodes.find((n) => n.role === 'backup' && n.status === 'running');
        const listening = view.nodes.every((n) => (n.sip as SipNodeSection | undefined)?.listening);
        return primary && backup && listening && primary.term >= minTerm && backup.term === primary.term && view.arbiter.term === primary.term
          ? { view, primary, backup }
          : undefined;
      },
      timeoutMs,
      'a stable pair',
      pollMs,
    );
  }

  sipOf(node: NodeStatusView): SipNodeSection {
    return node.sip as SipNodeSection;
  }

  portOf(node: { id: string }): number {
    return this.ports[node.id as 'sip-a' | 'sip-b'];
  }

  /** Stops the pair and removes its folder (config, state, logs), unless `keepDir`: then call {@link removeDir} after reading it. */
  async stop(opts: { keepDir?: boolean } = {}): Promise<void> {
    try {
      const code = await this.up?.stop();
      this.up = null;
      if (code !== 0) throw new Error(`switchyard up exited with ${code}`);
    } finally {
      if (!opts.keepDir) this.removeDir();
    }
  }

  /** Nothing of a pair outlives its run: its config, runtime state and node logs. */
  removeDir(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
