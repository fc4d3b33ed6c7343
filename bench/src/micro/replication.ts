/**
 * Replication micro-benchmarks (issue 12): the one encoding of a binding
 * change (encode, decode), a change through the primary's store (encode,
 * index, expiry, batch for the HA link), a received line applied on the
 * backup, and a catch-up of 10,000 bindings — installed from lines, and
 * over an in-memory HA link from a fresh backup's resync to its last ack.
 * Regressions in the store or the replication path show here without SIPp.
 */
import path from 'node:path';
import { LoopbackChannels, ManualClock, type Clock, type HaChannels } from '@switchyard/sdk';
import type { Binding, BindingChange } from '@switchyard/plugin-sip';
import { runTasks, type MicroBenchmark, type MicroTask } from './runner';

/** What these benchmarks drive of the plugin's store (not exported by the package; loaded from its build). */
interface BenchStore {
  readonly count: number;
  upsert(binding: Binding, origin?: 'local' | 'replica'): BindingChange | undefined;
  applyEncoded(line: string, origin: 'local' | 'replica'): BindingChange | undefined | null;
  replaceAllEncoded(lines: readonly string[], origin: 'local' | 'replica'): number;
  encoded(): string[];
  close(): void;
}

interface BenchReplicator {
  stop(): void;
  status(): { inSync: boolean; lag: number };
}

interface StoreInternals {
  ContactStore: new (clock: Clock) => BenchStore;
  BindingReplicator: new (options: Record<string, unknown>) => BenchReplicator;
  encodeChange(change: BindingChange): string;
  decodeChange(line: string): BindingChange | undefined;
}

let loaded: StoreInternals | undefined;

function store(): StoreInternals {
  if (loaded) return loaded;
  const dist = path.join(path.dirname(require.resolve('@switchyard/plugin-sip/package.json')), 'dist');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded = require(path.join(dist, 'store', 'index.js')) as StoreInternals;
  return loaded;
}

const EVENTS = { syncFallback: 'f', inSync: 'i', outOfSync: 'o', staleRefused: 's' };

/** A binding as the registrar stores it after a SIPp REGISTER. */
function bindingOf(now: number, i: number): Binding {
  return {
    aor: `sip:user${i}@example.com`,
    contact: `sip:user${i}@192.0.2.${i % 250}:5062;transport=udp`,
    expiresAt: now + 3_600_000,
    callId: `${i}-12345@192.0.2.${i % 250}`,
    cseq: 1 + (i % 7),
    source: { address: `192.0.2.${i % 250}`, port: 5062, transport: 'udp' },
    updatedAt: now,
  };
}

function replicator(channels: HaChannels, contacts: BenchStore, clock: Clock, role: 'primary' | 'backup'): BenchReplicator {
  const { BindingReplicator } = store();
  return new BindingReplicator({
    channels,
    store: contacts,
    clock,
    mode: 'async',
    syncTimeout: 5,
    role: () => role,
    term: () => 1,
    emit: () => undefined,
    events: EVENTS,
    ackInterval: 0,
    // One turn of the event loop per call: the batch goes out at once.
    defer: (flush: () => void) => flush(),
  });
}

/** Whether the pair's backup holds `count` bindings and reports in sync. */
function caughtUp(backup: BenchStore, status: BenchReplicator, count: number): void {
  if (backup.count !== count || !status.status().inSync) throw new Error(`the backup holds ${backup.count} of ${count} bindings (in sync: ${status.status().inSync})`);
}

function tasks(): MicroTask[] {
  const { ContactStore, encodeChange, decodeChange } = store();
  const clock = new ManualClock();
  const now = clock.now();
  const sample = bindingOf(now, 42);
  const line = encodeChange({ op: 'upsert', binding: sample });
  if (JSON.stringify(decodeChange(line)) !== JSON.stringify({ op: 'upsert', binding: { ...sample, q: undefined } })) throw new Error('decode(encode(b)) is not b');

  // The primary: a store of 10,000 bindings whose changes a replicator batches for a link that is down (retained).
  const primary = new ContactStore(clock);
  const [pa] = LoopbackChannels.pair({ nodeIds: ['a', 'b'] });
  pa.disconnect();
  replicator(pa, primary, clock, 'primary');
  for (let i = 0; i < 10_000; i++) primary.upsert(bindingOf(now, i));
  let n = 0;

  // The backup: a store of 10,000 bindings applying received lines.
  const backup = new ContactStore(clock);
  const lines = primary.encoded();
  backup.replaceAllEncoded(lines, 'replica');
  const refreshed = Array.from({ length: 1_000 }, (_, i) => encodeChange({ op: 'upsert', binding: { ...bindingOf(now, i), cseq: 100 } }));
  const again = lines.slice(0, 1_000);
  let m = 0;

  return [
    { name: 'encode upsert', fn: () => encodeChange({ op: 'upsert', binding: sample }) },
    { name: 'decode upsert', fn: () => decodeChange(line) },
    { name: 'primary upsert (store + batch), 10k stored', fn: () => primary.upsert({ ...bindingOf(now, n++ % 10_000), updatedAt: now + n }) },
    {
      name: 'backup applies a line, 10k stored',
      fn: () => {
        const i = m++ % 1_000;
        return backup.applyEncoded((m & 1024) === 0 ? refreshed[i]! : again[i]!, 'replica');
      },
    },
    {
      name: 'install 10k lines (resync)',
      fn: () => {
        const fresh = new ContactStore(clock);
        fresh.replaceAllEncoded(lines, 'replica');
        fresh.close();
        return fresh;
      },
    },
    {
      name: 'catch-up 10k over loopback link',
      fn: () => {
        const [ca, cb] = LoopbackChannels.pair({ nodeIds: ['a', 'b'] });
        ca.disconnect();
        const a = new ContactStore(clock);
        a.replaceAllEncoded(lines, 'local');
        const b = new ContactStore(clock);
        const ra = replicator(ca, a, clock, 'primary');
        const rb = replicator(cb, b, clock, 'backup');
        ca.connect();
        caughtUp(b, rb, lines.length);
        ra.stop();
        rb.stop();
        a.close();
        b.close();
      },
    },
  ];
}

export const replicationBenchmark: MicroBenchmark = {
  name: 'replication',
  run: (opts) => runTasks('replication', tasks(), opts),
  tasks,
};
