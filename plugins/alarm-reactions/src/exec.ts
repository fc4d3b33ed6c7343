import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { assertSafeScript, defineAlarmReaction, scriptSafetyProblem, type Alarm, type AlarmReactionContext } from '@switchyard/sdk';
import { z } from 'zod';
import { abortableSleep } from './abortable-sleep';
import { alarmEnvironment, eventFields, type AlarmChange } from './alarm-fields';
import { AlarmReactionError, describeError } from './errors';
import { AlarmReactionEvent } from './events';

/** Bytes of stdout and of stderr kept for the log event. */
export const OUTPUT_LOG_BYTES = 4096;
/** Seconds between SIGTERM and SIGKILL of a command being stopped. */
const KILL_GRACE_MS = 2000;

export const execOptionsSchema = z
  .strictObject({
    /** Absolute path of the command; it and its folders must be owned by root or this user and not writable by group or others. */
    command: z.string().min(1, 'command is the absolute path of an executable'),
    /** Arguments, passed as they are (no shell, no word splitting). */
    args: z.array(z.string().regex(/^[^\0]*$/, 'args cannot hold a NUL character')).default([]),
    /** Seconds the command may run before its process group is killed. */
    timeout: z.number().positive('timeout must be greater than 0').max(3600).default(10),
    /** Further runs after a failed one (a non-zero exit, a signal, a command that could not start); not after a timeout. */
    retries: z.number().int('retries is a whole number').min(0).max(10).default(2),
    /** Seconds before the first retry; doubles for each next one. */
    backoff: z.number().positive('backoff must be greater than 0').max(60).default(1),
  })
  .superRefine((options, ctx) => {
    const problem = scriptSafetyProblem(options.command);
    if (problem !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['command'], message: `refused: ${problem}`, params: { code: 'SWY_ERR_ALARM_EXEC_UNSAFE' } });
    }
  });

export type ExecReactionOptions = z.output<typeof execOptionsSchema>;

/**
 * Throws SWY_ERR_ALARM_EXEC_UNSAFE when the command may not be run: the
 * SDK's one script-safety check ({@link scriptSafetyProblem}) with this
 * plugin's error code.
 */
export function assertSafeCommand(command: string, reaction: string): void {
  assertSafeScript([command], (problem) => new AlarmReactionError('SWY_ERR_ALARM_EXEC_UNSAFE', `Alarm reaction ${reaction} refuses to run ${command}: ${problem}.`));
}

/**
 * `exec`: runs a command like `execFile` does (an argument array, never a
 * shell) and the alarm in its environment (`SWITCHYARD_ALARM_ID`, …, see
 * {@link alarmEnvironment}; every value escaped, as it may quote a peer).
 * Its stdout and stderr (first 4 KiB each; the rest is counted, not kept)
 * go into the log event (01-20010, or 01-20011 on failure). A failed run
 * (non-zero exit, signal, a command that could not start) is run again up
 * to `retries` times, `backoff` seconds later and twice as long each time
 * (01-20013 each). At `timeout` its whole process group is killed
 * (SIGTERM, then SIGKILL), so a script's own children cannot outlive it
 * (01-20012); a timeout is not retried.
 *
 * The command is checked like keepalived checks its scripts (absolute,
 * executable, the file and every folder above it owned by root or the
 * supervisor's user and not writable by group or others) when the config
 * is validated, when the reaction is created and before each run; an
 * unsafe command is refused with SWY_ERR_ALARM_EXEC_UNSAFE.
 *
 * ```ts
 * reactions: { notify: { kind: 'exec', command: '/usr/local/bin/page-ops', args: ['--team', 'voice'], timeout: 5 } }
 * ```
 */
export const execReaction = defineAlarmReaction({
  options: execOptionsSchema,
  description: 'runs a command with the alarm in its environment',
  create(options, ctx) {
    assertSafeCommand(options.command, ctx.name);
    return {
      raised: (alarm, signal) => runCommand(options, ctx, alarm, 'raised', signal),
      cleared: (alarm, signal) => runCommand(options, ctx, alarm, 'cleared', signal),
    };
  },
});

