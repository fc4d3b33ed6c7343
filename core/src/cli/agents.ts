import path from 'node:path';
import type { ValidatedConfig } from '../config/validate';
import { isSwitchyardError, SwitchyardError } from '../errors';
import { ManagementClient } from '../management/client';
import { loadClientTrust } from '../management/tls';
import { readTokenFile } from '../management/token';
import type { AlarmListView, ClusterStatusView, NodeStatusView } from '../management/types';
import { agentStateDir, managementHost } from '../supervisor/agent-paths';

/** One agent the CLI can talk to: `switchyard up` (both nodes) or `switchyard node` (one). */
export interface AgentEndpoint {
  nodes: string[];
  host: string;
  port: number;
  /** Where that agent writes its management token (readable only on its own host, by its user). */
  stateDir: string;
}

/** The agents of a config: one for a single-host pair, one per node when the arbiter spans hosts. */
export function agentEndpoints(validated: ValidatedConfig): AgentEndpoint[] {
  const { config } = validated;
  const groups = validated.arbiter.definition.multiHost ? config.nodes.map((n) => [n.id]) : [config.nodes.map((n) => n.id)];
  return groups.map((nodes) => ({
    nodes,
    host: managementHost(validated, nodes),
    port: config.management.port,
    stateDir: agentStateDir(validated, nodes),
  }));
}

/**
 * A client for one agent: HTTPS trusting `management.tls.ca` (else the
 * pinned `management.tls.cert`) when the config has `management.tls`.
 */
export async function agentClient(
  validated: ValidatedConfig,
  endpoint: AgentEndpoint,
  options: { token?: string; timeoutMs?: number } = {},
): Promise<ManagementClient> {
  const tls = validated.config.management.tls;
  const trust = tls ? await loadClientTrust(tls, validated.configDir) : undefined;
  return new ManagementClient({
    host: endpoint.host,
    port: endpoint.port,
    ...(options.token === undefined ? {} : { token: options.token }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(trust ? { tls: trust } : {}),
  });
}

/** The agent's token when this user can read it on this host (reads need it off loopback), else undefined. */
async function tokenIfReadable(endpoint: AgentEndpoint): Promise<string | undefined> {
  try {
    return await readTokenFile(endpoint.stateDir);
  } catch {
    return undefined;
  }
}

type Answer<T> = { endpoint: AgentEndpoint; value: T } | { endpoint: AgentEndpoint; error: unknown };

async function askAll<T>(validated: ValidatedConfig, endpoints: AgentEndpoint[], ask: (client: ManagementClient) => Promise<T>): Promise<Answer<T>[]> {
  return Promise.all(
    endpoints.map(async (endpoint) => {
      try {
        // A lost host must not hold the CLI for long: the other agent answers for both.
        const token = await tokenIfReadable(endpoint);
        const client = await agentClient(validated, endpoint, { ...(token ? { token } : {}), ...(endpoints.length > 1 ? { timeoutMs: 3000 } : {}) });
        return { endpoint, value: await ask(client) };
      } catch (error) {
        return { endpoint, error };
      }
    }),
  );
}

function values<T>(answers: Answer<T>[]): { endpoint: AgentEndpoint; value: T }[] {
  return answers.flatMap((a) => ('value' in a ? [a] : []));
}

function firstError(answers: Answer<unknown>[]): unknown {
  return answers.map((a) => ('error' in a ? a.error : undefined)).find((e) => e !== undefined);
}

/**
 * The pair's status from every agent that answers: each node as its own
 * agent reports it (else as another agent's arbiter knows it), and the
 * arbiter view with the newest term. Throws the first agent's error when
 * none answers.
 */
export async function pairStatus(validated: ValidatedConfig): Promise<ClusterStatusView> {
  const answers = await askAll(validated, agentEndpoints(validated), (c) => c.status());
  const got = values(answers);
  if (got.length === 0) throw firstError(answers);
  const arbiter = got.map((g) => g.value.arbiter).reduce((a, b) => (b.term > a.term || (b.term === a.term && b.connected && !a.connected) ? b : a));
  const nodes: NodeStatusView[] = validated.config.nodes.map((node) => {
    const own = got.find((g) => g.endpoint.nodes.includes(node.id))?.value.nodes.find((n) => n.id === node.id);
    if (own) return own;
    const other = got.flatMap((g) => g.value.nodes).find((n) => n.id === node.id);
    return other ?? { id: node.id, role: null, status: 'down', pid: null, term: 0, lastHeartbeat: null, restarts: 0 };
  });
  return { cluster: validated.config.cluster, arbiter, nodes };
}

/** Every agent's alarms, merged (each agent raises alarms for its own nodes). */
export async function pairAlarms(validated: ValidatedConfig): Promise<AlarmListView> {
  const answers = await askAll(validated, agentEndpoints(validated), (c) => c.alarms());
  const got = values(answers);
  if (got.length === 0) throw firstError(answers);
  return {
    active: got.flatMap((g) => g.value.active).sort((a, b) => a.firstSeen - b.firstSeen),
    cleared: got.flatMap((g) => g.value.cleared).sort((a, b) => (b.clearedAt ?? 0) - (a.clearedAt ?? 0)),
  };
}

/**
 * A client with the token of an agent whose token file this user can read
 * on this host, preferring the agent of `preferNode`. Throws the token
 * error (SWY_ERR_MGMT_UNAUTHORIZED) when there is none.
 */
export async function authorisedClient(validated: ValidatedConfig, preferNode?: string): Promise<{ client: ManagementClient; endpoint: AgentEndpoint }> {
  const endpoints = agentEndpoints(validated).sort(
    (a, b) => Number(b.nodes.includes(preferNode ?? '')) - Number(a.nodes.includes(preferNode ?? '')),
  );
  let lastError: unknown;
  for (const endpoint of endpoints) {
    try {
      const token = await readTokenFile(endpoint.stateDir);
      return { client: await agentClient(validated, endpoint, { token }), endpoint };
    } catch (error) {
      if (!isSwitchyardError(error)) throw error;
      lastError = error;
    }
  }
  throw lastError ?? new SwitchyardError('SWY_ERR_MGMT_UNAUTHORIZED', `No management token under ${path.resolve(validated.runtimeDir)}.`);
}
