import fs from 'node:fs';
import path from 'node:path';
import type { RegistryVersion } from '../src/registry';

/**
 * The stand-in for registry.npmjs.org in the end-to-end test: every package version this
 * repository's package-lock.json names (nested copies included), with its locked manifest
 * fields, and its tarball from npm's content-addressed cache (filled by `npm ci`), found by the
 * lock's sha512 integrity. Versions whose tarball is not cached (other platforms' optional
 * binaries) are still listed, with their os/cpu/libc, so npm can skip them; their tarball is a 404.
 */

interface LockEntry {
  version?: string;
  integrity?: string;
  link?: boolean;
  [field: string]: unknown;
}

/** What npm resolves with; the lock carries these for each package. */
const MANIFEST_FIELDS = [
  'dependencies',
  'optionalDependencies',
  'peerDependencies',
  'peerDependenciesMeta',
  'bin',
  'engines',
  'os',
  'cpu',
  'libc',
  'license',
  'hasInstallScript',
  'deprecated',
  'funding',
] as const;

/** `<cache>/_cacache/content-v2/sha512/ab/cd/ef…`: where npm's cache keeps a tarball with this integrity. */
export function cachedTarball(cache: string, integrity: string): string {
  const hex = Buffer.from(integrity.replace(/^sha512-/, ''), 'base64').toString('hex');
  return path.join(cache, '_cacache', 'content-v2', 'sha512', hex.slice(0, 2), hex.slice(2, 4), hex.slice(4));
}

/** Every registry package version in `lockfile` (v2/v3), with its tarball in `cache` (`npm config get cache`). */
export function lockedVersions(lockfile: string, cache: string): RegistryVersion[] {
  const lock = JSON.parse(fs.readFileSync(lockfile, 'utf8')) as { lockfileVersion: number; packages?: Record<string, LockEntry> };
  if (!lock.packages) throw new Error(`${lockfile}: lockfileVersion ${lock.lockfileVersion} has no "packages"`);
  const versions: RegistryVersion[] = [];
  for (const [key, entry] of Object.entries(lock.packages)) {
    const at = key.lastIndexOf('node_modules/');
    // The root and workspace folders, and links to them, are not registry packages.
    if (at === -1 || entry.link || !entry.version || !entry.integrity?.startsWith('sha512-')) continue;
    const name = key.slice(at + 'node_modules/'.length);
    const manifest: Record<string, unknown> = {};
    for (const field of MANIFEST_FIELDS) if (entry[field] !== undefined) manifest[field] = entry[field];
    versions.push({ name, version: entry.version, manifest, integrity: entry.integrity, file: cachedTarball(cache, entry.integrity) });
  }
  return versions;
}
