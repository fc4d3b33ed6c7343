import fs from 'node:fs';
import path from 'node:path';
import { SystemClock, type Clock } from '@switchyard/sdk';
import { waitFor } from '@switchyard/sdk/testing';
import type { Binding, BindingChange } from '@switchyard/plugin-sip';
import { BenchPair } from '../bench-pair';
import { rssMiB } from '../machine';
import { summarize, type ScenarioResult } from '../stats';
import { sleep, type Scenario, type ScenarioContext } from './context';

/** The plugin's store and journal (not exported by the package; loaded from its build, as the micro-benchmarks do). */
interface StoreModule {
  ContactStore: new (clock: Clock) => { replaceAllEncoded(lines: readonly string[], origin: 'local' | 'replica'): number; close(): void };
  BindingJournal: new (options: { dir: string; clock: Clock }) => {
    loadInto(store: unknown, origin?: 'local' | 'replica'): Promise<number>;
    compact(): Promise<void>;
    close(): Promise<void>;
  };
  encodeChange(change: BindingChange): string;
}

function storeModule(): StoreModule {
  const dist = path.join(path.dirname(require.resolve('@switchyard/plugin-sip/package.json')), 'dist');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(dist, 'store', 'index.js')) as StoreModule;
}

/** A binding as SIPp's REGISTER scenario leaves it, expiring in an hour. */
function bindingOf(now: number, i: number): Binding {
  return {
    aor: `sip:fp${i}@127.0.0.1`,
    contact: `sip:fp${i}@127.0.0.1:5061;transport=udp`,
    expiresAt: now + 3_600_000,
    callId: `${i}-4242@127.0.0.1`,
    cseq: 1,
    source: { address: '127.0.0.1', port: 5061, transport: 'udp' },
    updatedAt: now,
  };
}

/** The journal folder of the sip plugin of `node`. */
const journalDirOf = (dir: string, node: string) => path.join(dir, '.switchyard', 'data', node, 'sip');

/** Writes `count` bindings into the journal folder of the sip plugin of `node`, through the plugin's own journal (a compaction). */
async function writeJournal(dir: string, node: string, count: number): Promise<number> {
  const { BindingJournal, ContactStore, encodeChange } = storeModule();
  const clock = new SystemClock();
  const journalDir = journalDirOf(dir, node);
  fs.mkdirSync(journalDir, { recursive: true, mode: 0o700 });
  const store = new ContactStore(clock);
  const journal = new BindingJournal({ dir: journalDir, clock });
  await journal.loadInto(store, 'local');
  const now = clock.now();
  const lines: string[] = [];
  for (let i = 0; i < count; i++) lines.push(encodeChange({ op: 'upsert', binding: bindingOf(now, i) }));
  store.replaceAllEncoded(lines, 'local');
  await journal.compact();
  await journal.close();
  store.close();
  return fs.statSync(path.join(journalDir, 'bindings.snapshot')).size;
}

/**
 * footprint-1m: both nodes' journals hold the same 1,000,000 bindings
 * (100,000 with --quick), written by the plugin's journal; then `switchyard up` until both
 * nodes run and listen (their journals loaded), until both report every
 * binding with replication in sync, and the RSS of each node then.
 * Loopback only; bounded by the waits' timeouts.
 */
export const footprint1mScenario: Scenario = {
  name: 'footprint-1m',
  usesSipp: false,
  async run(ctx: ScenarioContext): Promise<ScenarioResult[]> {
    const count = ctx.quick ? 100_000 : 1_000_000;
    const pair = new BenchPair();
    ctx.progress.update(`footprint-1m: writing ${count} bindings to each node's journal`);
    // The same bindings on both nodes, as after both stopped in sync.
    const bytes = await writeJournal(pair.dir, 'sip-a', count);
    const [from, to] = [journalDirOf(pair.dir, 'sip-a'), journalDirOf(pair.dir, 'sip-b')];
    fs.mkdirSync(to, { recursive: true, mode: 0o700 });
    for (const file of fs.readdirSync(from)) fs.copyFileSync(path.join(from, file), path.join(to, file));
    const results: ScenarioResult[] = [];
    try {
      ctx.progress.update(`footprint-1m: switchyard up with ${count} bindings in each journal`);
      const running = Math.round(await pair.start());
      results.push(summarize('start-with-journal', 'ms', [running], [`from spawning \`switchyard up\` to both nodes running and listening, each journal holding ${count} bindings (${Math.round(bytes / 2 ** 20)} MiB snapshot)`]));
      const t0 = performance.now();
      await waitFor(
        async () => {
          const view = await pair.status();
          return view.nodes.every((n) => {
            const sip = pair.sipOf(n);
            return sip && sip.bindings === count && sip.replication.inSync;
          })
            ? true
            : undefined;
        },
        count / 1000 * 300 + 30_000,
        `both nodes holding ${count} bindings, in sync`,
      );
      results.push(summarize('in-sync-after-start', 'ms', [running + Math.round(performance.now() - t0)], ['from spawning to both nodes reporting every binding and replication in sync (the backup’s start-up resync included)']));
      await sleep(1_000);
      const view = await pair.status();
      const rss = view.nodes.map((n) => (typeof n.pid === 'number' ? rssMiB(n.pid) : null)).filter((v): v is number => v !== null);
      if (rss.length > 0) results.push(summarize('rss-1m', 'MiB', rss, [`each node holding ${count} bindings, in sync (primary and backup)`]));
    } finally {
      await pair.stop();
    }
    return results;
  },
};
