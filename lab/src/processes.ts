import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { LabError } from './errors';
import { processStartTime, signalGroup } from './proc';

/** How a lab process ended. */
export interface LabExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Options of {@link Lab.spawn}. */
export interface LabSpawnOptions {
  /** Variables added to this process's environment. */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Called with each line the process writes to stdout or stderr (not with `logFile`). */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /**
   * Append stdout and stderr to this file instead of piping them here. Use it
   * for processes that must outlive this one (see {@link Lab.detach}).
   */
  logFile?: string;
  /** A name for messages and the registry (default: the program's name). */
  label?: string;
}

/** A process running in a lab namespace, in its own process group. */
export interface LabProcess {
  /** The program's own pid (`ip netns exec` execs into it) and its process group id. */
  readonly pid: number;
  readonly label: string;
  /** Its start time in /proc, which tells it apart from a later process given the same pid. */
  readonly startTime: string;
  /** Resolves when it exits, for whatever reason. */
  readonly exited: Promise<LabExit>;
  /** False once it has exited. */
  readonly running: boolean;
  /** Signals its whole process group (default SIGTERM); a no-op once it has exited. */
  kill(signal?: NodeJS.Signals): void;
  /** Every line it wrote so far (stdout and stderr interleaved; the last 10,000 lines). */
  output(): string[];
}

const MAX_LINES = 10_000;

/** A started lab process and the ChildProcess behind it (kept inside the package). */
export interface StartedProcess {
  process: LabProcess;
  child: ChildProcess;
}

function lineSplitter(onLine: (line: string) => void): { push(chunk: Buffer): void; end(): void } {
  let rest = '';
  return {
    push(chunk) {
      const lines = (rest + chunk.toString('utf8')).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) onLine(line.replace(/\r$/, ''));
    },
    end() {
      if (rest !== '') onLine(rest);
      rest = '';
    },
  };
}

/** Runs `ip netns exec <ns> ...argv` detached (its own process group); `input`, when given, is written to its stdin. */
export function startInNamespace(ipPath: string, ns: string, argv: readonly string[], opts: LabSpawnOptions = {}, input?: string): StartedProcess {
  if (argv.length === 0) throw new LabError('SWY_ERR_LAB_BAD_ARGUMENT', 'spawn needs a program to run: argv is empty');
  const lines: string[] = [];
  const logFd = opts.logFile === undefined ? undefined : fs.openSync(opts.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(ipPath, ['netns', 'exec', ns, ...argv], {
      detached: true,
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stdio: [input === undefined ? 'ignore' : 'pipe', logFd ?? 'pipe', logFd ?? 'pipe'],
    });
  } finally {
    if (logFd !== undefined) fs.closeSync(logFd);
  }
  const label = opts.label ?? argv[0]!.split('/').pop()!;
  if (child.pid === undefined) {
    throw new LabError('SWY_ERR_LAB_SPAWN_FAILED', `${label} could not be started in ${ns} (\`${ipPath}\` did not start)`);
  }
  const pid = child.pid;
  if (child.stdin) {
    child.stdin.on('error', () => undefined); // it may exit before reading its input
    child.stdin.end(input);
  }
  const startTime = processStartTime(pid) ?? '';
  const keep = (line: string) => {
    lines.push(line);
    if (lines.length > MAX_LINES) lines.splice(0, lines.length - MAX_LINES);
  };
  for (const stream of ['stdout', 'stderr'] as const) {
    const source = child[stream];
    if (!source) continue;
    const splitter = lineSplitter((line) => {
      keep(line);
      opts.onLine?.(line, stream);
    });
    source.on('data', (chunk: Buffer) => splitter.push(chunk));
    source.on('end', () => splitter.end());
  }
  let running = true;
  const exited = new Promise<LabExit>((resolve) => {
    child.once('exit', (code, signal) => {
      running = false;
      resolve({ code, signal });
    });
    child.once('error', () => {
      running = false;
      resolve({ code: null, signal: null });
    });
  });
  const labProcess: LabProcess = {
    pid,
    label,
    startTime,
    exited,
    get running() {
      return running;
    },
    kill(signal: NodeJS.Signals = 'SIGTERM') {
      if (running) signalGroup(pid, signal);
    },
    output() {
      if (opts.logFile === undefined) return [...lines];
      try {
        return fs.readFileSync(opts.logFile, 'utf8').split('\n').filter((l) => l !== '').slice(-MAX_LINES);
      } catch {
        return [];
      }
    },
  };
  return { process: labProcess, child };
}
