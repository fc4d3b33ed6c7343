/**
 * The management API's bearer token: the supervisor writes a fresh one at
 * start, the CLI reads it from the same runtime directory. Whoever can read
 * the file may order a switchover, so it is 0600 in a 0700 directory.
 */
import { randomBytes } from 'node:crypto';
import { writeFileAtomic } from '../fs/atomic-file';
import { ensureRuntimeDir } from '../fs/runtime-dir';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { SwitchyardError } from '../errors';

export const TOKEN_FILE_NAME = 'management.token';

/** `<runtimeDir>/management.token`. */
export function tokenFilePath(runtimeDir: string): string {
  return path.join(runtimeDir, TOKEN_FILE_NAME);
}

/**
 * Writes a fresh random token (32 bytes, base64url) to
 * `<runtimeDir>/management.token`, mode 0600, and returns it. Creates
 * `runtimeDir` as 0700 when missing, narrows it to 0700 when wider, and
 * refuses (SWY_ERR_RUNTIME_DIR_UNSAFE, no token written) a runtime folder
 * owned by another user. Readers never see a half-written file.
 */
export async function createTokenFile(runtimeDir: string): Promise<string> {
  await ensureRuntimeDir(runtimeDir);

  const token = randomBytes(32).toString('base64url');
  const file = tokenFilePath(runtimeDir);
  // Exclusive temp file, exact 0600 whatever the umask, renamed into place.
  await writeFileAtomic(file, `${token}\n`, { mode: 0o600 });
  return token;
}

/**
 * Reads the token `switchyard up` wrote. Throws SWY_ERR_MGMT_UNAUTHORIZED
 * when the file is missing, empty or unreadable.
 */
export async function readTokenFile(runtimeDir: string): Promise<string> {
  const file = tokenFilePath(runtimeDir);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message =
      code === 'ENOENT'
        ? `No management token at ${file}: \`switchyard up\` writes it when the supervisor starts. ` +
          'Start the supervisor, or point the CLI at the same config (runtimeDir) it uses.'
        : `Cannot read the management token at ${file} (${code ?? 'error'}); ` +
          'run the CLI as the user that ran `switchyard up`.';
    throw new SwitchyardError('SWY_ERR_MGMT_UNAUTHORIZED', message, { cause: error, details: { file } });
  }
  const token = text.trim();
  if (token === '') {
    throw new SwitchyardError(
      'SWY_ERR_MGMT_UNAUTHORIZED',
      `The management token file ${file} is empty; restart \`switchyard up\` to write a fresh one.`,
      { details: { file } },
    );
  }
  return token;
}

/** Removes `<runtimeDir>/management.token`; a missing file is not an error. */
export async function removeTokenFile(runtimeDir: string): Promise<void> {
  await fs.rm(tokenFilePath(runtimeDir), { force: true });
}
