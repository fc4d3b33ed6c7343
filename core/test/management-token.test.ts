import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isSwitchyardError } from '../src/errors';
import { createTokenFile, readTokenFile, removeTokenFile } from '../src/management/token';

let base: string;
beforeEach(async () => {
  base = await fs.mkdtemp(path.join(os.tmpdir(), 'swy-token-'));
});
afterEach(async () => {
  await fs.rm(base, { recursive: true, force: true });
});

const modeOf = async (p: string) => (await fs.stat(p)).mode & 0o777;

describe('management token file', () => {
  it('creates the runtime dir 0700 and a 0600 file holding a 32-byte base64url token', async () => {
    const runtimeDir = path.join(base, 'run', 'lab');
    const token = await createTokenFile(runtimeDir);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(await modeOf(runtimeDir)).toBe(0o700);
    expect(await modeOf(path.join(runtimeDir, 'management.token'))).toBe(0o600);
    expect(await readTokenFile(runtimeDir)).toBe(token);
  });

  // 0o377 would leave a 0400 file in a 0400 directory nobody could enter, were modes not set exactly.
  it.runIf(isMainThread).each(['000', '377'])('is 0600 in a 0700 dir under umask %s', async (mask) => {
    const umask = parseInt(mask, 8);
    const runtimeDir = path.join(base, 'run');
    const previous = process.umask(umask);
    try {
      await createTokenFile(runtimeDir);
    } finally {
      process.umask(previous);
    }
    expect(await modeOf(runtimeDir)).toBe(0o700);
    expect(await modeOf(path.join(runtimeDir, 'management.token'))).toBe(0o600);
  });

  it('replaces the token on each start and leaves no temp files', async () => {
    const first = await createTokenFile(base);
    await fs.chmod(path.join(base, 'management.token'), 0o644);
    const second = await createTokenFile(base);
    expect(second).not.toBe(first);
    expect(await readTokenFile(base)).toBe(second);
    expect(await modeOf(path.join(base, 'management.token'))).toBe(0o600);
    expect(await fs.readdir(base)).toEqual(['management.token']);
  });

  it('reading a missing token fails SWY_ERR_MGMT_UNAUTHORIZED saying `switchyard up` writes it', async () => {
    const error = await readTokenFile(base).catch((e: unknown) => e);
    expect(isSwitchyardError(error, 'SWY_ERR_MGMT_UNAUTHORIZED')).toBe(true);
    expect((error as Error).message).toContain(path.join(base, 'management.token'));
    expect((error as Error).message).toContain('`switchyard up` writes it');
  });

  it('removeTokenFile removes it, and is quiet when it is already gone', async () => {
    await createTokenFile(base);
    await removeTokenFile(base);
    await expect(fs.access(path.join(base, 'management.token'))).rejects.toThrow();
    await expect(removeTokenFile(base)).resolves.toBeUndefined();
  });
});
