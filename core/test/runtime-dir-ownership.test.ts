import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isSwitchyardError, type SwitchyardError } from '../src/errors';
import { ensureRuntimeDir, runtimeDirWarning } from '../src/fs/runtime-dir';
import { createTokenFile, tokenFilePath } from '../src/management/token';
import type { ValidatedConfig } from '../src/config/validate';
import { prepareAgentStateDir } from '../src/supervisor/agent-paths';

let base: string;
beforeEach(() => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'swy-runtime-'));
});
afterEach(() => {
  fs.rmSync(base, { recursive: true, force: true });
});

const modeOf = (p: string) => fs.statSync(p).mode & 0o7777;

async function refusal(promise: Promise<unknown>): Promise<SwitchyardError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isSwitchyardError(error, 'SWY_ERR_RUNTIME_DIR_UNSAFE')).toBe(true);
  return error as SwitchyardError;
}

describe('runtime folder: created or repaired as 0700', () => {
  it('creates a missing folder and its missing parents as 0700', async () => {
    const dir = path.join(base, 'var', 'switchyard', 'demo');
    expect(await ensureRuntimeDir(dir)).toEqual({ dir, created: true });
    expect(modeOf(dir)).toBe(0o700);
    expect(modeOf(path.join(base, 'var', 'switchyard'))).toBe(0o700);
    expect(modeOf(path.join(base, 'var'))).toBe(0o700);
  });

  it('narrows an existing folder that others could read (0755, 0777) to 0700, and says it did', async () => {
    const dir = path.join(base, 'run');
    fs.mkdirSync(dir);
    fs.chmodSync(dir, 0o755);
    expect(await ensureRuntimeDir(dir)).toEqual({ dir, created: false, repairedFrom: '0755' });
    expect(modeOf(dir)).toBe(0o700);
    fs.chmodSync(dir, 0o1777);
    expect((await ensureRuntimeDir(dir)).repairedFrom).toBe('1777');
    expect(modeOf(dir)).toBe(0o700);
    expect(await ensureRuntimeDir(dir)).toEqual({ dir, created: false });
  });

  it('refuses a path that is a file, naming it', async () => {
    const file = path.join(base, 'run');
    fs.writeFileSync(file, '');
    const error = await refusal(ensureRuntimeDir(file));
    expect(error.message).toBe(`The runtime folder ${file} is not a folder; remove the file there or set runtimeDir to another path.`);
  });

  it("an agent of one node (switchyard node) gets both <runtimeDir> and its <runtimeDir>/<node> as 0700", async () => {
    const runtimeDir = path.join(base, 'run');
    fs.mkdirSync(runtimeDir, { mode: 0o755 });
    fs.chmodSync(runtimeDir, 0o755);
    const validated = { runtimeDir, config: { nodes: [{ id: 'a' }, { id: 'b' }] } } as unknown as ValidatedConfig;
    expect(await prepareAgentStateDir(validated, ['a'])).toEqual({ dir: path.join(runtimeDir, 'a'), created: true });
    expect(modeOf(runtimeDir)).toBe(0o700);
    expect(modeOf(path.join(runtimeDir, 'a'))).toBe(0o700);
  });

  it('validate can tell, without touching it, that a folder will be narrowed, and says nothing of a missing or right one', () => {
    const dir = path.join(base, 'run');
    expect(runtimeDirWarning(dir)).toBeUndefined();
    fs.mkdirSync(dir);
    fs.chmodSync(dir, 0o755);
    expect(runtimeDirWarning(dir)).toBe(`the runtime folder ${dir} has mode 0755; it will be narrowed to 0700 at start`);
    expect(modeOf(dir)).toBe(0o755);
    fs.chmodSync(dir, 0o700);
    expect(runtimeDirWarning(dir)).toBeUndefined();
  });

  it('the management token is 0600 in the 0700 folder even when the folder was 0755', async () => {
    const dir = path.join(base, 'run');
    fs.mkdirSync(dir, { mode: 0o755 });
    fs.chmodSync(dir, 0o755);
    await createTokenFile(dir);
    expect(modeOf(dir)).toBe(0o700);
    expect(modeOf(tokenFilePath(dir))).toBe(0o600);
  });
});

/** Owned by another user: needs root to chown, as CI runs. */
const isRoot = process.geteuid?.() === 0;
if (process.env.CI === 'true' && !isRoot) throw new Error('CI runs the runtime-folder ownership tests as root');

describe.skipIf(!isRoot)('runtime folder owned by another user (root, chown to nobody)', () => {
  it('is refused with SWY_ERR_RUNTIME_DIR_UNSAFE naming the folder and its owner; its mode is left alone', async () => {
    const dir = path.join(base, 'run');
    fs.mkdirSync(dir);
    fs.chmodSync(dir, 0o755);
    fs.chownSync(dir, 65534, 65534);
    const error = await refusal(ensureRuntimeDir(dir));
    expect(error.message).toBe(
      `The runtime folder ${dir} is owned by nobody (uid 65534), not by root (uid 0) who runs Switchyard: ` +
        `that user could read the management token or plant files in it. Run chown root ${dir}, or set runtimeDir to a folder of your own.`,
    );
    expect(error.remedy).toContain('owned by the user running Switchyard');
    expect(modeOf(dir)).toBe(0o755);
  });

  it('validate warns that starting would be refused', () => {
    const dir = path.join(base, 'run');
    fs.mkdirSync(dir);
    fs.chownSync(dir, 65534, 65534);
    expect(runtimeDirWarning(dir)).toBe(
      `the runtime folder ${dir} is owned by nobody (uid 65534), not by root (uid 0); starting will fail (SWY_ERR_RUNTIME_DIR_UNSAFE) — run chown root ${dir}`,
    );
  });

  it('writes no token into a folder owned by nobody', async () => {
    const dir = path.join(base, 'run');
    fs.mkdirSync(dir);
    fs.chownSync(dir, 65534, 65534);
    await refusal(createTokenFile(dir));
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('follows a symlink: a link of root to a folder of nobody is refused', async () => {
    const theirs = path.join(base, 'theirs');
    fs.mkdirSync(theirs);
    fs.chownSync(theirs, 65534, 65534);
    const link = path.join(base, 'run');
    fs.symlinkSync(theirs, link);
    const error = await refusal(ensureRuntimeDir(link));
    expect(error.message).toContain(`The runtime folder ${link} is owned by nobody (uid 65534)`);
  });

  it('keeps the token from another local user: nobody can neither list the folder nor read the token', async () => {
    fs.chmodSync(base, 0o755);
    const dir = path.join(base, 'run');
    const token = await createTokenFile(dir);
    const asNobody = (argv: string[]) => spawnSync('runuser', ['-u', 'nobody', '--', ...argv], { encoding: 'utf8', timeout: 10_000 });
    // runuser works (a missing one must fail here, not make the refusals below pass)
    expect(asNobody(['id', '-u']).stdout).toBe('65534\n');
    const read = asNobody(['cat', tokenFilePath(dir)]);
    expect(read.status).not.toBe(0);
    expect(read.stdout).not.toContain(token);
    expect(asNobody(['ls', dir]).status).not.toBe(0);
  });
});
