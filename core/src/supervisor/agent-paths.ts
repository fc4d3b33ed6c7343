import path from 'node:path';
import type { ValidatedConfig } from '../config/validate';
import { ensureRuntimeDir, type RuntimeDirState } from '../fs/runtime-dir';

/** Where an agent keeps its token, alarms, data and logs: the runtime dir, or `<runtimeDir>/<node>` for a one-node agent. */
export function agentStateDir(validated: ValidatedConfig, localNodes: readonly string[]): string {
  const all = validated.config.nodes.length === localNodes.length;
  return all ? validated.runtimeDir : path.join(validated.runtimeDir, localNodes.join('-'));
}

/**
 * Creates or repairs the agent's folders before anything is written in
 * them: `runtimeDir` and, for a one-node agent, its `<runtimeDir>/<node>`,
 * each 0700 and owned by this user (else SWY_ERR_RUNTIME_DIR_UNSAFE).
 * Returns the state folder's outcome (`repairedFrom` when its mode was
 * narrowed), for a log line once the log is open.
 */
export async function prepareAgentStateDir(validated: ValidatedConfig, localNodes: readonly string[]): Promise<RuntimeDirState> {
  const runtime = await ensureRuntimeDir(validated.runtimeDir);
  const stateDir = agentStateDir(validated, localNodes);
  return path.resolve(stateDir) === runtime.dir ? runtime : ensureRuntimeDir(stateDir);
}

/**
 * The management API's address for an agent: `management.host`, else the
 * local node's own host on a pair of two hosts (so the other host and the
 * CLI can reach it), else 127.0.0.1.
 */
export function managementHost(validated: ValidatedConfig, localNodes: readonly string[]): string {
  const configured = validated.config.management.host;
  if (configured !== undefined) return configured;
  if (!validated.multiHost) return '127.0.0.1';
  return validated.config.nodes.find((n) => n.id === localNodes[0])?.host ?? '127.0.0.1';
}
