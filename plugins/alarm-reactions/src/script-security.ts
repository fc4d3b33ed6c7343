import fs from 'node:fs';
import path from 'node:path';

const OTHERS_WRITE = 0o002;
const STICKY = 0o1000;

function mode(stat: fs.Stats): string {
  return `mode ${(stat.mode & 0o7777).toString(8).padStart(4, '0')}`;
}

/**
 * Why `command` must not be run, or undefined when it may. Like
 * keepalived's script security: the path is absolute; the file exists, is
 * a regular file and executable by this process; neither the file nor any
 * folder above it (as written and after resolving symlinks) is writable by
 * others — except a folder with the sticky bit (like /tmp), where others
 * cannot replace what they do not own. Otherwise any local user could make
 * the supervisor run their code when an alarm fires.
 */
export function commandProblem(command: string): string | undefined {
  if (!path.isAbsolute(command)) return `"${command}" is not an absolute path; give the full path of the command`;
  let stat: fs.Stats;
  try {
    stat = fs.statSync(command);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? `${command} does not exist` : `${command} cannot be checked (${code ?? String(error)})`;
  }
  if (!stat.isFile()) return `${command} is not a regular file`;
  let real: string;
  try {
    real = fs.realpathSync(command);
  } catch (error) {
    return `${command} cannot be resolved (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
  }
  if (stat.mode & OTHERS_WRITE) return `${command} is writable by others (${mode(stat)}); run chmod o-w on it`;
  const folders = new Set([...ancestors(path.dirname(command)), ...ancestors(path.dirname(real))]);
  for (const folder of folders) {
    let folderStat: fs.Stats;
    try {
      folderStat = fs.statSync(folder);
    } catch {
      continue;
    }
    if (folderStat.mode & OTHERS_WRITE && !(folderStat.mode & STICKY)) {
      return `the folder ${folder} of ${command} is writable by others (${mode(folderStat)}), so anyone could replace the command; run chmod o-w on it or move the command`;
    }
  }
  try {
    fs.accessSync(real, fs.constants.X_OK);
  } catch {
    return `${command} is not executable by this user; run chmod +x on it`;
  }
  return undefined;
}

function ancestors(folder: string): string[] {
  const out: string[] = [];
  for (let dir = path.resolve(folder); ; dir = path.dirname(dir)) {
    out.push(dir);
    if (path.dirname(dir) === dir) return out;
  }
}
