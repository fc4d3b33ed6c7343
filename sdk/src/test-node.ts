import fs from 'node:fs';
import type { z } from 'zod';
import {
  ConfigInvalidError,
  CoreTokens,
  Engine,
  LoopbackChannels,
  ManualClock,
  PARSE_OPTIONS,
  toConfigIssues,
  type ArbiterClient,
  type HaChannels,
  type LogEventRecord,
  type NodeStatus,
  type Plugin,
  type Role,
} from '@switchyard/core';
import { tempDir, testResources } from '@switchyard/core/testing';

export interface TestNodeOptions {
  nodeId?: string;
  cluster?: string;
  /** Plugins with their raw options (validated by each plugin's schema, as `switchyard up` does). */
  plugins: readonly (Plugin | readonly [Plugin, unknown])[];
  clock?: ManualClock;
  /** HA-link channels; default: one side of an in-memory loopback pair. */
  channels?: HaChannels;
  /** Folder for plugins' persistent data. Default: a fresh temp folder, removed by `stop()`. */
  dataDir?: string;
  /** This node's plugin sections (`nodes[].<key>`), by key, unparsed (each plugin's schema parses its own). */
  nodeOptions?: Record<string, unknown>;
  /**
   * The arbiter plugins' `requestSwitchover` reaches. Default: grants the
   * request when this node is primary (it becomes backup at the next term).
   */
  arbiter?: ArbiterClient;
  /** This node's `nodes[].priority`. Default 0. */
  priority?: number;
  /** The other node of the pair. Default `{ id: 'node-b', priority: 0 }`. */
  peer?: { id: string; priority: number };
}

/** A node engine driven by a test: virtual time, captured events, orders by hand. */
export interface TestNode {
  readonly engine: Engine;
  readonly clock: ManualClock;
  /** Every log event emitted so far. */
  readonly events: LogEventRecord[];
  /** Every `requestSwitchover` a plugin made, in order. */
  readonly switchoverRequests: { reason: string; by: string }[];
  /** Ids of the events emitted so far, in order. */
  eventIds(): string[];
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Delivers an arbiter order (the next term unless given). */
  order(role: Role, term?: number): Promise<void>;
  /** Advances virtual time by seconds. */
  advance(seconds: number): Promise<void>;
  /** This node's status report, as `switchyard status --json` shows it (each plugin's section included). */
  statusReport(): Record<string, unknown>;
  /** A heartbeat of the peer as the HA link delivers it (its role and term; status `running` unless given); null = the link went down. */
  peerHeartbeat(state: { role: Role; term: number; status?: NodeStatus } | null): void;
  /** What the agent says of its arbiter: reachable or not. */
  arbiterConnection(connected: boolean): void;
}

/**
 * Builds a node engine with the given plugins, validating their options
 * exactly as assembly does, so a plugin's tests fail the way a user's
 * config would.
 */
export function createTestNode(options: TestNodeOptions): TestNode {
  const clock = options.clock ?? new ManualClock();
  const events: LogEventRecord[] = [];
  // A node a test never stops (an assertion failed first) is stopped, and its folder removed, by the
  // harness's cleanup (after the test file under vitest; the folder at process exit otherwise).
  const resources = testResources();
  const dataDir = options.dataDir ?? tempDir('switchyard-test-node-');
  const engine = new Engine({
    nodeId: options.nodeId ?? 'node-a',
    cluster: options.cluster ?? 'test',
    clock,
    dataDir,
    onEvent: (record) => events.push(record),
    priority: options.priority ?? 0,
    peer: options.peer ?? { id: 'node-b', priority: 0 },
  });
  engine.container.register(CoreTokens.HaChannels, { useValue: options.channels ?? LoopbackChannels.pair()[0] });
  const switchoverRequests: { reason: string; by: string }[] = [];
  const arbiter = options.arbiter ?? grantingArbiter(() => engine);
  engine.container.register(CoreTokens.ArbiterClient, {
    useValue: {
      requestSwitchover: (reason: string, by: string) => {
        switchoverRequests.push({ reason, by });
        return arbiter.requestSwitchover(reason, by);
      },
    },
  });
  for (const entry of options.plugins) {
    const [plugin, raw] = Array.isArray(entry) ? (entry as readonly [Plugin, unknown]) : [entry as Plugin, {}];
    let parsed: unknown = raw;
    if (plugin.options) {
      const result = plugin.options.safeParse(raw, PARSE_OPTIONS);
      if (!result.success) throw invalid(plugin.options, ['plugins', plugin.name], result.error.issues);
      parsed = result.data;
    }
    engine.use(plugin, parsed, parseNodeOptions(plugin, options.nodeOptions));
  }
  const stop = async (): Promise<void> => {
    resources.nodes.delete(node);
    try {
      await engine.stop('test');
    } finally {
      if (options.dataDir === undefined) {
        fs.rmSync(dataDir, { recursive: true, force: true });
        resources.dirs.delete(dataDir);
      }
    }
  };
  const node: TestNode = {
    engine,
    clock,
    events,
    switchoverRequests,
    eventIds: () => events.map((e) => e.id),
    start: () => engine.start(),
    stop,
    statusReport: () => engine.report(),
    order: (role, term) => engine.applyOrder({ role, term: term ?? engine.term + 1, reason: 'test order' }),
    advance: (seconds) => clock.advance(seconds * 1000),
    peerHeartbeat: (state) =>
      engine.observePeer(state === null ? null : { nodeId: engine.peer?.id ?? 'node-b', status: 'running', ...state }),
    arbiterConnection: (connected) => engine.observeArbiter(connected),
  };
  resources.nodes.add(node);
  return node;
}

/** Option errors in the very form `switchyard validate` prints them (`Key "plugins.x.y": … [SWY_ERR_PLUGIN_OPTIONS]`). */
function invalid(schema: z.core.$ZodType, prefix: readonly (string | number)[], issues: readonly z.core.$ZodIssue[]): ConfigInvalidError {
  return new ConfigInvalidError(toConfigIssues(issues, schema, prefix, 'SWY_ERR_PLUGIN_OPTIONS'));
}

function parseNodeOptions(plugin: Plugin, sections: Record<string, unknown> | undefined): unknown {
  const spec = plugin.nodeOptions;
  if (!spec) return undefined;
  const raw = sections?.[spec.key];
  if (raw === undefined && !spec.required) return undefined;
  const result = spec.schema.safeParse(raw, PARSE_OPTIONS);
  if (!result.success) throw invalid(spec.schema, ['nodes', 0, spec.key], result.error.issues);
  return result.data;
}

/** The default test arbiter: the primary's request is granted, as the embedded arbiter does with a running backup. */
function grantingArbiter(engine: () => Engine): ArbiterClient {
  return {
    async requestSwitchover(reason) {
      const e = engine();
      if (e.role !== 'primary') return { ok: false, term: e.term, primary: null, reason: 'this node is not the primary' };
      const term = e.term + 1;
      await e.applyOrder({ role: 'backup', term, reason: `switchover requested: ${reason}` });
      return { ok: true, term, primary: 'peer' };
    },
  };
}
