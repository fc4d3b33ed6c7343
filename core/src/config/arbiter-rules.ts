import type { z } from 'zod';
import { describeError, isSwitchyardError, type ConfigIssue } from '../errors';
import { resolvePlugin } from '../plugin/resolve';
import type { ArbiterKind } from '../supervisor/arbiter-kind';
import { embeddedArbiterKind } from '../supervisor/embedded-kind';
import type { ResolvedPlugin } from './plugin-entries';
import { formatKeyPath, PARSE_OPTIONS, toConfigIssues } from './zod-issues';

/** The configured arbiter: its kind, who offers it, and its options parsed (defaults filled in). */
export interface ResolvedArbiter {
  kind: string;
  /** `core`, or the name of the plugin that offers the kind. */
  plugin: string;
  definition: ArbiterKind;
  options: Record<string, unknown>;
}

const CODE = 'SWY_ERR_CONFIG_INVALID';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Finds the kind: core's `embedded`, a kind an enabled plugin offers, or the
 * official package `@switchyard/plugin-arbiter-<kind>` (so `kind: 'etcd'`
 * works without enabling the plugin by hand).
 */
async function findKind(
  kind: string,
  plugins: readonly ResolvedPlugin[],
  configDir: string,
): Promise<{ plugin: string; definition: ArbiterKind } | { issue: string }> {
  if (kind === 'embedded') return { plugin: 'core', definition: embeddedArbiterKind as unknown as ArbiterKind };
  for (const { plugin } of plugins) {
    const definition = plugin.arbiters?.[kind];
    if (definition) return { plugin: plugin.name, definition };
  }
  const spec = `arbiter-${kind}`;
  try {
    const { plugin } = await resolvePlugin(spec, configDir);
    const definition = plugin.arbiters?.[kind];
    if (definition) return { plugin: plugin.name, definition };
    return { issue: `plugin "${plugin.name}" offers no arbiter kind "${kind}"; use "embedded" (one host) or "etcd" (two hosts)` };
  } catch (error) {
    const detail = isSwitchyardError(error) && error.code === 'SWY_ERR_PLUGIN_NOT_FOUND' ? 'no enabled plugin offers it and' : describeError(error);
    return {
      issue:
        `unknown arbiter kind "${kind}": ${detail} the package @switchyard/plugin-${spec} is not installed; ` +
        `use "embedded" (one host, the default) or "etcd" (two hosts), or install the plugin that offers "${kind}"`,
    };
  }
}

/**
 * Checks the `arbiter` section: a known kind, its options against the
 * kind's schema, the kind's own rules, and that a pair on two hosts has an
 * arbiter that can decide across hosts.
 */
export async function checkArbiter(
  raw: unknown,
  context: {
    plugins: readonly ResolvedPlugin[];
    configDir: string;
    multiHost: boolean;
    hosts: readonly string[];
    nodes: readonly { id?: string; host?: string }[];
    haLink?: { heartbeatInterval: number; missedHeartbeats: number };
  },
): Promise<{ arbiter?: ResolvedArbiter; issues: ConfigIssue[] }> {
  const section = raw === undefined ? { kind: 'embedded' } : raw;
  if (!isRecord(section)) return { issues: [] }; // the schema reports the shape
  const { kind, ...rest } = section;
  if (typeof kind !== 'string' || kind === '') return { issues: [] };
  const found = await findKind(kind, context.plugins, context.configDir);
  if ('issue' in found) return { issues: [{ path: 'arbiter.kind', message: found.issue, code: CODE }] };
  const issues: ConfigIssue[] = [];
  if (context.multiHost && !found.definition.multiHost) {
    issues.push({
      path: 'arbiter.kind',
      message:
        `the nodes run on different hosts (${context.hosts.join(', ')}), but the "${kind}" arbiter decides only for nodes on one host ` +
        `(it lives inside \`switchyard up\`); use arbiter: { kind: "etcd", endpoints: [...] } and run \`switchyard node\` on each host`,
      code: CODE,
    });
  }
  const schema: z.ZodType = found.definition.options;
  const parsed = await schema.safeParseAsync(rest, PARSE_OPTIONS);
  if (!parsed.success) {
    issues.push(...toConfigIssues(parsed.error.issues, schema, ['arbiter'], CODE));
    return { issues };
  }
  const options = parsed.data as Record<string, unknown>;
  for (const issue of found.definition.check?.(options, { haLink: context.haLink, nodes: context.nodes, multiHost: context.multiHost }) ?? []) {
    issues.push({ path: formatKeyPath(issue.path), message: issue.message, code: CODE });
  }
  return { arbiter: { kind, plugin: found.plugin, definition: found.definition, options }, issues };
}
