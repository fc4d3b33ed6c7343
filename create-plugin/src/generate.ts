import fs from 'node:fs';
import path from 'node:path';
import { CreatePluginError } from './errors';
import type { Kind } from './kinds';

/** Everything a generated package is made from (flags and answers, checked). */
export interface PluginAnswers {
  /** npm package name, e.g. `@acme/my-monitor`. */
  packageName: string;
  /** Plugin name (the package name without its scope), e.g. `my-monitor`. */
  plugin: string;
  kind: Kind;
  description: string;
  /** Two digits: the plugin's event ids are `<prefix>-0000N`. */
  eventPrefix: string;
  /** Target folder (absolute). */
  dir: string;
  /** Management port of the example pair; the HA ports are the next two. */
  port: number;
  /** The Switchyard version the package is made for (SDK peer and dev dependency). */
  switchyardVersion: string;
}

/** The templates: `shared/` for every kind, then the kind's own folder. */
export const TEMPLATES = path.resolve(__dirname, '..', 'templates');

/** Template files whose name npm or tools would act on inside this package, renamed on copy. */
const RENAMES: Record<string, string> = { '_package.json': 'package.json', _gitignore: '.gitignore' };

/** Refuses a folder that exists and holds anything; creates it otherwise. */
export function prepareDir(dir: string): void {
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code === 'ENOTDIR') throw new CreatePluginError('SWY_ERR_CREATE_DIR_NOT_EMPTY', `${dir} is a file, not a folder`);
    throw new CreatePluginError('SWY_ERR_CREATE_WRITE', `cannot read ${dir}: ${(error as Error).message}`, { cause: error });
  }
  if (entries.length > 0) {
    throw new CreatePluginError(
      'SWY_ERR_CREATE_DIR_NOT_EMPTY',
      `${dir} already exists and is not empty (${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}); nothing was written`,
    );
  }
}

function tokens(a: PluginAnswers): Record<string, string> {
  return {
    __PACKAGE__: a.packageName,
    __PLUGIN__: a.plugin,
    __KIND__: a.kind,
    __DESCRIPTION_JSON__: JSON.stringify(a.description),
    __DESCRIPTION__: a.description,
    __PREFIX__: a.eventPrefix,
    __SWITCHYARD_VERSION__: a.switchyardVersion,
    __MGMT_PORT__: String(a.port),
    __HA_PORT_A__: String(a.port + 1),
    __HA_PORT_B__: String(a.port + 2),
  };
}

/** Fills every `__TOKEN__` of a template (longest tokens first, so `__DESCRIPTION_JSON__` wins over `__DESCRIPTION__`). */
export function fill(text: string, values: Record<string, string>): string {
  const names = Object.keys(values).sort((x, y) => y.length - x.length);
  const pattern = new RegExp(names.map((n) => n.replace(/[$]/g, '\\$&')).join('|'), 'g');
  return text.replace(pattern, (name) => values[name]!);
}

function copyTree(from: string, to: string, values: Record<string, string>, written: string[]): void {
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, RENAMES[entry.name] ?? entry.name);
    if (entry.isDirectory()) {
      fs.mkdirSync(target, { recursive: true });
      copyTree(source, target, values, written);
    } else {
      fs.writeFileSync(target, fill(fs.readFileSync(source, 'utf8'), values));
      written.push(target);
    }
  }
}

/** Writes the package; returns the files written, relative to its folder, sorted. */
export function generate(answers: PluginAnswers): string[] {
  prepareDir(answers.dir);
  const written: string[] = [];
  try {
    fs.mkdirSync(answers.dir, { recursive: true });
    const values = tokens(answers);
    copyTree(path.join(TEMPLATES, 'shared'), answers.dir, values, written);
    copyTree(path.join(TEMPLATES, answers.kind), answers.dir, values, written);
  } catch (error) {
    if (error instanceof CreatePluginError) throw error;
    throw new CreatePluginError('SWY_ERR_CREATE_WRITE', `cannot write ${answers.dir}: ${(error as Error).message}`, { cause: error });
  }
  return written.map((f) => path.relative(answers.dir, f)).sort();
}
