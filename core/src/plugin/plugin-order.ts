import { SwitchyardError } from '../errors';
import type { Plugin } from './define';

/** Orders plugins so each comes after the plugins it requires (stable otherwise). */
export function orderByRequirements<P extends { plugin: Plugin }>(plugins: readonly P[]): P[] {
  const byName = new Map(plugins.map((p) => [p.plugin.name, p]));
  const done = new Set<string>();
  const visiting = new Set<string>();
  const out: P[] = [];
  const visit = (p: P, chain: string[]) => {
    const name = p.plugin.name;
    if (done.has(name)) return;
    if (visiting.has(name)) {
      throw new SwitchyardError('SWY_ERR_PLUGIN_REQUIREMENT', `Plugins require each other in a cycle: ${[...chain, name].join(' -> ')}.`);
    }
    visiting.add(name);
    for (const dep of p.plugin.requires?.plugins ?? []) {
      const target = byName.get(dep);
      if (!target) {
        throw new SwitchyardError('SWY_ERR_PLUGIN_REQUIREMENT', `Plugin "${name}" requires plugin "${dep}", which is not enabled.`, {
          details: { plugin: name, requires: dep },
        });
      }
      visit(target, [...chain, name]);
    }
    visiting.delete(name);
    done.add(name);
    out.push(p);
  };
  for (const p of plugins) visit(p, []);
  return out;
}
