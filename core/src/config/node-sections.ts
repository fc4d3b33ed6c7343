import type { ConfigIssue } from '../errors';
import type { NodeSection } from '../plugin/define';
import type { ResolvedPlugin } from './plugin-entries';
import { nodeSchema } from './schema';
import { suggestKey } from './suggest';
import { PARSE_OPTIONS, formatKeyPath, toConfigIssues } from './zod-issues';

/** Parsed plugin sections per node index: `sections[i][key]`. */
export type NodeSections = Record<string, unknown>[];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Node entries may carry sections owned by enabled plugins (`nodes[0].sip`).
 * Each is parsed with its plugin's `nodeOptions.schema`; a key no enabled
 * plugin owns is an unknown key, with a "did you mean".
 */
export function checkNodeSections(
  rawNodes: unknown,
  plugins: readonly ResolvedPlugin[],
): { sections: NodeSections; issues: ConfigIssue[]; warnings: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const warnings: ConfigIssue[] = [];
  const sections: NodeSections = [];
  if (!Array.isArray(rawNodes)) return { sections, issues, warnings };
  const owners = new Map(plugins.flatMap((p) => (p.plugin.nodeOptions ? [[p.plugin.nodeOptions.key, p] as const] : [])));
  const known = [...Object.keys(nodeSchema.shape), ...owners.keys()];
  const collected = new Map<string, NodeSection<unknown>[]>();
  rawNodes.forEach((node: unknown, index) => {
    const parsed: Record<string, unknown> = {};
    sections.push(parsed);
    if (!isRecord(node)) return;
    for (const key of Object.keys(node)) {
      if (Object.hasOwn(nodeSchema.shape, key)) continue;
      const owner = owners.get(key);
      if (!owner) {
        const hint = suggestKey(key, known);
        issues.push({
          path: formatKeyPath(['nodes', index, key]),
          message: hint
            ? `unknown key "${key}"; did you mean "${hint}"?`
            : `unknown key "${key}" (a node takes ${known.map((k) => `"${k}"`).join(', ')}; a plugin's section, like "sip", is known once that plugin is enabled)`,
          code: 'SWY_ERR_CONFIG_INVALID',
        });
        continue;
      }
      const schema = owner.plugin.nodeOptions!.schema;
      const result = schema.safeParse(node[key], PARSE_OPTIONS);
      if (!result.success) {
        issues.push(...toConfigIssues(result.error.issues, schema, ['nodes', index, key], 'SWY_ERR_PLUGIN_OPTIONS'));
        continue;
      }
      parsed[key] = result.data;
      const list = collected.get(key) ?? [];
      list.push({ index, nodeId: String(node.id ?? index), host: String(node.host ?? ''), value: result.data });
      collected.set(key, list);
    }
  });
  for (const [key, owner] of owners) {
    const spec = owner.plugin.nodeOptions!;
    if (spec.required) {
      rawNodes.forEach((node: unknown, index) => {
        if (isRecord(node) && !Object.hasOwn(node, key)) {
          issues.push({
            path: formatKeyPath(['nodes', index, key]),
            message: `plugin "${owner.plugin.name}" needs a "${key}" section on every node`,
            code: 'SWY_ERR_PLUGIN_OPTIONS',
          });
        }
      });
    }
    for (const found of spec.check?.(collected.get(key) ?? []) ?? []) {
      issues.push({ path: formatKeyPath(['nodes', found.index, key, ...found.path]), message: found.message, code: 'SWY_ERR_PLUGIN_OPTIONS' });
    }
    const enabled = plugins.map((p) => p.plugin.name);
    for (const found of spec.warn?.(collected.get(key) ?? [], { plugins: enabled }) ?? []) {
      warnings.push({ path: formatKeyPath(['nodes', found.index, key, ...found.path]), message: found.message, code: 'SWY_ERR_PLUGIN_OPTIONS' });
    }
  }
  return { sections, issues, warnings };
}
