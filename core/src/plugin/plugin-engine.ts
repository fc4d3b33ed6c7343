import type { PrimarySocketsView } from '../engine/primary-sockets';
import type { Clock } from '../clock';
import type { LogEventDefinition } from '../events/catalogue';
import type { MonitorHandle, MonitorOptions } from '../engine/monitors';
import type { NodeState, NodeStatus, Role } from '../engine/types';
import type { Logger } from '../logging/logger';
import type { ServiceToken } from '../tokens';
import type { SwitchoverResult } from '../management/types';
import type { PluginHooks } from './hook-view';
import type { PluginMetrics } from '../metrics/plugin-metrics';

/** Registry of services by token, scoped to one engine. */
export interface ServiceRegistry {
  /** Registers this plugin's service; throws SWY_ERR_SERVICE_TAKEN when another plugin (or core) owns the token. */
  register<T>(token: ServiceToken<T>, value: T): void;
  resolve<T>(token: ServiceToken<T>): T;
  has(token: ServiceToken<unknown>): boolean;
}

/** The engine as one plugin sees it: tap hooks, register things, never call hooks. */
export interface PluginEngine<Options = unknown, NodeOptions = unknown> {
  readonly nodeId: string;
  readonly cluster: string;
  readonly pluginName: string;
  /** The plugin's options, parsed by its schema. */
  readonly options: Options;
  /** This node's section of the config owned by the plugin (`nodes[].<key>`), parsed; undefined when absent. */
  readonly nodeOptions: NodeOptions | undefined;
  /** This plugin's folder for persistent data on this node (`<runtimeDir>/data/<node>/<plugin>`); create it when needed. */
  readonly dataDir: string;
  readonly hooks: PluginHooks;
  readonly clock: Clock;
  /** Child logger with `{ node, plugin }`; lines without an event id are debug lines. */
  readonly logger: Logger;
  readonly events: {
    /** Registers this plugin's log-event ids (call in `apply`). */
    register(definitions: readonly LogEventDefinition[]): void;
    emit(id: string, fields?: Record<string, unknown>): void;
  };
  readonly monitors: {
    register(name: string, options?: MonitorOptions): MonitorHandle;
  };
  /**
   * Prometheus metrics of this node (prom-client counters, gauges,
   * histograms): names `switchyard_<area>_<what>_<unit>`, counters ending in
   * `_total`, no `node` label (the agent adds it when it serves
   * `GET /metrics`). An invalid name throws SWY_ERR_METRIC_INVALID.
   */
  readonly metrics: PluginMetrics;
  /**
   * Services by token: register this plugin's own (a token another plugin
   * or core registered is refused with SWY_ERR_SERVICE_TAKEN), resolve
   * anyone's. The engine and its container are never among them.
   */
  readonly services: ServiceRegistry;
  /**
   * Asks the arbiter to make the peer primary (this node must be primary and
   * the peer running). Resolves with the arbiter's answer; never throws.
   */
  requestSwitchover(reason: string): Promise<SwitchoverResult>;
  /**
   * Gives up the primary role on this node's own authority, without the
   * arbiter (for split-brain rules such as `control-vip-scripts`): only ever
   * demotes. Logs 01-10008 with the reason, then runs the `roleChange` taps
   * (a VIP plugin removes the VIP there). Resolves false if the node was not
   * primary.
   */
  stepDown(reason: string): Promise<boolean>;
  /**
   * After bulk work (a resync of a whole store, a large journal load),
   * returns the memory it left behind to the OS: one full garbage
   * collection, 200 ms after the last request and at most one a second.
   * It blocks this node's event loop while it runs (tens of ms for 100,000
   * bindings), so call it after bulk work only, never per request. A no-op
   * unless the node runs with `--expose-gc`, as the nodes `switchyard up`
   * and `switchyard node` start do.
   */
  releaseMemory(reason: string): void;
  /**
   * Addresses only the primary may serve, bound once by the agent of
   * `switchyard up` (declared with `primarySockets` in the plugin's
   * definition) and handed to the primary: `offered(name)` says whether
   * this node gets them (else bind the address yourself); `take(name)`
   * resolves with the UDP and TCP handles once this node is primary and the
   * previous holder let go; after closing them, `release(name)` lets the
   * agent hand them on. Two processes never read one socket.
   */
  readonly primarySockets: PrimarySocketsView;
  /**
   * The other node of the pair: its id, `priority`, and its latest HA-link
   * heartbeat (`state`, null while the link is down). Null when the node runs
   * alone (a test harness).
   */
  readonly peer: { readonly id: string; readonly priority: number; readonly state: NodeState | null } | null;
  /** Whether this node's agent reaches its arbiter now (etcd; always true with `embedded`). */
  readonly arbiter: { readonly connected: boolean };
  /**
   * The node's address (`nodes[].host`) and its current role, status and
   * term (read-only). `role` is the role the node may act in at this
   * moment: `primary` only while the arbiter's grant holds (a frozen and
   * thawed primary reads `backup` before any timer of its own has run), so
   * read it when answering, not once.
   */
  readonly node: { readonly host: string; readonly priority: number; readonly role: Role; readonly status: NodeStatus; readonly term: number };
}
