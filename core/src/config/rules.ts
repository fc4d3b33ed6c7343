import type { ConfigIssue } from '../errors';
import type { NodeConfig, SwitchyardConfig } from './schema';

/**
 * Rules that span several keys and so cannot live in the zod schema:
 * unique node ids and ports, a secret for multi-host pairs, and timings
 * that must fit together. Each rule sees only the sections that parsed,
 * so one broken section does not hide the problems of the others.
 */

/**
 * A node with its index in `nodes` (for key paths). Only the fields that
 * passed their schema are present, so a node with a bad port still takes
 * part in the id and host checks.
 */
export interface IndexedNode {
  index: number;
  node: Partial<NodeConfig>;
}

/** The parts of a config that parsed; a section is absent when it did not. */
export interface ConfigView {
  nodes: IndexedNode[];
  management?: SwitchyardConfig['management'];
  haLink?: SwitchyardConfig['haLink'];
  arbiter?: SwitchyardConfig['arbiter'];
  supervisor?: SwitchyardConfig['supervisor'];
}

const CODE = 'SWY_ERR_CONFIG_INVALID';

/**
 * A host as an address to compare: `localhost` is 127.0.0.1. Other distinct
 * addresses count as distinct hosts, even 127.0.0.1 and 127.0.0.2 (a common
 * way to try a two-host pair on one machine): they bind separately, and a
 * link between them is treated as crossing hosts.
 */
function addressOf(host: string): string {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' ? '127.0.0.1' : h;
}

/** A wildcard bind address listens on every interface, so it clashes with any host. */
function isWildcard(host: string): boolean {
  const h = addressOf(host);
  return h === '0.0.0.0' || h === '::';
}

/** Whether two listeners on these hosts compete for the same ports. */
function sharePorts(a: string, b: string): boolean {
  return isWildcard(a) || isWildcard(b) || addressOf(a) === addressOf(b);
}

/** True when the nodes have different hosts (and so need a shared HA-link secret). */
export function isMultiHost(nodes: readonly Partial<NodeConfig>[]): boolean {
  return new Set(nodes.flatMap((n) => (n.host === undefined ? [] : [addressOf(n.host)]))).size > 1;
}

function duplicateIds(nodes: readonly IndexedNode[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const seen = new Map<string, number>();
  for (const { index, node } of nodes) {
    if (node.id === undefined) continue;
    const first = seen.get(node.id);
    if (first === undefined) {
      seen.set(node.id, index);
      continue;
    }
    issues.push({
      path: `nodes[${index}].id`,
      message: `duplicate node id "${node.id}" (also nodes[${first}].id); give each node its own id`,
      code: CODE,
    });
  }
  return issues;
}

function listensOn(node: Partial<NodeConfig>): node is Partial<NodeConfig> & Pick<NodeConfig, 'host' | 'haPort'> {
  return node.host !== undefined && node.haPort !== undefined;
}

function duplicatePorts(view: ConfigView): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const { nodes, management } = view;
  for (let j = 0; j < nodes.length; j++) {
    for (let i = 0; i < j; i++) {
      const a = nodes[i]!;
      const b = nodes[j]!;
      if (!listensOn(a.node) || !listensOn(b.node)) continue;
      if (a.node.haPort !== b.node.haPort || !sharePorts(a.node.host, b.node.host)) continue;
      issues.push({
        path: `nodes[${b.index}].haPort`,
        message:
          `port ${b.node.haPort} is also nodes[${a.index}].haPort on the same host (${a.node.host}); ` +
          `two nodes on one host need different haPort values`,
        code: CODE,
      });
    }
  }
  if (management) {
    for (const { index, node } of nodes) {
      if (!listensOn(node)) continue;
      if (node.haPort !== management.port || !sharePorts(node.host, management.host ?? node.host)) continue;
      issues.push({
        path: 'management.port',
        message:
          `port ${management.port} is also nodes[${index}].haPort on the same host (${node.host}); ` +
          `pick a management.port that no node uses for its HA link`,
        code: CODE,
      });
    }
  }
  return issues;
}

function missingSecret(view: ConfigView): ConfigIssue[] {
  if (!view.haLink || view.haLink.secret !== undefined) return [];
  const hosts = [...new Set(view.nodes.flatMap(({ node }) => (node.host === undefined ? [] : [node.host])))];
  if (!isMultiHost(view.nodes.map(({ node }) => node))) return [];
  return [
    {
      path: 'haLink.secret',
      message:
        `the nodes run on different hosts (${hosts.join(', ')}), so the HA link must be authenticated: ` +
        `set haLink.secret to a shared secret of at least 16 characters, the same on both hosts ` +
        `(a single-host pair generates one per run)`,
      code: CODE,
    },
  ];
}

function restartDelays(view: ConfigView): ConfigIssue[] {
  const supervisor = view.supervisor;
  if (!supervisor || supervisor.restartDelay <= supervisor.restartMaxDelay) return [];
  return [
    {
      path: 'supervisor.restartDelay',
      message:
        `supervisor.restartDelay (${supervisor.restartDelay} s) must not exceed supervisor.restartMaxDelay ` +
        `(${supervisor.restartMaxDelay} s); lower restartDelay or raise restartMaxDelay`,
      code: CODE,
    },
  ];
}

/** Every cross-key problem of the parsed sections, in key order. */
export function checkRules(view: ConfigView): ConfigIssue[] {
  return [
    ...duplicateIds(view.nodes),
    ...duplicatePorts(view),
    ...missingSecret(view),
    ...restartDelays(view),
  ];
}
