import fs from 'node:fs';
import path from 'node:path';
import { CoreEvent, type Plugin } from '@switchyard/sdk';
import { describe, expect, it } from 'vitest';

const PLUGINS_DIR = path.resolve(__dirname, '../../../plugins');

/** Every first-party plugin package in the repository, loaded by its package name as `switchyard` loads it. */
function firstPartyPlugins(): { pkg: string; plugin: Plugin }[] {
  return fs
    .readdirSync(PLUGINS_DIR)
    .filter((dir) => fs.existsSync(path.join(PLUGINS_DIR, dir, 'package.json')))
    .map((dir) => {
      const pkg = (JSON.parse(fs.readFileSync(path.join(PLUGINS_DIR, dir, 'package.json'), 'utf8')) as { name: string }).name;
      const mod = require(path.join(PLUGINS_DIR, dir)) as { default?: Plugin };
      if (!mod.default) throw new Error(`${pkg} has no default export`);
      return { pkg, plugin: mod.default };
    });
}

describe('log-event ids across core and every first-party plugin', () => {
  it('are unique, so any set of first-party plugins can be enabled together', () => {
    const owners = new Map<string, string[]>();
    const add = (id: string, owner: string) => owners.set(id, [...(owners.get(id) ?? []), owner]);
    for (const id of Object.values(CoreEvent)) add(id, 'core');
    const plugins = firstPartyPlugins();
    expect(plugins.length).toBeGreaterThanOrEqual(9);
    for (const { pkg, plugin } of plugins) {
      for (const e of plugin.events ?? []) add(e.id, pkg);
      // A plugin may list its arbiter kind's events at both levels: one owner still.
      const own = new Set((plugin.events ?? []).map((e) => e.id));
      for (const kind of Object.values(plugin.arbiters ?? {})) for (const e of kind.events ?? []) if (!own.has(e.id)) add(e.id, pkg);
    }
    const clashes = [...owners].filter(([, who]) => who.length > 1);
    expect(clashes).toEqual([]);
  });
});

describe('first-party plugin packages', () => {
  it('take @switchyard/sdk as a peer dependency (one copy of core in a deployment) and never depend on core directly', () => {
    const manifests = fs
      .readdirSync(PLUGINS_DIR)
      .filter((dir) => fs.existsSync(path.join(PLUGINS_DIR, dir, 'package.json')))
      .map((dir) => JSON.parse(fs.readFileSync(path.join(PLUGINS_DIR, dir, 'package.json'), 'utf8')) as Record<string, Record<string, string> | string>);
    expect(manifests.length).toBeGreaterThanOrEqual(9);
    const wrong = manifests.flatMap((m) => {
      const name = m.name as string;
      const deps = (m.dependencies ?? {}) as Record<string, string>;
      const peers = (m.peerDependencies ?? {}) as Record<string, string>;
      const problems: string[] = [];
      if (!peers['@switchyard/sdk']) problems.push(`${name}: no peer dependency on @switchyard/sdk`);
      for (const dep of ['@switchyard/core', '@switchyard/sdk', '@switchyard/plugin-sip']) if (deps[dep]) problems.push(`${name}: ${dep} in dependencies`);
      return problems;
    });
    expect(wrong).toEqual([]);
  });
});