async function runCommand(
  options: ExecReactionOptions,
  ctx: AlarmReactionContext,
  alarm: Alarm,
  change: AlarmChange,
  signal: AbortSignal,
): Promise<void> {
  const fields = { ...eventFields(ctx.name, alarm, change), command: options.command };
  const attempts = options.retries + 1;
  for (let attempt = 1; ; attempt++) {
    // The file may have changed since the config was checked, or since the last attempt.
    assertSafeCommand(options.command, ctx.name);
    const started = ctx.clock.monotonic();
    const outcome = await execute(options, alarmEnvironment(alarm, change), ctx, signal);
    const output = { stdout: outcome.stdout, stderr: outcome.stderr };
    if (outcome.killedBy === 'timeout') {
      ctx.emit(AlarmReactionEvent.ExecKilled, { ...fields, why: `timeout of ${options.timeout}s`, ...output });
      throw new AlarmReactionError('SWY_ERR_ALARM_EXEC_TIMEOUT', `${options.command} did not finish within ${options.timeout}s and was killed.`);
    }
    if (outcome.killedBy === 'abort') {
      ctx.emit(AlarmReactionEvent.ExecKilled, { ...fields, why: 'the alarm engine aborted the reaction', ...output });
      throw signal.reason ?? new Error('aborted');
    }
    if (!outcome.error && outcome.code === 0) {
      ctx.emit(AlarmReactionEvent.ExecDone, { ...fields, ms: Math.round(ctx.clock.monotonic() - started), attempt, ...output });
      return;
    }
    const reason = failureReason(outcome);
    if (attempt >= attempts) {
      ctx.emit(AlarmReactionEvent.ExecFailed, { ...fields, reason, attempt, ...output });
      const tries = attempts === 1 ? '' : ` (${attempts} attempts)`;
      throw new AlarmReactionError('SWY_ERR_ALARM_EXEC_FAILED', `${options.command} failed${tries}: ${reason}.`, { cause: outcome.error });
    }
    const delay = options.backoff * 2 ** (attempt - 1);
    ctx.emit(AlarmReactionEvent.ExecRetry, { ...fields, reason, attempt, attempts, delay, ...output });
    await abortableSleep(ctx.clock, delay * 1000, signal);
  }
}

interface Outcome {
  /** Exit code, or null when a signal ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The command could not be started (ENOENT, EACCES, …). */
  error?: Error;
  stdout: string;
  stderr: string;
  killedBy?: 'timeout' | 'abort';
}

/**
 * Runs the command without a shell, as execFile does, but through spawn:
 * execFile cannot make the command a process-group leader, and without
 * that a timed-out script's children (a `sleep`) would live on and hold its
 * output pipes open.
 */
function execute(options: ExecReactionOptions, env: Record<string, string>, ctx: AlarmReactionContext, signal: AbortSignal): Promise<Outcome> {
  return new Promise((resolve) => {
    let killedBy: Outcome['killedBy'];
    let grace: { cancel(): void } | undefined;
    let settled = false;
    let child: ChildProcessByStdio<null, Readable, Readable>;
    try {
      child = spawn(options.command, options.args, {
        env: { ...process.env, ...env },
        detached: true,
        shell: false,
        stdio: ['ignore', 'pipe', 'pipe'],
        windowsHide: true,
      });
    } catch (error) {
      // spawn throws (not emits) on arguments it refuses, e.g. a NUL in the supervisor's own
      // environment: a failure to start like ENOENT, retried like one.
      resolve({ code: null, signal: null, error: error as Error, stdout: '', stderr: '' });
      return;
    }
    const stdout = new BoundedText(OUTPUT_LOG_BYTES);
    const stderr = new BoundedText(OUTPUT_LOG_BYTES);
    child.stdout.on('data', (chunk: Buffer) => stdout.add(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.add(chunk));
    const settle = (result: Pick<Outcome, 'code' | 'signal' | 'error'>) => {
      if (settled) return;
      settled = true;
      timer.cancel();
      grace?.cancel();
      signal.removeEventListener('abort', onAbort);
      resolve({ ...result, stdout: stdout.text(), stderr: stderr.text(), killedBy });
    };
    child.once('error', (error) => settle({ code: null, signal: null, error }));
    child.once('close', (code, sig) => settle({ code, signal: sig }));
    const kill = (why: 'timeout' | 'abort') => {
      if (killedBy !== undefined || settled) return;
      killedBy = why;
      killGroup(child.pid, 'SIGTERM');
      grace = ctx.clock.setTimeout(() => killGroup(child.pid, 'SIGKILL'), KILL_GRACE_MS);
    };
    const onAbort = () => kill('abort');
    const timer = ctx.clock.setTimeout(() => kill('timeout'), options.timeout * 1000);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Keeps the first `limit` bytes of a stream and counts the rest. */
class BoundedText {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  private dropped = 0;

  constructor(private readonly limit: number) {}

  add(chunk: Buffer): void {
    const room = this.limit - this.kept;
    if (room > 0) {
      const part = chunk.subarray(0, room);
      this.chunks.push(part);
      this.kept += part.length;
    }
    this.dropped += Math.max(0, chunk.length - Math.max(0, room));
  }

  text(): string {
    const head = Buffer.concat(this.chunks).toString('utf8').trimEnd();
    return this.dropped === 0 ? head : `${head}… [${this.dropped} more bytes]`;
  }
}

function killGroup(pid: number | undefined, sig: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, sig);
  } catch {
    // already gone
  }
}

function failureReason(outcome: Outcome): string {
  if (outcome.error) return `it could not be started (${(outcome.error as NodeJS.ErrnoException).code ?? describeError(outcome.error)})`;
  if (outcome.signal) return `killed by ${outcome.signal}`;
  return `exit code ${String(outcome.code)}`;
}
