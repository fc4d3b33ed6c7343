import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { runBounded, type CliResult } from '@switchyard/sdk/testing';

/**
 * npm as on a clean machine, but pointed at a loopback registry: an empty user and global
 * config (nothing from ~/.npmrc, e.g. `omit-lockfile-registry-resolved`), its own cache
 * folder, `registry` set to `registry`, no audit, fund or update-notifier requests, and none
 * of the `npm_config_*` variables of the `npm test` that runs this.
 */
export interface NpmSandbox {
  readonly env: NodeJS.ProcessEnv;
  /** `npm <args>` in `cwd`, killed after `timeoutMs`. */
  run(args: readonly string[], opts: { cwd: string; timeoutMs: number; cache?: string }): Promise<CliResult>;
  /** `npm <args>` left running (for `npm run registry`); its own process group, so `stop` ends the script's node too. */
  start(args: readonly string[], opts: { cwd: string }): ChildProcess;
}

export function npmSandbox(folder: string, registry: string): NpmSandbox {
  fs.mkdirSync(folder, { recursive: true });
  const userRc = path.join(folder, 'user.npmrc');
  const globalRc = path.join(folder, 'global.npmrc');
  fs.writeFileSync(userRc, '');
  fs.writeFileSync(globalRc, '');
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!/^npm_/i.test(key)) env[key] = value;
  Object.assign(env, {
    npm_config_userconfig: userRc,
    npm_config_globalconfig: globalRc,
    npm_config_cache: path.join(folder, 'cache'),
    npm_config_registry: registry,
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  });
  return {
    env,
    run: (args, opts) =>
      runBounded('npm', args, { cwd: opts.cwd, timeoutMs: opts.timeoutMs, env: opts.cache ? { ...env, npm_config_cache: opts.cache } : env }),
    start: (args, opts) => spawn('npm', [...args], { cwd: opts.cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true }),
  };
}
