import { execFile } from 'node:child_process';

/** How one script run ended. */
export interface ScriptResult {
  ok: boolean;
  /** Exit code; null when a signal ended it or it could not start. */
  code: number | null;
  /** Set when it was killed at its time limit. */
  timedOut: boolean;
  /** Why it failed, in words (`exit code 2: RTNETLINK answers: File exists`); empty when ok. Not escaped yet. */
  reason: string;
}

/** Runs one command given as an argument vector (never through a shell). Tests pass a fake. */
export interface ScriptRunner {
  run(argv: readonly string[], options: { env: Record<string, string>; timeoutMs: number }): Promise<ScriptResult>;
}

/** Bytes of output kept (the first line of stderr goes into the reason). */
const MAX_BUFFER = 64 * 1024;

/**
 * The real runner: `execFile` with the argument array, a time limit
 * (SIGKILL at the limit) and only the given environment plus PATH.
 */
export class ExecFileScriptRunner implements ScriptRunner {
  run(argv: readonly string[], options: { env: Record<string, string>; timeoutMs: number }): Promise<ScriptResult> {
    const [file, ...args] = argv;
    return new Promise((resolve) => {
      execFile(
        file!,
        args,
        {
          timeout: options.timeoutMs,
          killSignal: 'SIGKILL',
          maxBuffer: MAX_BUFFER,
          windowsHide: true,
          env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', ...options.env },
        },
        (error, _stdout, stderr) => {
          if (!error) {
            resolve({ ok: true, code: 0, timedOut: false, reason: '' });
            return;
          }
          const failure = error as NodeJS.ErrnoException & { killed?: boolean; signal?: NodeJS.Signals | null; code?: number | string | null };
          const detail = String(stderr).trim().split('\n')[0] ?? '';
          const timedOut = failure.killed === true && failure.signal === 'SIGKILL';
          const code = typeof failure.code === 'number' ? failure.code : null;
          const why = timedOut
            ? `killed after its time limit of ${options.timeoutMs / 1000}s`
            : typeof failure.code === 'string'
              ? `it could not be started (${failure.code})`
              : failure.signal
                ? `killed by ${failure.signal}`
                : `exit code ${String(code)}`;
          resolve({ ok: false, code, timedOut, reason: detail ? `${why}: ${detail}` : why });
        },
      );
    });
  }
}
