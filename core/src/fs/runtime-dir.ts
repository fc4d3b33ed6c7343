import { promises as fs, readFileSync, statSync, type Stats } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SwitchyardError } from '../errors';

/** Mode of the runtime folder: only its owner may list, read or add (the management token lives there). */
export const RUNTIME_DIR_MODE = 0o700;

export interface RuntimeDirState {
  /** The folder, as given (absolute). */
  dir: string;
  /** It did not exist and was created. */
  created: boolean;
  /** Its mode was wider than 0700 and was narrowed: the old mode (`0755`); undefined when it was right. */
  repairedFrom?: string;
}

/**
 * Makes `dir` the private runtime folder of this process's user: creates
 * it (and missing parents) as 0700 whatever the umask, narrows an existing
 * folder's mode to 0700, and refuses (SWY_ERR_RUNTIME_DIR_UNSAFE) a path
 * that is not a folder or a folder (symlinks followed) owned by another
 * user, who could read the management token or plant files in it.
 */
export async function ensureRuntimeDir(dir: string): Promise<RuntimeDirState> {
  const absolute = path.resolve(dir);
  let firstCreated: string | undefined;
  try {
    firstCreated = await fs.mkdir(absolute, { recursive: true, mode: RUNTIME_DIR_MODE });
  } catch (error) {
    // A file in the way: reported below, with the path.
    if (!['EEXIST', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
  }
  const created = firstCreated !== undefined;
  if (created) {
    // mkdir's mode passes through the umask; every folder made here is exactly 0700.
    for (let d = absolute; ; d = path.dirname(d)) {
      await fs.chmod(d, RUNTIME_DIR_MODE);
      if (d === path.resolve(firstCreated!) || path.dirname(d) === d) break;
    }
  }
  const stat = await fs.stat(absolute).catch((error: NodeJS.ErrnoException) => {
    throw new SwitchyardError(
      'SWY_ERR_RUNTIME_DIR_UNSAFE',
      `The runtime folder ${absolute} cannot be used (${error.code ?? error.message}); a file may be in its path. Fix the path or set runtimeDir to another one.`,
      { cause: error, details: { dir: absolute } },
    );
  });
  if (!stat.isDirectory()) {
    throw new SwitchyardError(
      'SWY_ERR_RUNTIME_DIR_UNSAFE',
      `The runtime folder ${absolute} is not a folder; remove the file there or set runtimeDir to another path.`,
      { details: { dir: absolute } },
    );
  }
  const self = currentUid();
  if (stat.uid !== self) {
    throw new SwitchyardError(
      'SWY_ERR_RUNTIME_DIR_UNSAFE',
      `The runtime folder ${absolute} is owned by ${userName(stat.uid)}, not by ${userName(self)} who runs Switchyard: ` +
        `that user could read the management token or plant files in it. Run chown ${userName(self, false)} ${absolute}, or set runtimeDir to a folder of your own.`,
      { details: { dir: absolute, owner: stat.uid, user: self } },
    );
  }
  const mode = stat.mode & 0o7777;
  if (mode === RUNTIME_DIR_MODE) return { dir: absolute, created };
  await fs.chmod(absolute, RUNTIME_DIR_MODE);
  return { dir: absolute, created, repairedFrom: mode.toString(8).padStart(4, '0') };
}

function currentUid(): number {
  return process.geteuid?.() ?? os.userInfo().uid;
}

/** `nobody (uid 65534)`, or just `nobody` (`withUid` false); `uid 1234` when the user has no name here. */
function userName(uid: number, withUid = true): string {
  let name: string | undefined;
  try {
    name = uid === currentUid() ? os.userInfo().username : undefined;
  } catch {
    name = undefined;
  }
  if (name === undefined) name = passwdName(uid);
  if (name === undefined) return withUid ? `uid ${uid}` : String(uid);
  return withUid ? `${name} (uid ${uid})` : name;
}

function passwdName(uid: number): string | undefined {
  try {
    const text = readFileSync('/etc/passwd', 'utf8');
    for (const line of text.split('\n')) {
      const [name, , id] = line.split(':');
      if (name && id !== undefined && Number(id) === uid) return name;
    }
  } catch {
    // no passwd file
  }
  return undefined;
}

/**
 * What `switchyard validate` can say about the runtime folder without
 * touching it: why starting would be refused (not a folder, owned by
 * another user), or that its mode will be narrowed to 0700; undefined when
 * it is fine or does not exist yet (it is created as 0700).
 */
export function runtimeDirWarning(dir: string): string | undefined {
  const absolute = path.resolve(dir);
  let stat: Stats;
  try {
    stat = statSync(absolute);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? undefined : `the runtime folder ${absolute} cannot be checked (${code ?? String(error)}); starting will fail`;
  }
  if (!stat.isDirectory()) return `the runtime folder ${absolute} is not a folder; starting will fail (SWY_ERR_RUNTIME_DIR_UNSAFE)`;
  const self = currentUid();
  if (stat.uid !== self) {
    return `the runtime folder ${absolute} is owned by ${userName(stat.uid)}, not by ${userName(self)}; starting will fail (SWY_ERR_RUNTIME_DIR_UNSAFE) — run chown ${userName(self, false)} ${absolute}`;
  }
  const mode = stat.mode & 0o7777;
  if (mode !== RUNTIME_DIR_MODE) {
    return `the runtime folder ${absolute} has mode ${mode.toString(8).padStart(4, '0')}; it will be narrowed to 0700 at start`;
  }
  return undefined;
}
