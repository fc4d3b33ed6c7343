import fs from 'node:fs';
import path from 'node:path';

const OTHERS_WRITE = 0o002;
const STICKY = 0o1000;

/**
 * Why the script at `file` must not be run, or `undefined` when it may.
 *
 * The one script-safety check of Switchyard, for alarm `exec` reactions and
 * VIP scripts alike, modelled on keepalived's `enable_script_security`: the
 * path is absolute; the file exists, is a regular file and is executable by
 * this process; neither the file nor any folder above it (as written and
 * after resolving symlinks) is writable by others — except a folder with
 * the sticky bit (like /tmp), where others cannot replace what they do not
 * own. Otherwise any local user could make the supervisor run their code.
 *
 * The answer is a sentence that names the file and says what to do
 * (`chmod o-w`, `chmod +x`, the full path), meant to be put into the
 * caller's own coded error or config issue.
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
  if (stat.mode & OTHERS_WRITE) return `${file} is writable by others (${mode(stat)}); run chmod o-w on it`;
  const folders = new Set([...ancestors(path.dirname(file)), ...ancestors(path.dirname(real))]);
  for (const folder of folders) {
    let folderStat: fs.Stats;
    try {
      folderStat = fs.statSync(folder);
    } catch {
      continue;
    }
    if (folderStat.mode & OTHERS_WRITE && !(folderStat.mode & STICKY)) {
      return `the folder ${folder} of ${file} is writable by others (${mode(folderStat)}), so anyone could replace the command; run chmod o-w on it or move the command`;
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
