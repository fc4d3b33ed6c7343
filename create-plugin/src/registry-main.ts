#!/usr/bin/env node
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRegistry, versionFromTarball } from './registry';

/**
 * `npm run registry` (in create-plugin/ of a clone, after `npm install && npm run build`):
 * packs @switchyard/core, @switchyard/sdk and @switchyard/create-plugin as `npm publish` would
 * and serves them on http://127.0.0.1:4873/ (`--port N` for another port, 0 for any), so that
 * `npm create @switchyard/plugin … --@switchyard:registry=http://127.0.0.1:4873` works before
 * the packages are published. Only those three: everything else still comes from the
 * registry npm is configured with. Ctrl-C stops it.
 */
const REPO = path.resolve(__dirname, '..', '..');
const PACKAGES = [
  { folder: 'core', built: 'dist/index.js' },
  { folder: 'sdk', built: 'dist/index.js' },
  { folder: 'create-plugin', built: 'dist/main.js' },
];

function pack(folder: string, dest: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('npm', ['pack', '--json', '--pack-destination', dest], { cwd: path.join(REPO, folder), timeout: 120_000 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`npm pack in ${folder}/ failed: ${error.message}\n${stderr}`));
      const [info] = JSON.parse(stdout) as { filename: string }[];
      resolve(path.join(dest, info!.filename));
    });
  });
}

function portFrom(args: string[]): number {
  const i = args.indexOf('--port');
  if (i === -1) return 4873;
  const port = Number(args[i + 1]);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`--port wants 0..65535, got ${args[i + 1]}`);
  return port;
}

async function main(): Promise<void> {
  const port = portFrom(process.argv.slice(2));
  for (const p of PACKAGES) {
    if (!fs.existsSync(path.join(REPO, p.folder, p.built))) throw new Error(`${p.folder}/${p.built} is missing: run \`npm install && npm run build\` in ${REPO} first`);
  }
  const dest = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-registry-'));
  const cleanup = () => fs.rmSync(dest, { recursive: true, force: true });
  try {
    const versions = [];
    for (const p of PACKAGES) versions.push(versionFromTarball(await pack(p.folder, dest)));
    const registry = await startRegistry(versions, { port, log: (line) => process.stdout.write(`${line}\n`) });
    const url = registry.url.replace(/\/$/, '');
    process.stdout.write(
      `Serving ${versions.map((v) => `${v.name}@${v.version}`).join(', ')} on ${registry.url}\n` +
        `In another shell:\n` +
        `  npm create @switchyard/plugin my-monitor --@switchyard:registry=${url} -- --yes\n` +
        `  cd my-monitor && npm install --@switchyard:registry=${url}\n` +
        `Ctrl-C stops it.\n`,
    );
    const stop = () => {
      void registry.close().then(() => {
        cleanup();
        process.exit(0);
      });
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  } catch (error) {
    cleanup();
    throw error;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`registry: ${(error as Error).message ?? String(error)}\n`);
  process.exit(1);
});
