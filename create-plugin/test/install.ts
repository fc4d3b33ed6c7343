import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { runBounded } from '@switchyard/sdk/testing';

/** The repository root (this file is create-plugin/test/install.ts). */
export const REPO = path.resolve(__dirname, '..', '..');
const ROOT_MODULES = path.join(REPO, 'node_modules');

/** Packs a workspace package as `npm publish` would, into `dest`; returns the tarball's path. */
export async function pack(pkg: 'core' | 'sdk' | 'create-plugin', dest: string): Promise<string> {
  const r = await runBounded('npm', ['pack', '--offline', '--json', '--pack-destination', dest], { cwd: path.join(REPO, pkg), timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`npm pack of ${pkg} failed:\n${r.stderr}`);
  const [info] = JSON.parse(r.stdout) as { filename: string }[];
  return path.join(dest, info!.filename);
}

/**
 * Installs a generated package's dependencies without a registry: `@switchyard/core` and
 * `@switchyard/sdk` from the packed tarballs (what npm would publish: its `files`, `exports`
 * and `bin`), everything else (zod, typescript, vitest, core's own dependencies) linked one
 * by one from this repository's node_modules, and the `.bin` links npm would make.
 *
 * Why not `npm install --offline <tarballs>`: npm needs every dependency's registry metadata
 * (packuments) to resolve versions, and the npm cache here holds only tarballs (it was filled
 * by `npm ci` from a lockfile), so it fails with ENOTCACHED; tests must not reach the registry.
 */
export async function installFromPacks(dir: string, tarballs: { core: string; sdk: string }): Promise<void> {
  const modules = path.join(dir, 'node_modules');
  fs.mkdirSync(path.join(modules, '.bin'), { recursive: true });
  for (const entry of fs.readdirSync(ROOT_MODULES)) {
    if (entry.startsWith('.') || entry === '@switchyard') continue;
    const source = path.join(ROOT_MODULES, entry);
    // Workspace packages of this repository (symlinks to its folders) are not dependencies of a plugin.
    if (fs.lstatSync(source).isSymbolicLink() && !fs.realpathSync(source).includes(`${path.sep}node_modules${path.sep}`)) continue;
    if (entry.startsWith('@')) {
      fs.mkdirSync(path.join(modules, entry));
      for (const scoped of fs.readdirSync(source)) {
        const target = path.join(source, scoped);
        if (fs.lstatSync(target).isSymbolicLink()) continue;
        fs.symlinkSync(target, path.join(modules, entry, scoped), 'dir');
      }
    } else fs.symlinkSync(source, path.join(modules, entry), 'dir');
  }
  for (const [name, tarball] of Object.entries(tarballs)) {
    const target = path.join(modules, '@switchyard', name);
    fs.mkdirSync(target, { recursive: true });
    const r = await runBounded('tar', ['-xzf', tarball, '-C', target, '--strip-components=1'], { timeoutMs: 30_000 });
    if (r.code !== 0) throw new Error(`tar failed: ${r.stderr}`);
  }
  fs.symlinkSync(path.join(ROOT_MODULES, 'typescript', 'bin', 'tsc'), path.join(modules, '.bin', 'tsc'));
  fs.symlinkSync(path.join(ROOT_MODULES, 'vitest', 'vitest.mjs'), path.join(modules, '.bin', 'vitest'));
  fs.symlinkSync(path.join('..', '@switchyard', 'core', 'bin', 'switchyard.js'), path.join(modules, '.bin', 'switchyard'));
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A port p on 127.0.0.1 with p, p+1 and p+2 free (the example pair's management and HA ports). */
export async function freePortRun(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 10_000);
    if ((await portFree(base)) && (await portFree(base + 1)) && (await portFree(base + 2))) return base;
  }
  throw new Error('no three consecutive free ports on 127.0.0.1 in 50 attempts');
}
