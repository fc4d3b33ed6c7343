import { execFile, execFileSync } from 'node:child_process';
import { LabError } from './errors';

/** What a finished command left behind. */
export interface CommandResult {
  /** Exit code; `null` when a signal ended it (e.g. the timeout's SIGKILL). */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** True when the command was killed because it ran past its timeout. */
  timedOut: boolean;
}

export interface CommandOptions {
  /** Killed (SIGKILL) after this many ms; default 10 s. */
  timeoutMs?: number;
  /** Written to the command's stdin, which is then closed. */
  input?: string;
  env?: NodeJS.ProcessEnv;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/** Runs `file` with `args` (never through a shell) to completion or its timeout; never rejects for a non-zero exit. */
export function runCommand(file: string, args: readonly string[], opts: CommandOptions = {}): Promise<CommandResult> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024, env: opts.env, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const failure = error as (NodeJS.ErrnoException & { killed?: boolean; signal?: NodeJS.Signals | null }) | null;
        if (failure && typeof failure.code === 'string') {
          // ENOENT and friends: the program could not be started at all.
          reject(new LabError('SWY_ERR_LAB_SPAWN_FAILED', `${file} could not be started: ${failure.message}`, { cause: error }));
          return;
        }
        resolve({
          code: child.exitCode,
          signal: child.signalCode,
          stdout,
          stderr,
          timedOut: failure?.killed === true && child.signalCode === 'SIGKILL',
        });
      },
    );
    child.stdin?.on('error', () => undefined); // a command that exits before reading its input
    child.stdin?.end(opts.input ?? '');
  });
}

/** The command as a person would type it, for messages. */
export function showCommand(file: string, args: readonly string[]): string {
  return [file, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');
}

/** Runs a command that must succeed; a failure or timeout throws a coded error naming the command and its stderr. */
export async function mustRun(file: string, args: readonly string[], opts: CommandOptions = {}): Promise<string> {
  const result = await runCommand(file, args, opts);
  if (result.timedOut) {
    throw new LabError('SWY_ERR_LAB_COMMAND_TIMEOUT', `\`${showCommand(file, args)}\` did not finish in ${opts.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms and was killed`);
  }
  if (result.code !== 0) {
    const said = result.stderr.trim() || result.stdout.trim() || `exit ${result.code ?? result.signal}`;
    throw new LabError('SWY_ERR_LAB_COMMAND_FAILED', `\`${showCommand(file, args)}\` failed: ${said}`);
  }
  return result.stdout;
}

/** Synchronous best-effort run, for `process.on('exit')` where nothing asynchronous runs; returns stdout or '' on failure. */
export function runCommandSync(file: string, args: readonly string[], timeoutMs = 5_000): string {
  try {
    return execFileSync(file, args, { timeout: timeoutMs, killSignal: 'SIGKILL', encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return '';
  }
}
