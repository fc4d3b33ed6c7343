import path from 'node:path';
import type { Engine } from '../engine/engine';
import type { LogEventCatalogue } from '../events/catalogue';
import type { Plugin } from './define';
import { createHookView } from './hook-view';
import type { PluginEngine } from './plugin-engine';
import { createPluginMetrics, nodeRegistry } from '../metrics/plugin-metrics';

/**
 * What one plugin sees of its engine: hooks it may tap but not call, its own
 * services, events, monitors, clock, logger and data folder, and the node's
 * role, status and term read-only. Never the engine itself.
 */
export function createPluginFacade(
  engine: Engine,
  plugin: Plugin,
  options: unknown,
  nodeOptions: unknown,
  lifecycleTimeout: number,
): PluginEngine {
  return Object.freeze({
    nodeId: engine.nodeId,
    cluster: engine.cluster,
    pluginName: plugin.name,
    options,
    nodeOptions,
    dataDir: path.join(engine.dataDir, plugin.name),
    requestSwitchover: (reason: string) => engine.requestSwitchover(reason, `${engine.nodeId}/${plugin.name}`),
    stepDown: (reason: string) => engine.yieldPrimary(reason, `${engine.nodeId}/${plugin.name}`),
    releaseMemory: (reason: string) => engine.memory.request(`${plugin.name}: ${reason}`),
    primarySockets: Object.freeze({
      offered: (name: string) => engine.primarySockets.offered(name),
      take: (name: string) => engine.primarySockets.take(name),
      release: (name: string) => engine.primarySockets.release(name),
    }),
    hooks: createHookView(engine.hooks, { plugin: plugin.name, clock: engine.clock, lifecycleTimeout, slowWork: engine.slowWork }),
    clock: engine.clock,
    logger: engine.logger.child({ plugin: plugin.name }),
    events: Object.freeze({
      register: (defs: Parameters<LogEventCatalogue['register']>[0]) => engine.catalogue.register(defs, plugin.name),
      emit: (id: string, fields: Record<string, unknown> = {}) => void engine.emit(id, fields),
    }),
    monitors: Object.freeze({
      register: (name: string, opts?: { affectsService?: boolean }) => engine.registerMonitor(plugin.name, name, opts),
    }),
    metrics: createPluginMetrics(nodeRegistry(engine), plugin.name),
    services: engine.services.registryFor(plugin.name),
    peer: engine.peer
      ? Object.freeze({
          id: engine.peer.id,
          priority: engine.peer.priority,
          get state() {
            return engine.peerState;
          },
        })
      : null,
    arbiter: Object.freeze({
      get connected() {
        return engine.arbiterConnected;
      },
    }),
    node: Object.freeze({
      host: engine.host,
      priority: engine.priority,
      // The role this node may act in now: primary only while the arbiter's grant holds.
      get role() {
        return engine.serving ? 'primary' : 'backup';
      },
      get status() {
        return engine.status;
      },
      get term() {
        return engine.term;
      },
    }),
  });
}
