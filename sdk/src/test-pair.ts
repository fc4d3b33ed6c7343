import { EmbeddedArbiter, LoopbackChannels, ManualClock, type LogEventRecord, type Plugin } from '@switchyard/core';
import { createTestNode, type TestNode } from './test-node';

type PluginEntry = Plugin | readonly [Plugin, unknown];

export interface TestPairOptions {
  /** Plugins of each node (the same list for both, or one per node id). */
  plugins: readonly PluginEntry[] | ((nodeId: 'node-a' | 'node-b') => readonly PluginEntry[]);
  /** Plugin sections per node (`nodes[].<key>`), e.g. `{ 'node-a': { sip: { port } } }`. */
  nodeOptions?: Partial<Record<'node-a' | 'node-b', Record<string, unknown>>>;
  clock?: ManualClock;
  /** Arbiter switch timeout, seconds (default 1). */
  switchTimeout?: number;
}

/** A pair of test nodes with the real embedded arbiter and an in-memory HA link, in virtual time. */
export interface TestPair {
  readonly a: TestNode;
  readonly b: TestNode;
  readonly clock: ManualClock;
  readonly arbiter: EmbeddedArbiter;
  /** The two ends of the HA link (`disconnect()` / `connect()` to simulate link loss). */
  readonly link: readonly [LoopbackChannels, LoopbackChannels];
  /** The arbiter's log events (switchovers, vetoes, …). */
  readonly arbiterEvents: LogEventRecord[];
  /** Starts both nodes; node-a (higher priority) becomes primary at term 1. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The node the arbiter made primary. */
  primary(): TestNode | undefined;
  /** Advances virtual time by seconds (heartbeats keep flowing). */
  advance(seconds: number): Promise<void>;
}

/**
 * Two nodes, each an engine with its plugins, wired to the real embedded
 * arbiter (as `switchyard up` does, minus the processes) and to each other
 * through a loopback HA link: a plugin's behaviour across switchovers can be
 * tested in virtual time.
 */
export function createTestPair(options: TestPairOptions): TestPair {
  const clock = options.clock ?? new ManualClock();
  const link = LoopbackChannels.pair({ nodeIds: ['node-a', 'node-b'] });
  const arbiterEvents: LogEventRecord[] = [];
  const nodes = new Map<string, TestNode>();
  const arbiter: EmbeddedArbiter = new EmbeddedArbiter({
    nodes: [
      { id: 'node-a', priority: 100 },
      { id: 'node-b', priority: 50 },
    ],
    clock,
    switchTimeout: options.switchTimeout ?? 1,
    startupTimeout: 10,
    port: {
      order: (id, order) => void nodes.get(id)?.engine.applyOrder(order).catch(() => undefined),
      grant: (id, until) => nodes.get(id)?.engine.grant(until),
      consult: async (id, proposal) => nodes.get(id)?.engine.consultSwitchover(proposal),
      emit: (id, fields) =>
        void arbiterEvents.push({ id, level: 'info', message: id, fields, node: 'arbiter', term: arbiter.term, time: clock.now(), owner: 'arbiter' }),
    },
  });
  const make = (id: 'node-a' | 'node-b', channels: LoopbackChannels) =>
    createTestNode({
      nodeId: id,
      priority: id === 'node-a' ? 100 : 50,
      peer: id === 'node-a' ? { id: 'node-b', priority: 50 } : { id: 'node-a', priority: 100 },
      clock,
      channels,
      plugins: typeof options.plugins === 'function' ? options.plugins(id) : options.plugins,
      nodeOptions: options.nodeOptions?.[id],
      arbiter: { requestSwitchover: (reason, by) => arbiter.requestSwitchover(reason, by, id) },
    });
  const a = make('node-a', link[0]);
  const b = make('node-b', link[1]);
  nodes.set('node-a', a);
  nodes.set('node-b', b);
  const beat = () => {
    for (const [id, node] of nodes) arbiter.heartbeat(id, node.engine.state);
  };
  let heartbeat: { cancel(): void } | undefined;
  return {
    a,
    b,
    clock,
    arbiter,
    link,
    arbiterEvents,
    async start() {
      arbiter.start();
      arbiter.nodeSpawned('node-a');
      arbiter.nodeSpawned('node-b');
      for (const node of nodes.values()) node.engine.onStateChange(() => queueMicrotask(beat));
      await a.start();
      await b.start();
      heartbeat = clock.setInterval(beat, 100);
      beat();
      await clock.advance(0);
    },
    async stop() {
      heartbeat?.cancel();
      arbiter.stop();
      await a.stop();
      await b.stop();
    },
    primary: () => (arbiter.primary ? nodes.get(arbiter.primary) : undefined),
    advance: (seconds) => clock.advance(seconds * 1000),
  };
}
