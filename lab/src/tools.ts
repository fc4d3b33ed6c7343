import fs from 'node:fs';
import path from 'node:path';
import { LabError } from './errors';

/** The external programs the lab drives, with the Debian package that gives each. */
export const LAB_TOOLS = {
  ip: 'iproute2',
  etcd: 'etcd-server',
  etcdctl: 'etcd-client',
  openssl: 'openssl',
  mount: 'mount',
  umount: 'mount',
  faketime: 'faketime',
  sipp: 'sip-tester',
} as const;

export type LabTool = keyof typeof LAB_TOOLS;

// sbin is searched too: `ip` lives in /usr/sbin, which a non-login root shell may not have on its PATH.
const EXTRA_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin'];
const found = new Map<string, string>();

/** The absolute path of `name` on the PATH (or in sbin), or undefined. */
export function findTool(name: string): string | undefined {
  const cached = found.get(name);
  if (cached !== undefined) return cached;
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), ...EXTRA_DIRS].filter((d) => d !== '');
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      found.set(name, candidate);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The absolute path of a lab tool; throws `SWY_ERR_LAB_TOOL_MISSING` naming the package to install. */
export function requireTool(name: LabTool): string {
  const file = findTool(name);
  if (file === undefined) {
    throw new LabError('SWY_ERR_LAB_TOOL_MISSING', `\`${name}\` is not installed (not on the PATH nor in sbin); install the Debian package ${LAB_TOOLS[name]}`);
  }
  return file;
}

/** Throws `SWY_ERR_LAB_NOT_ROOT` unless this process is root. */
export function requireRoot(): void {
  const uid = process.getuid?.();
  if (uid !== 0) {
    throw new LabError('SWY_ERR_LAB_NOT_ROOT', `the lab creates network namespaces, which needs root, and this process runs as uid ${uid ?? 'unknown'}`);
  }
}
