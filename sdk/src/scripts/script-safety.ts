import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const GROUP_WRITE = 0o020;
const OTHERS_WRITE = 0o002;
const STICKY = 0o1000;

/**
 * Why the script at `file` must not be run, or `undefined` when it may.
 *
 * The one script-safety check of Switchyard, for alarm `exec` reactions and
 * VIP scripts alike, modelled on keepalived's `enable_script_security`: the
 * path is absolute; the file exists, is a regular file and is executable by
 * this process; the file and every folder above it (as written and after
 * resolving symlinks) are owned by root or by the user running Switchyard
 * and are not writable by group or others. Otherwise another local user
 * could edit or replace the command and have it run with Switchyard's
 * rights (as root, often).
 *
 * One exception, for /tmp: a folder with the sticky bit that is itself
 * owned by root or this user may be writable by others, since nobody else
 * can rename or delete what they do not own inside it (what is below it
 * must still pass the rule).
 *
 * The answer is a sentence that names the path at fault and says what to
 * do (`chown root`, `chmod o-w`, `chmod g-w`, `chmod +x`, the full path), meant to be
 * put into the caller's own coded error or config issue.
 *
 * ```ts
 * const problem = scriptSafetyProblem('/usr/local/bin/vip-add');
 * if (problem) ctx.addIssue({ code: 'custom', path: ['scripts', 'add', 0], message: `refused: ${problem}` });
 * ```
 */
export function scriptSafetyProblem(file: string): string | undefined {
  if (!path.isAbsolute(file)) return `"${file}" is not an absolute path; give the full path of the command`;
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? `${file} does not exist` : `${file} cannot be checked (${code ?? String(error)})`;
  }
  if (!stat.isFile()) return `${file} is not a regular file`;
  let real: string;
  try {
    real = fs.realpathSync(file);
  } catch (error) {
    return `${file} cannot be resolved (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
  }
  const trusted = trustedOwners();
  const fileProblem = entryProblem(stat, trusted, false);
  if (fileProblem !== undefined) return `${file} ${fileProblem.what}; ${fileProblem.fix} on it`;
  const folders = new Set([...ancestors(path.dirname(file)), ...ancestors(path.dirname(real))]);
  for (const folder of folders) {
    let folderStat: fs.Stats;
    try {
      folderStat = fs.statSync(folder);
    } catch (error) {
      return `the folder ${folder} of ${file} cannot be checked (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
    }
    const problem = entryProblem(folderStat, trusted, true);
    if (problem !== undefined) {
      return `the folder ${folder} of ${file} ${problem.what}, so ${problem.who} could replace the command; ${problem.fix} on it or move the command`;
    }
  }
  try {
    fs.accessSync(real, fs.constants.X_OK);
  } catch {
    return `${file} is not executable by this user; run chmod +x on it`;
  }
  return undefined;
}

/**
 * Throws the caller's own error when the script an argument vector would
 * run (`argv[0]`; the arguments are data, not checked) fails
 * {@link scriptSafetyProblem}; returns quietly when it may be run. Call it
 * when the options are validated, when the runner is created and again
 * before each run: the file may have changed in between.
 *
 * @param argv the command and its arguments, as given to `execFile`/`spawn` (no shell)
 * @param makeError builds the caller's coded error from the problem sentence and the checked path
 *
 * ```ts
 * assertSafeScript(options.scripts.add, (problem, file) =>
 *   new VipError('SWY_ERR_VIP_SCRIPT_UNSAFE', `VIP add script ${file} refused: ${problem}.`));
 * ```
 */
export function assertSafeScript(argv: readonly string[], makeError: (problem: string, file: string) => Error): void {
  const file = argv[0];
  const problem = file === undefined || file === '' ? 'the command is empty; give the full path of the command' : scriptSafetyProblem(file);
  if (problem !== undefined) throw makeError(problem, file ?? '');
}

/** Root and the user this process runs as (its effective uid). */
function trustedOwners(): ReadonlySet<number> {
  const self = process.geteuid?.() ?? os.userInfo().uid;
  return new Set([0, self]);
}

interface EntryProblem {
  /** `is owned by nobody (uid 65534), not by root`, `is writable by others (mode 0777)`. */
  what: string;
  /** Who else could change it. */
  who: string;
  /** The command that fixes it (`chmod o-w`). */
  fix: string;
}

/** What is wrong with one path on the way to a script (its owner, then its write bits), or undefined. */
function entryProblem(stat: fs.Stats, trusted: ReadonlySet<number>, folder: boolean): EntryProblem | undefined {
  if (!trusted.has(stat.uid)) {
    const self = [...trusted].at(-1)!;
    const allowed = self === 0 ? 'root' : `root or ${userName(self)}, the user running Switchyard`;
    return { what: `is owned by ${userName(stat.uid)}, not by ${allowed}`, who: 'that user', fix: 'run chown root' };
  }
  // A sticky folder (as /tmp): others may add entries but not replace what they do not own.
  const stickyShared = folder && (stat.mode & STICKY) !== 0;
  if (stat.mode & OTHERS_WRITE && !stickyShared) return { what: `is writable by others (${mode(stat)})`, who: 'anyone', fix: 'run chmod o-w' };
  if (stat.mode & GROUP_WRITE && !stickyShared) return { what: `is writable by its group (${mode(stat)})`, who: 'any member of that group', fix: 'run chmod g-w' };
  return undefined;
}

/** `nobody (uid 65534)`, or `uid 1234` when the user has no name here. */
function userName(uid: number): string {
  try {
    for (const line of fs.readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const [name, , id] = line.split(':');
      if (name && id !== undefined && Number(id) === uid) return `${name} (uid ${uid})`;
    }
  } catch {
    // no passwd file: the number alone
  }
  return `uid ${uid}`;
}

function mode(stat: fs.Stats): string {
  return `mode ${(stat.mode & 0o7777).toString(8).padStart(4, '0')}`;
}

function ancestors(folder: string): string[] {
  const out: string[] = [];
  for (let dir = path.resolve(folder); ; dir = path.dirname(dir)) {
    out.push(dir);
    if (path.dirname(dir) === dir) return out;
  }
}
