import { CreatePluginError } from './errors';
import { KINDS, isKind, type Kind } from './kinds';

const MAX_NAME = 214;
/** npm's rules for a new package: lowercase, URL-safe, no leading dot or underscore, an optional scope. */
const PACKAGE_NAME = /^(?:@([a-z0-9-~][a-z0-9-._~]*)\/)?([a-z0-9-~][a-z0-9-._~]*)$/;
/** What definePlugin accepts as a plugin name (also used as the reaction or arbiter kind name). */
const PLUGIN_NAME = /^[a-z0-9][a-z0-9-]*$/;

/** Checks a package name; returns the plugin name (the name without its scope). */
export function checkPackageName(name: string): string {
  const problem = (why: string) => new CreatePluginError('SWY_ERR_CREATE_NAME', `"${name}" cannot be the package name: ${why}`);
  if (name.trim() === '') throw problem('it is empty');
  if (name.length > MAX_NAME) throw problem(`npm allows at most ${MAX_NAME} characters`);
  if (name !== name.toLowerCase()) throw problem('npm package names are lowercase');
  const match = PACKAGE_NAME.exec(name);
  if (!match) throw problem('npm allows only lowercase letters, digits, "-", ".", "_" and "~" (not first: "." or "_"), with an optional @scope/');
  const plugin = match[2]!;
  if (plugin === 'node_modules' || plugin === 'favicon.ico') throw problem(`npm reserves "${plugin}"`);
  if (!PLUGIN_NAME.test(plugin)) {
    throw problem(`the name after the scope ("${plugin}") is also the plugin's name, which is kebab-case: lowercase letters, digits and "-", not starting with "-"`);
  }
  return plugin;
}

export function checkKind(kind: string): Kind {
  if (isKind(kind)) return kind;
  throw new CreatePluginError('SWY_ERR_CREATE_KIND', `unknown kind "${kind}"; choose one of: ${Object.keys(KINDS).join(', ')}`);
}

export function checkEventPrefix(prefix: string): string {
  if (!/^\d{2}$/.test(prefix) || prefix === '00' || prefix === '01') {
    throw new CreatePluginError(
      'SWY_ERR_CREATE_EVENT_PREFIX',
      `event prefix "${prefix}" cannot be used: event ids are NN-NNNNN, and the plugin's NN must be two digits other than 00 and 01 (Switchyard's own)`,
    );
  }
  return prefix;
}

export function checkPort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1024 || port > 65533) {
    throw new CreatePluginError('SWY_ERR_CREATE_USAGE', `--port ${value}: give a whole number from 1024 to 65533 (the pair uses it and the next two ports)`);
  }
  return port;
}
