import {
  CoreTokens,
  Engine,
  LoopbackChannels,
  ManualClock,
  SwitchyardError,
  type HaChannels,
  type LogEventRecord,
  type Plugin,
  type Role,
} from '@switchyard/core';

export interface TestNodeOptions {
  nodeId?: string;
  cluster?: string;
  /** Plugins with their raw options (validated by each plugin's schema, as `switchyard up` does). */
  plugins: readonly (Plugin | readonly [Plugin, unknown])[];
  clock?: ManualClock;
  /** HA-link channels; default: one side of an in-memory loopback pair. */
  channels?: HaChannels;
}

/** A node engine driven by a test: virtual time, captured events, orders by hand. */
export interface TestNode {
  readonly engine: Engine;
  readonly clock: ManualClock;
  /** Every log event emitted so far. */
  readonly events: LogEventRecord[];
  /** Ids of the events emitted so far, in order. */
  eventIds(): string[];
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Delivers an arbiter order (the next term unless given). */
  order(role: Role, term?: number): Promise<void>;
  /** Advances virtual time by seconds. */
  advance(seconds: number): Promise<void>;
}

/**
 * Builds a node engine with the given plugins, validating their options
 * exactly as assembly does, so a plugin's tests fail the way a user's
 * config would.
 */
export function createTestNode(options: TestNodeOptions): TestNode {
  const clock = options.clock ?? new ManualClock();
  const events: LogEventRecord[] = [];
  const engine = new Engine({
    nodeId: options.nodeId ?? 'node-a',
    cluster: options.cluster ?? 'test',
    clock,
    onEvent: (record) => events.push(record),
  });
  engine.container.register(CoreTokens.HaChannels, { useValue: options.channels ?? LoopbackChannels.pair()[0] });
  for (const entry of options.plugins) {
    const [plugin, raw] = Array.isArray(entry) ? (entry as readonly [Plugin, unknown]) : [entry as Plugin, {}];
    let parsed: unknown = raw;
    if (plugin.options) {
      const result = plugin.options.safeParse(raw);
      if (!result.success) {
        const detail = result.error.issues.map((i) => `${['plugins', plugin.name, ...i.path].join('.')}: ${i.message}`).join('; ');
        throw new SwitchyardError('SWY_ERR_PLUGIN_OPTIONS', `Options of plugin "${plugin.name}" are invalid: ${detail}`, {
          details: { plugin: plugin.name, issues: result.error.issues },
        });
      }
      parsed = result.data;
    }
    engine.use(plugin, parsed);
  }
  return {
    engine,
    clock,
    events,
    eventIds: () => events.map((e) => e.id),
    start: () => engine.start(),
    stop: () => engine.stop('test'),
    order: (role, term) => engine.applyOrder({ role, term: term ?? engine.term + 1, reason: 'test order' }),
    advance: (seconds) => clock.advance(seconds * 1000),
  };
}
